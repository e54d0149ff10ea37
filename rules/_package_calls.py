"""Package-manager calls in RUN, for the package rules (DL3008, DL3009, DL3013-DL3016, DL3018, DL3019,
DL3027, DL3028, DL3042, DL3060).

`calls(ins, ctx)` turns a RUN (or ONBUILD RUN) into the programs it runs, each a `Call`:

- shell form: every simple command of `layerlint.shell.commands`; wrappers that
  run the rest of their arguments as a command are seen through: `sudo`,
  `doas`, `env` (its `NAME=value` words become the call's environment),
  `command`, `exec`, `nohup`, `time`, `nice`, `timeout`, `eatmydata`,
  `fakeroot`; inline assignments (`PIP_NO_CACHE_DIR=1 pip ...`) go to the
  call's environment as well;
- exec form (`RUN ["apt-get", "install", "curl"]`): the first JSON item is the
  program, no shell is involved;
- None when the RUN is shell code for a non-POSIX shell (PowerShell, cmd).

Programs are matched by basename (`/usr/bin/apt-get` is `apt-get`).

The other helpers answer the questions several of these rules share: which
words are operands once the values of value-taking options are skipped, what a
word with `$VAR` expands to (ENV and ARG defaults in scope), which BuildKit
cache/tmpfs mounts a RUN has, and whether a stage's layers end up in an image.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from layerlint.ast import Range
from layerlint.rule import Edit, Fix, Rule
from layerlint.shell import Program, commands, programs
from layerlint.shellwords import Lex, ShellLexError
from layerlint.patterns import lazy_pattern
from layerlint.rules._stage_sources import along_chain

# -- calls --------------------------------------------------------------------------------


# The programs a RUN starts come from the shared shell analysis (layerlint.shell.programs);
# `Call` is that Program, `calls` the cached list for an instruction.
Call = Program
_ASSIGNMENT = lazy_pattern(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)


def calls(ins, ctx) -> list[Call] | None:
    """The programs `ins` (a RUN or an ONBUILD trigger) runs; None when they cannot be known."""
    return programs(ins, ctx.model)


def _strip_quotes(s: str) -> str:
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    return s


def subcommand(call: Call, short_values: str = "", long_values=()):
    """The first operand word (`install` of `apt-get -y install x`), or None."""
    ops = call.operands(short_values, long_values)
    return ops[0] if ops else None


def after(words: list, word) -> list:
    """The words of `words` after `word`."""
    for i, w in enumerate(words):
        if w is word:
            return words[i + 1:]
    return []


# -- declarations the shell analysis does not list ------------------------------------


def script_declarations(ins, ctx) -> tuple[dict[str, str], set[str]]:
    """(exported NAME -> value, every name assigned anywhere) in the shell code of `ins`.

    `layerlint.shell` lists simple commands only: `export NAME=value`, `declare -x`,
    bare `NAME=value` statements and `for NAME in` loops are not among them. They
    are read here from the same tree-sitter-bash parse of the analysed script text.
    """
    key = ("package-declarations", id(ins))
    cache = ctx.model.shell_cache
    if key in cache:
        return cache[key]
    exported: dict[str, str] = {}
    assigned: set[str] = set()
    script = commands(ins, ctx.model)
    if script is not None and script.source.strip():
        data = script.data
        stack = [script.tree.root_node]
        while stack:
            n = stack.pop()
            t = n.type
            if t == "variable_assignment":
                name_node = n.child_by_field_name("name")
                if name_node is not None:
                    assigned.add(data[name_node.start_byte:name_node.end_byte].decode("utf-8", "replace"))
            elif t == "for_statement":
                var = n.child_by_field_name("variable")
                if var is not None:
                    assigned.add(data[var.start_byte:var.end_byte].decode("utf-8", "replace"))
            elif t == "declaration_command" and n.children:
                keyword = n.children[0].type
                opts = [data[c.start_byte:c.end_byte].decode("utf-8", "replace") for c in n.children[1:]
                        if c.type == "word"]
                exports = keyword == "export" or (keyword in ("declare", "typeset")
                                                   and any(o.startswith("-") and "x" in o for o in opts))
                for c in n.children:
                    if c.type == "variable_assignment" and exports:
                        text = data[c.start_byte:c.end_byte].decode("utf-8", "replace")
                        m = _ASSIGNMENT.match(text)
                        if m:
                            exported[m.group(1)] = _strip_quotes(m.group(2))
            stack.extend(n.children)
    cache[key] = (exported, assigned)
    return exported, assigned


# -- variables --------------------------------------------------------------------------


def scope_values(ins, ctx) -> dict[str, str]:
    """Variables a RUN sees from the Dockerfile: ENV and ARG values in scope.

    An ONBUILD trigger runs in a later build, which inherits the image's ENV but
    none of its ARGs.
    """
    top = ins.parent if ins.parent is not None else ins
    scope = ctx.model.scope_at.get(id(top))
    if scope is None:
        return {}
    values = dict(scope.env) if ins.parent is not None else scope.values()  # the scope's: read only
    if not ctx.model.stages:
        values = dict(values)
        # a snippet without FROM (invalid, but linted like hadolint does): its ENVs still count
        for earlier in ctx.dockerfile.instructions:
            if earlier is top:
                break
            if earlier.keyword == "ENV":
                values.update((p.key.text, p.value.text) for p in earlier.pairs if p.value is not None)
    return values


_SUBSTITUTION = lazy_pattern(r"\$\(|`")


def expand_shell_word(value: str, ins, ctx) -> str | None:
    """A shell word's value with Dockerfile variables substituted; None when it cannot be known.

    Unknown when a variable has no value in scope (ENV or ARG default), is
    assigned inside the RUN itself, or the word holds a command substitution.
    """
    if "$" not in value and "`" not in value:
        return value
    if _SUBSTITUTION.search(value):
        return None
    _, assigned = script_declarations(ins, ctx)
    lex = Lex("\\")
    try:
        out = lex.process_word(value, scope_values(ins, ctx))
    except ShellLexError:
        return None
    if lex.unset or any(n in assigned for n in lex.used):
        return None
    return out


def expand(word, ins, ctx) -> list[str] | None:
    """What a shell word expands to, split into words; None when it cannot be known."""
    out = expand_shell_word(word.value, ins, ctx)
    return None if out is None else out.split()


# -- mounts -----------------------------------------------------------------------------


def mounts(ins, ctx) -> list[tuple[str, str]]:
    """(type, target) of each `--mount` of a RUN; targets expanded and normalised."""
    out = []
    top = ins.parent if ins.parent is not None else ins
    for m in ins.mounts:
        target = m.target
        if not target:
            continue
        if "$" in target:
            target = ctx.model.expand(target, top) or target
        out.append((m.type, posixpath.normpath(target) if target.startswith("/") else target))
    return out


def cache_targets(ins, ctx) -> list[str]:
    """Targets of the cache and tmpfs mounts of a RUN: what is written there stays out of the layer."""
    return [t for kind, t in mounts(ins, ctx) if kind in ("cache", "tmpfs")]


def covers(target: str, path: str) -> bool:
    """Whether a mount on `target` holds `path` (the same directory or an ancestor of it)."""
    if not target.startswith("/"):
        return False
    path = posixpath.normpath(path)
    return path == target or path.startswith(target.rstrip("/") + "/")


# -- stages -----------------------------------------------------------------------------


def ends_in_image(stage, model) -> bool:
    """Whether a stage's layers end up in an image: the last stage, or the base of a later stage.

    A stage that later stages only `COPY --from` contributes files, not layers.
    RUN before any FROM counts when the file has no FROM at all.
    """
    if stage is None:
        return not model.stages
    if stage is model.stages[-1]:
        return True
    return any(s.parent is stage for s in model.stages)


def reaches_image(diagnostic, ctx) -> bool:
    """`Rule.keep` for findings that matter only when their stage's layers end up in an image,
    reported with `stage=<index>` (None before any FROM). Findings reported without it (in
    ONBUILD triggers, which run in whatever is built from the image) always stand."""
    data = diagnostic.data or {}
    if "stage" not in data:
        return True
    return ends_in_image(ctx.model.stages[data["stage"]] if data["stage"] is not None else None, ctx.model)


def path_text(value: str) -> str:
    """A path operand without a trailing `/` or `/*` (`/var/lib/apt/lists/*` -> `/var/lib/apt/lists`)."""
    v = value
    while v.endswith("/*") or (v.endswith("/") and len(v) > 1):
        v = v[:-2] if v.endswith("/*") else v[:-1]
    return posixpath.normpath(v) if v.startswith("/") else v


def word_span(first, last) -> Range:
    return Range(first.range.start, last.range.end)


# -- apt ----------------------------------------------------------------------------------

APT_SHORT_VALUES = "ocat"  # -o option, -c config file, -a host architecture, -t target release
APT_LONG_VALUES = ("option", "config-file", "host-architecture", "target-release", "default-release", "solver",
                   "planner")


def apt_subcommand(call: Call):
    """The subcommand word of an apt-get/apt/aptitude call (`install` of `apt-get -y install x`)."""
    return subcommand(call, APT_SHORT_VALUES, APT_LONG_VALUES)


def apt_install(call: Call):
    """(`install` word, package words) of an `apt-get install`, else None."""
    if call.basename != "apt-get":
        return None
    ops = call.operands(APT_SHORT_VALUES, APT_LONG_VALUES)
    if not ops or ops[0].value != "install":
        return None
    return ops[0], [w for w in ops[1:] if w.value != "install"]


def apt_options(call: Call) -> list[tuple[str, str]]:
    """(lower-cased key, value) of every `-o KEY=VALUE` (also `-oKEY=VALUE`, `--option[=]KEY=VALUE`)."""
    out = []
    args = call.args
    for i, a in enumerate(args):
        v = a.value
        if v == "--":
            break
        text = None
        if v in ("-o", "--option") and i + 1 < len(args):
            text = args[i + 1].value
        elif v.startswith("--option="):
            text = v[len("--option="):]
        elif v.startswith("-o") and not v.startswith("--") and len(v) > 2:
            text = v[2:]
        elif not a.is_flag and "::" in v and "=" in v:  # hadolint accepts the bare KEY=VALUE word too
            text = v
        if text and "=" in text:
            key, _, val = text.partition("=")
            out.append((key.strip().lower(), val.strip()))
    return out


FALSY = frozenset({"0", "false", "no", "off"})
TRUTHY = frozenset({"1", "true", "yes", "on"})


def apt_conf_written(ins, ctx, key: str, values: frozenset[str], found_calls: list | None = None) -> bool:
    """Whether `ins` writes an apt configuration line `KEY "VALUE";` with one of `values`.

    Looks at the arguments of every command of a RUN (`echo 'APT::Install-Recommends
    "0";' > /etc/apt/apt.conf.d/01norecommends`) and at heredoc contents (of RUN,
    COPY and ADD), comparing the key case-insensitively as apt does.
    """
    pattern = re.compile(re.escape(key) + r"""\s*["']?\s*([A-Za-z0-9]+)""", re.I)
    texts = []
    if ins.keyword == "RUN":
        for call in (found_calls if found_calls is not None else (calls(ins, ctx) or ())):
            texts.append(" ".join(a.value for a in call.args))
    heredocs = ins.heredocs or (ins.parent.heredocs if ins.parent is not None else [])
    texts.extend(h.content for h in heredocs)
    for text in texts:
        for m in pattern.finditer(text):
            if m.group(1).lower() in values:
                return True
    return False


