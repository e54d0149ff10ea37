from layerlint.rule import Rule, register
from layerlint.rules._package_calls import (APK_LONG_VALUES, APK_SHORT_VALUES, apt_subcommand, brace_expand, cache_targets,
                                         calls, covers, path_text, word_span)
from layerlint.rules._command_words import DNF_NAMES, rpm_command, zypper_command

# where each package manager keeps its index
INDEX_DIRS = {
    "apt": ("/var/lib/apt/lists",),
    "apk": ("/var/cache/apk", "/etc/apk/cache"),
    "rpm": ("/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"),
    "zypper": ("/var/cache/zypp",),
}
_APT_INSTALLS = frozenset({"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "reinstall", "download",
                           "source", "satisfy"})
_RPM_INSTALLS = frozenset({"install", "upgrade", "update", "groupinstall", "group install", "groups install",
                           "reinstall", "downgrade", "distro-sync", "localinstall", "module install", "builddep",
                           "upgrade-minimal", "in"})
_ZYPPER_INSTALLS = frozenset({"install", "in", "update", "up", "dist-upgrade", "dup", "patch", "source-install", "si",
                              "install-new-recommends", "inr"})


def _removes(call, family: str) -> bool:
    """`rm` of the index directory (or a parent of it)."""
    if call.basename != "rm":
        return False
    for w in call.operands():
        for p in brace_expand(w.value):
            path = path_text(p)
            if path.startswith("/") and any(covers(path, d) for d in INDEX_DIRS[family]):
                return True
    return False


def events(call):
    """(family, what, last word) of a package-manager call: what is update, install or clear."""
    base = call.basename
    if base in ("apt-get", "apt", "aptitude"):
        sub = apt_subcommand(call)
        if sub is None:
            return None
        if sub.value == "update":
            return "apt", "update", sub
        if sub.value in _APT_INSTALLS:
            return "apt", "install", sub
        if sub.value == "dist-clean":
            return "apt", "clear", sub
        return None
    if base == "apk":
        ops = call.operands(APK_SHORT_VALUES, APK_LONG_VALUES)
        if not ops:
            return None
        refreshes = call.has_long_flag("--no-cache", "--update-cache", "--update") or call.has_short_flag("U")
        if ops[0].value == "update":
            return "apk", "update", ops[0]
        if ops[0].value in ("add", "upgrade", "fix") and not refreshes:
            return "apk", "install", ops[0]
        return None
    if base in ("yum",) + DNF_NAMES:
        rc = rpm_command(call)
        action = rc.action
        if action in ("makecache", "check-update", "check-upgrade"):
            return "rpm", "update", rc.action_word
        if action in _RPM_INSTALLS and not rc.parsed.has("--refresh"):
            return "rpm", "install", rc.action_word
        if rc.sub == "clean" and any(w.value in ("all", "metadata", "expire-cache", "dbcache") for w in rc.operands):
            return "rpm", "clear", rc.sub_word
        return None
    if base == "zypper":
        zc = zypper_command(call)
        if zc.sub in ("refresh", "ref"):
            return "zypper", "update", zc.sub_word
        if zc.sub in _ZYPPER_INSTALLS:
            return "zypper", "install", zc.sub_word
        if zc.sub in ("clean", "cc") and zc.has("--all", "-a", "--metadata", "-m", "--raw-metadata", "-M"):
            return "zypper", "clear", zc.sub_word
        return None
    for family in INDEX_DIRS:
        if _removes(call, family):
            return family, "clear", call.name
    return None


@register
class PackageIndexUpdateAlone(Rule):
    """A package index update runs in a RUN of its own, the install in a later one.

    Reports `apt-get update` (also `apt`, `aptitude`), `apk update`, `yum`/`dnf`
    `makecache` and `zypper refresh` when the RUN installs nothing after it and a
    later RUN of the stage (or of a stage built FROM it) installs with the same
    package manager without updating first: `apt-get install`/`upgrade`,
    `apk add` (unless `--no-cache` or `--update-cache`, which fetch a fresh
    index), `dnf install` (unless `--refresh`), `zypper install` ... The same
    holds between ONBUILD RUN triggers. Silent when the index is removed
    (`rm -rf /var/lib/apt/lists/*`, `dnf clean all` ...) before the install,
    and when either RUN keeps the index in a cache mount.

    The message names the install and explains that the builder reuses the
    cached layer holding the index, so the install reads the index as it was
    when that layer was first built. (hadolint has no such rule; DL3009 is about
    the size of the lists, not their age.)

    ## Why is this bad?
    `RUN apt-get update` alone never changes, so BuildKit reuses its cached
    layer for weeks or months. When the install RUN is rebuilt (its package
    list changed), it reads that old index: it installs outdated versions or
    fails because the mirror no longer has them ("404 Not Found", "Unable to
    locate package"). Updating and installing in the same RUN refreshes the
    index whenever the install changes.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update
    RUN apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update \\
     && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
    ```
    """

    code = "LL2003"
    name = "package-index-update-alone"
    groups = ("cache", "packages")
    severity = "warning"
    visits = ("RUN",)
    onbuild = True

    def _pending(self, ctx, onbuild: bool) -> dict:
        st = ctx.stage_state(self)
        key = "onbuild" if onbuild else "main"
        if key not in st:
            parent = ctx.stage.parent if ctx.stage is not None else None
            st[key] = dict(self._at_end(ctx, parent)) if parent is not None and not onbuild else {}
        return st[key]

    def _at_end(self, ctx, stage, depth: int = 0) -> dict:
        """Updates still waiting for an install at the end of `stage` (or of the stages it is built on)."""
        st = ctx.stage_state(self, stage)
        if "main-end" in st:
            return st["main-end"]
        if stage.parent is None or depth > 64:
            return {}
        return self._at_end(ctx, stage.parent, depth + 1)

    def check(self, ins, ctx):
        onbuild = ins.parent is not None
        pending = self._pending(ctx, onbuild)
        found = calls(ins, ctx)
        if not found:
            return
        cached = cache_targets(ins, ctx)
        updated: dict = {}  # family -> [update call, update word, followed by an install]
        for call in found:
            ev = events(call)
            if ev is None:
                continue
            family, what, word = ev
            in_cache = any(covers(t, d) for t in cached for d in INDEX_DIRS[family])
            if what == "update":
                pending.pop(family, None)
                updated[family] = None if in_cache else [call, word, False]
            elif what == "clear":
                pending.pop(family, None)
                updated.pop(family, None)
            elif family in updated:
                if updated[family] is not None:
                    updated[family][2] = True
            elif family in pending and not in_cache:
                upd_ins, rng, upd_text = pending.pop(family)
                reported = ctx.state(self).setdefault("reported", set())
                if (rng, upd_ins.range.start.line) in reported:
                    continue
                reported.add((rng, upd_ins.range.start.line))
                line = ins.range.start.line + 1
                install = f"{call.name.value} {word.value}"
                ctx.report(self, rng,
                           f"nothing is installed after `{upd_text}` in its RUN but `{install}` runs in a later one "
                           f"(line {line}), so "
                           f"the builder reuses the cached layer holding this index and the install reads the index "
                           f"as it was when that layer was first built; update and install in the same RUN")
        for family, entry in updated.items():
            if entry is None or entry[2]:
                continue
            call, word, _ = entry
            rng = word_span(call.name, word)
            pending[family] = (ins, rng, f"{call.name.value} {word.value}")
        if not onbuild:
            ctx.stage_state(self)["main-end"] = pending
