from layerlint.rule import Rule, register
from layerlint.rules._package_calls import (apt_subcommand, brace_expand, cache_targets, calls, covers, inline_script,
                                         path_text, reaches_image, word_span)

LISTS = "/var/lib/apt/lists"
# removing one of these removes the lists
_REMOVED_WITH = ("/var/lib/apt/lists", "/var/lib/apt")


def _is_cleanup(call) -> bool:
    base = call.basename
    if base == "rm":
        return any(path_text(p) in _REMOVED_WITH for w in call.operands() for p in brace_expand(w.value))
    if base == "find":
        ops = [w.value for w in call.args]
        return bool(ops) and path_text(ops[0]) in _REMOVED_WITH and "-delete" in ops
    if base in ("apt-get", "apt"):
        sub = apt_subcommand(call)
        return sub is not None and sub.value == "dist-clean"
    script = inline_script(call)  # `sh -c '...'` is not analysed: trust it when it names the lists
    return script is not None and (LISTS in script or "dist-clean" in script)


@register
class AptListsNotDeleted(Rule):
    """`apt-get update` without removing /var/lib/apt/lists in the same RUN.

    Reports the `apt-get update` (also `apt update`, `aptitude update`) of a RUN
    that does not remove the package lists after it (`rm -rf
    /var/lib/apt/lists/*`, `find /var/lib/apt/lists -delete` or
    `apt-get dist-clean`), also inside `ONBUILD RUN`, heredoc scripts and
    exec-form RUN. Only stages whose layers end up in an image count: the last
    stage and every stage a later stage is built FROM (as in hadolint, a stage
    that others only `COPY --from` is not checked); ONBUILD triggers always
    count, they run in whatever image is built from this one. A BuildKit cache
    or tmpfs mount on the lists directory (or a directory containing it, such
    as /var/lib/apt) keeps the lists out of the layer and exempts the RUN.

    Differences from hadolint: the removal must name the lists directory and
    come after the update (hadolint accepts any `rm -rf`, even `rm -rf /tmp`, and
    a removal before `apt-get update`); `find /var/lib/apt/lists -delete`,
    `apt-get dist-clean` and brace forms (`rm -rf /var/lib/{apt,dpkg}/`) count
    as removal, and so does a `sh -c '...'` string that names the lists
    directory (its code is not analysed); `apt-get` called through `sudo` and
    similar wrappers counts; a cache mount on /var/lib/apt alone is
    enough (hadolint also wants one on /var/cache/apt, which holds packages,
    not lists); stage names are compared case-insensitively and by stage, not by
    the text of the FROM line (hadolint confuses two stages `FROM debian:12`).

    ## Why is this bad?
    `apt-get update` downloads tens of megabytes of package lists. Removed in
    a later RUN they still sit in the earlier layer; only removing them in the
    same RUN keeps them out of the image.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update \\
     && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update \\
     && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 \\
     && rm -rf /var/lib/apt/lists/*
    ```
    """

    code = "DL3009"
    name = "apt-lists-not-deleted"
    groups = ("cache", "packages")
    severity = "info"
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        found = calls(ins, ctx)
        if not found:
            return
        if any(covers(t, LISTS) for t in cache_targets(ins, ctx)):
            return
        last_update = None
        for call in found:
            if call.basename in ("apt-get", "apt", "aptitude"):
                sub = apt_subcommand(call)
                if sub is not None and sub.value == "update":
                    last_update = (call, sub)
                    continue
            if last_update is not None and _is_cleanup(call):
                last_update = None
        if last_update is None:
            return
        call, sub = last_update
        rng = word_span(call.name, sub)
        message = "Delete the apt lists (/var/lib/apt/lists) after installing something"
        if ins.parent is not None:
            ctx.report(self, rng, message)
        else:  # whether the stage's layers reach an image is known once the file is read: `keep`
            ctx.report(self, rng, message, stage=ctx.stage.index if ctx.stage is not None else None)

    keep = staticmethod(reaches_image)