class AptConfState:
    """Remembers, per stage, that an apt.conf setting was written (inherited by stages built FROM it).

    Rules call `note(ins, ctx)` for every RUN/COPY/ADD and ask `set_for(ctx)` before judging an install.
    """

    def __init__(self, rule, key: str, values: frozenset[str]) -> None:
        self.rule, self.key, self.values = rule, key, values

    def note(self, ins, ctx, found_calls=None) -> bool:
        if ctx.stage is None:
            return False
        if apt_conf_written(ins, ctx, self.key, self.values, found_calls):
            ctx.stage_state(self.rule)["apt-conf"] = True
            return True
        return False

    def set_for(self, ctx) -> bool:
        """Written earlier in the current stage, or anywhere in the stages it is built on."""
        stage = ctx.stage
        if stage is None:
            return False
        return bool(ctx.stage_state(self.rule, stage).get("apt-conf")) or self._inherited(ctx, stage)

    def _inherited(self, ctx, stage) -> bool:
        """Whether a stage `stage` is built on writes the setting, read from those stages'
        instructions: they may not have been checked in this lint (the language server replays
        the findings of unchanged stages), so their notes cannot be relied on. Computed once per
        stage, each from its parent's (a chain of thousands of stages stays linear)."""

        def inherited(s, below) -> bool:
            return bool(below) or (s.parent is not None and self._writes(ctx, s.parent))

        return along_chain(stage, ctx.state(self.rule).setdefault("inherited", {}), inherited)

    def _writes(self, ctx, stage) -> bool:
        st = ctx.stage_state(self.rule, stage)
        if "writes" not in st:
            st["writes"] = any(apt_conf_written(t, ctx, self.key, self.values)
                               for ins in stage.instructions for t in (ins, ins.trigger)
                               if t is not None and t.keyword in ("RUN", "COPY", "ADD"))
        return st["writes"]


# -- pip ----------------------------------------------------------------------------------

_PIP = lazy_pattern(r"^pip(\d+(\.\d+)*)?$")
_PYTHON = lazy_pattern(r"^python(\d+(\.\d+)*)?$")
PIP_SHORT_VALUES = "bcefirtC"
PIP_LONG_VALUES = (
    "abi", "build", "cache-dir", "cert", "client-cert", "config-settings", "constraint", "editable",
    "exists-action", "extra-index-url", "find-links", "global-option", "group", "implementation", "index-url",
    "install-option", "keyring-provider", "log", "no-binary", "only-binary", "platform", "prefix",
    "progress-bar", "proxy", "python", "python-version", "report", "requirement", "retries", "root",
    "root-user-action", "src", "target", "timeout", "trusted-host", "upgrade-strategy", "use-deprecated",
    "use-feature",
    # pipx
    "pip-args", "suffix", "spec", "preinstall", "backend",
)


@dataclass(slots=True)
class PipInstall:
    call: Call  # the command as written (`pip`, `python3 -m pip`)
    tool: str  # "pip" or "pipx"
    args: Call  # the pip part: name is the `pip` word (or the module word), args after it
    install: object  # the `install` word

    @property
    def name_range(self) -> Range:
        return word_span(self.call.name, self.args.name)

    def packages(self) -> list:
        return after(self.args.operands(PIP_SHORT_VALUES, PIP_LONG_VALUES), self.install)


def pip_install(call: Call) -> PipInstall | None:
    """A `pip install`, `pip3.12 install`, `python3 -m pip install` or `pipx install`, else None."""
    base = call.basename
    if _PIP.match(base) or base == "pipx":
        tool, part = ("pipx" if base == "pipx" else "pip"), call
    elif _PYTHON.match(base):
        module, rest = None, None
        args = call.args
        skip = False
        for i, a in enumerate(args):
            v = a.value
            if skip:
                skip = False
                continue
            if v in ("-W", "-X"):
                skip = True
                continue
            if v == "-m" and i + 1 < len(args):
                module, rest = args[i + 1], args[i + 2:]
                break
            if v.startswith("-m") and len(v) > 2:
                module, rest = a, args[i + 1:]
                break
            if not a.is_flag:
                return None  # a script: `python setup.py install`
        if module is None:
            return None
        mod = module.value[2:] if module.value.startswith("-m") else module.value
        if mod not in ("pip", "pipx"):
            return None
        tool, part = mod, Call(module, rest, call.env, call.exec_form, call.command)
    else:
        return None
    sub = subcommand(part, PIP_SHORT_VALUES, PIP_LONG_VALUES)
    if sub is None or sub.value != "install":
        return None
    return PipInstall(call, tool, part, sub)


# -- apk ----------------------------------------------------------------------------------

APK_SHORT_VALUES = "tXp"  # -t/--virtual NAME, -X/--repository URL, -p/--root DIR
APK_LONG_VALUES = ("virtual", "repository", "root", "arch", "keys-dir", "cache-dir", "repositories-file",
                   "progress-fd", "wait", "cache-max-age", "timeout")


def apk_add(call: Call):
    """(`add` word, package words) of an `apk add`, else None."""
    if call.basename != "apk":
        return None
    ops = call.operands(APK_SHORT_VALUES, APK_LONG_VALUES)
    if not ops or ops[0].value != "add":
        return None
    return ops[0], ops[1:]


# -- npm ----------------------------------------------------------------------------------

NPM_INSTALL = frozenset({"install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal",
                         "isntall", "add"})
NPM_SHORT_VALUES = "wC"  # -w/--workspace NAME, -C/--prefix DIR
NPM_LONG_VALUES = ("prefix", "registry", "loglevel", "omit", "include", "workspace", "cache", "userconfig",
                   "globalconfig", "tag", "install-strategy", "before", "otp", "fetch-timeout", "fetch-retries",
                   "scope", "only", "also", "proxy", "https-proxy", "location", "script-shell", "cpu", "os", "libc",
                   "network-concurrency", "maxsockets", "cafile", "ca", "auth-type")


def npm_install(call: Call):
    """(`install` word, package words) of `npm install`/`npm i`/`npm add`, else None."""
    if call.basename != "npm":
        return None
    ops = call.operands(NPM_SHORT_VALUES, NPM_LONG_VALUES)
    if not ops or ops[0].value not in NPM_INSTALL:
        return None
    return ops[0], ops[1:]


# -- gem ----------------------------------------------------------------------------------

# options with a required value (`--document [TYPES]`, `-p [URL]` take theirs only when attached)
GEM_SHORT_VALUES = "vinPsgC"  # -v VERSION, -i DIR, -n DIR, -P POLICY, -s URL, -g FILE, -C DIR
GEM_LONG_VALUES = ("version", "install-dir", "bindir", "build-root", "trust-policy", "platform", "source",
                   "config-file", "bulk-threshold", "without", "file")
# long options of `gem install` that take no value; any other long option is taken to have one
# (gem rejects unknown options anyway, and hadolint drops the word after every option)
GEM_BOOLEAN_LONG = frozenset({
    "no-document", "document", "env-shebang", "no-env-shebang", "force", "no-force", "wrappers", "no-wrappers",
    "ignore-dependencies", "format-executable", "no-format-executable", "user-install", "no-user-install",
    "development", "development-all", "conservative", "minimal-deps", "no-minimal-deps", "post-install-message",
    "no-post-install-message", "default", "explain", "lock", "no-lock", "suggestions", "no-suggestions", "vendor",
    "prerelease", "no-prerelease", "local", "remote", "both", "clear-sources", "verbose", "no-verbose", "quiet",
    "silent", "backtrace", "debug", "norc", "no-ri", "no-rdoc", "ri", "rdoc", "update-sources", "http-proxy",
    "no-http-proxy", "help", "install-as-default", "no-install-as-default",
})


def _gem_long_value(name: str) -> bool:
    return name in GEM_LONG_VALUES or name not in GEM_BOOLEAN_LONG


def gem_install(call: Call):
    """(`install` word, gem words before `--`) of `gem install`/`gem i`, else None."""
    if call.basename != "gem":
        return None
    ops = call.operands(GEM_SHORT_VALUES, _gem_long_value, stop_at_dashdash=True)
    if not ops or ops[0].value not in ("install", "i"):
        return None
    return ops[0], ops[1:]


# -- yarn ---------------------------------------------------------------------------------

YARN_LONG_VALUES = ("cwd", "cache-folder", "modules-folder", "global-folder", "link-folder", "mutex",
                    "network-timeout", "network-concurrency", "registry", "use-yarnrc", "proxy", "https-proxy",
                    "otp", "preferred-cache-folder", "child-concurrency", "scripts-prepend-node-path")


def yarn_operands(call: Call) -> list:
    return call.operands("", YARN_LONG_VALUES)


# -- words the shell analysis leaves as text --------------------------------------------------

_BRACE = lazy_pattern(r"\{([^{}]*,[^{}]*)\}")


def brace_expand(value: str, limit: int = 64) -> list[str]:
    """Bash brace expansion of a word (`/var/lib/{apt,dpkg}` -> two paths), innermost first."""
    out, todo = [], [value]
    while todo and len(out) + len(todo) <= limit:
        v = todo.pop(0)
        m = _BRACE.search(v)
        if not m:
            out.append(v)
            continue
        todo.extend(v[:m.start()] + part + v[m.end():] for part in m.group(1).split(","))
    return out + todo


SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})


def inline_script(call: Call) -> str | None:
    """The code string of `sh -c '...'` (also `bash -ec`, `sudo bash -c`), which is not analysed."""
    if call.basename not in SHELLS:
        return None
    for i, a in enumerate(call.args):
        v = a.value
        if not a.is_flag:
            return None
        if not v.startswith("--") and "c" in v[1:]:
            rest = [w for w in call.args[i + 1:] if not w.is_flag]
            return rest[0].value if rest else None
    return None


# -- the shape shared by the pinning rules (DL3008, DL3013, DL3016, DL3018, DL3028) ----------


class UnpinnedPackageRule(Rule):
    """Reports each package word of an install that carries no version.

    Subclasses give `package_words(call)` (the package words of an install call, or
    None when the call is not one) and `is_pinned(value)`. A word built from
    variables is judged by its known values; an unknown value counts as pinned.
    """

    visits = ("RUN",)
    onbuild = True
    message = ""

    def package_words(self, call):
        raise NotImplementedError

    @staticmethod
    def is_pinned(value: str) -> bool:
        raise NotImplementedError

    def check(self, ins, ctx):
        for call in calls(ins, ctx) or ():
            for word in self.package_words(call) or ():
                if self.is_pinned(word.value):
                    continue
                values = expand(word, ins, ctx)
                if values is None:
                    continue  # unknown value: may well hold the version
                bad = [v for v in values if not self.is_pinned(v)]
                if bad:
                    shown = ", ".join(f"`{v}`" for v in bad)
                    ctx.report(self, word.range, f"{self.message}: {shown} has no version")


class AptInstallOptionRule(Rule):
    """Reports `apt-get install` lacking an option that an apt.conf setting can also give.

    Subclasses set the apt.conf `conf_key` and the `conf_values` that count, the
    `option` text the fix inserts after `install` (and whether that is `fix_safe`),
    the `message`, and `has_option(call)`. An apt.conf line written by an earlier
    RUN/COPY/ADD of the stage chain settles it for the rest of the stage.
    """

    visits = ("RUN", "COPY", "ADD")
    onbuild = True
    conf_key = ""
    conf_values: frozenset = frozenset()
    option = ""
    fix_safe = True
    message = ""

    def has_option(self, call) -> bool:
        raise NotImplementedError

    def check(self, ins, ctx):
        conf = AptConfState(self, self.conf_key, self.conf_values)
        found = calls(ins, ctx) if ins.keyword == "RUN" else None
        written_here = conf.note(ins, ctx, found or [])
        if ins.keyword != "RUN" or written_here or conf.set_for(ctx):
            return
        for call in found or ():
            install = apt_install(call)
            if install is None or self.has_option(call):
                continue
            fix = None
            if not call.exec_form:  # JSON items cannot take an inserted word safely
                end = install[0].range.end
                fix = Fix((Edit(Range(end, end), " " + self.option),), safe=self.fix_safe,
                          title=f"Add {self.option}")
            ctx.report(self, call.name.range, self.message, fix=fix)
