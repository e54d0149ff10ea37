"""Shared pieces of the cache rules (LL2001-LL2008).

- `installs(ins, ctx)`: the package-manager and build-tool calls of a RUN,
  classified: what they install (`deps` from manifest files, `build` the
  project itself, `free` named packages, `system` OS packages, `local` a path
  of the context), which manifest files they read, which download cache they
  fill, and in which directory they run;
- `expand_text` / `workdir_of` / `resolve` / `under`: Dockerfile paths as
  BuildKit resolves them, `None` whenever a variable has no known value; a
  stage without WORKDIR runs in the base image's unknown working directory,
  written `BASE` here so that two paths relative to it can still be compared;
- `references(text, name)`: whether an instruction mentions a variable
  (`$NAME`, `${NAME...}`, `%NAME%`, `$env:NAME`);
- `is_per_build(name)`: names of values that change on every build
  (BUILD_DATE, GIT_COMMIT, VCS_REF ...);
- `uses_buildkit(ctx)`: the file opts into BuildKit syntax (`# syntax=`, `--mount`).
"""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass, field

from layerlint.ast import Range
from layerlint.rules._package_calls import (NPM_LONG_VALUES, NPM_SHORT_VALUES, PIP_LONG_VALUES, PIP_SHORT_VALUES,
                                         apk_add, apt_subcommand, calls, expand_shell_word, npm_install,
                                         pip_install, scope_values, yarn_operands)
from layerlint.rules._command_words import DNF_NAMES, rpm_command, zypper_command
from layerlint.shellwords import Lex, ShellLexError
from layerlint.patterns import lazy_pattern

BASE = "<base>"  # the working directory of the base image, unknown but the same for the whole stage

# -- variables ----------------------------------------------------------------------------

_PER_BUILD = lazy_pattern(
    r"^(?:BUILD_?(?:DATE|TIME|TIMESTAMP|NUMBER|NUM|ID)"
    r"|(?:GIT|VCS|SOURCE|SRC|CI|GITHUB|GITLAB|CI_COMMIT|BUILD)_?(?:COMMIT|REF|SHA|REVISION|HASH)(?:_?(?:SHA|SHORT|ID))?"
    r"|COMMIT_?(?:SHA|HASH|ID|REF)(?:_?SHORT)?|GIT_COMMIT_SHORT|CI_PIPELINE_ID|CI_JOB_ID|GITHUB_RUN_(?:ID|NUMBER)"
    r"|(?:BUILD|CREATED|IMAGE_CREATED)_?(?:AT|ON))$", re.I)


def is_per_build(name: str) -> bool:
    """A name whose value is, by convention, new on every build (a timestamp, a commit, a CI build number)."""
    return bool(_PER_BUILD.match(name.replace("-", "_").replace(".", "_")))


def references(text: str, name: str) -> bool:
    """Whether `text` refers to the variable `name` (shell, cmd or PowerShell syntax)."""
    if name not in text and name.lower() not in text.lower():  # PowerShell's `$env:` is case-insensitive
        return False
    plain, powershell = _reference_patterns(name)
    return bool(plain.search(text) or powershell.search(text))


@functools.lru_cache(maxsize=4096)  # one pair per variable name; `re`'s own cache holds only 512 patterns
def _reference_patterns(name: str) -> tuple[re.Pattern, re.Pattern]:
    n = re.escape(name)
    return (re.compile(rf"\${n}(?![A-Za-z0-9_])|\$\{{{n}(?![A-Za-z0-9_])|%{n}%"),
            re.compile(rf"\$env:{n}(?![A-Za-z0-9_])", re.I))


def expand_text(text: str, ins, ctx) -> str | None:
    """`text` with the ARG/ENV values in scope at `ins` substituted; None when one has no known value."""
    if "$" not in text:
        return text
    lex = Lex(ctx.dockerfile.escape)
    try:
        out = lex.process_word(text, scope_values(ins, ctx))
    except ShellLexError:
        return None
    return None if lex.unset else out


def uses_buildkit(ctx) -> bool:
    """The file asks for a Dockerfile frontend (`# syntax=`) or already uses `RUN --mount`."""
    key = ("uses-buildkit",)
    cache = ctx.model.shell_cache
    if key not in cache:
        doc = ctx.dockerfile
        found = doc.directive("syntax") is not None
        for ins in doc.instructions:
            for i in (ins, ins.trigger):
                if i is not None and i.mounts:
                    found = True
        cache[key] = found
    return cache[key]


# -- paths --------------------------------------------------------------------------------

_WINDOWS = lazy_pattern(r"^[A-Za-z]:|\\")


def resolve(path: str, cwd: str | None) -> str | None:
    """`path` made absolute against `cwd` (which may start with BASE); None when it cannot be."""
    if _WINDOWS.search(path):
        return None
    if path.startswith("/"):
        return posixpath.normpath(path) if path != "/" else "/"
    if cwd is None:
        return None
    joined = posixpath.normpath(posixpath.join(cwd, path))
    if cwd.startswith(BASE) and not joined.startswith(BASE):
        return None  # `..` above the unknown base directory
    return joined


def under(path: str, directory: str) -> bool:
    """`path` is `directory` or inside it."""
    if directory == "/":
        return path.startswith("/")
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def _chain(stage):
    out, seen = [], set()
    while stage is not None and id(stage) not in seen:
        seen.add(id(stage))
        out.append(stage)
        stage = stage.parent
    return list(reversed(out))


def workdir_of(ins, ctx) -> str | None:
    """The working directory at `ins` (BASE-relative when no WORKDIR set it); None when unknown."""
    top = ins.parent if ins.parent is not None else ins
    stage = ctx.stage_of(top)
    if stage is None:
        return None
    # one pass per stage and file: walking the chain for every instruction took quadratic time
    memo = ctx._state.setdefault("workdir_of", {})
    if id(stage) not in memo:
        cwd: str | None = BASE
        at: dict[int, str | None] = {}
        for s in _chain(stage):
            for i in s.instructions:
                at[id(i)] = cwd
                if i.keyword == "WORKDIR" and i.value:
                    value = expand_text(i.value[0], i, ctx)
                    cwd = None if value is None else resolve(value, cwd)
        memo[id(stage)] = (at, cwd)
    at, final = memo[id(stage)]
    return at.get(id(top), final)


def program_cwds(ins, ctx) -> dict:
    """id(program) -> the directory each program of a RUN starts in (None once a `cd` makes it unknown)."""
    out = {}
    cwd = workdir_of(ins, ctx)
    for call in calls(ins, ctx) or ():
        out[id(call)] = cwd
        if call.basename in ("cd", "pushd", "popd"):
            ops = call.positional
            if call.command is None or call.command.in_subshell or call.basename != "cd" or len(ops) != 1:
                cwd = None
            else:
                value = expand_shell_word(ops[0].value, ins, ctx)
                cwd = resolve(value, cwd) if value and value != "-" else None
    return out


# -- options ------------------------------------------------------------------------------


def option_values(args, wanted_short: str, wanted_long: tuple[str, ...], short_values: str = "",
                  long_values=()) -> list[tuple[str, str | None]]:
    """(option, value) of each wanted option: `-r x`, `-rx`, `-qr x`, `--requirement x`, `--requirement=x`.

    `short_values` and `long_values` list the other options that take a value, so
    that their values are skipped. A value that is missing is None.
    """
    out = []
    i = 0
    while i < len(args):
        v = args[i].value
        i += 1
        if v == "--":
            break
        if not args[i - 1].is_flag:
            continue
        if v.startswith("--"):
            name, eq, val = v[2:].partition("=")
            takes = name in wanted_long or (long_values(name) if callable(long_values) else name in long_values)
            if eq or not takes:
                if name in wanted_long:
                    out.append((name, val if eq else None))
                continue
            nxt = args[i].value if i < len(args) else None
            i += 1
            if name in wanted_long:
                out.append((name, nxt))
            continue
        letters = v[1:]
        for k, ch in enumerate(letters):
            if ch in wanted_short or ch in short_values:
                rest = letters[k + 1:]
                if rest:
                    val = rest
                else:
                    val = args[i].value if i < len(args) else None
                    i += 1
                if ch in wanted_short:
                    out.append((ch, val))
                break
    return out


def _has(call, *names: str) -> bool:
    """A long option (`--frozen`, `--dir=x`) or a short letter, alone or in a cluster, before `--`."""
    longs = [n for n in names if n.startswith("--")]
    shorts = "".join(n[1] for n in names if len(n) == 2 and n[0] == "-")
    return (bool(longs) and call.has_long_flag(*longs)) or any(call.has_short_flag(s) for s in shorts)


# -- installs -----------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Install:
    call: object  # Program
    words: tuple  # (first, last) words of the tool and its subcommand, for ranges
    tool: str  # how messages name it: `pip install`, `npm ci`
    ecosystem: str  # pip, uv, poetry, pipenv, npm, yarn, pnpm, bun, go, cargo, bundle, composer, maven, gradle, ...
    kind: str  # deps | build | free | local | system | other
    manifests: list[str] = field(default_factory=list)  # file names as messages show them (relative to `cwd`)
    copy: list[str] = field(default_factory=list)  # COPY sources bringing them in (globs for optional files)
    probes: list[str] = field(default_factory=list)  # paths (relative to the working directory) that must exist
    fixable: bool = True  # a `COPY <copy> <dest>` alone is enough to run the install
    elsewhere: bool = False  # an option or variable points the tool at another directory
    hint: str = ""  # for `build`: the dependency-only command to run first
    cache: tuple[str, ...] = ()  # download cache directories (for root)

    @property
    def range(self) -> Range:
        return Range(self.words[0].range.start, self.words[1].range.end)

    @property
    def family(self) -> str:
        return FAMILIES.get(self.ecosystem, self.ecosystem)


FAMILIES = {"pip": "python", "uv": "python", "poetry": "python", "pipenv": "python", "npm": "node", "yarn": "node",
            "pnpm": "node", "bun": "node"}

_PIP_REQ_LONG = ("requirement", "constraint", "editable", "override")
_UV_LONG_VALUES = ("directory", "project", "cache-dir", "python", "config-file", "color", "index-url",
                   "extra-index-url", "find-links", "index", "default-index", "group", "extra", "package",
                   "only-group", "no-group", "prerelease", "resolution", "index-strategy", "keyring-provider",
                   "python-platform", "python-version", "target", "prefix", "exclude-newer", "link-mode",
                   "refresh-package", "reinstall-package", "upgrade-package", "no-binary-package",
                   "no-build-package", "allow-insecure-host", "config-setting", "output-file", "script")
_ARCHIVE = lazy_pattern(r"\.(whl|tar\.gz|tgz|zip|tar\.bz2|tar\.xz)$", re.I)


def _local_path(value: str) -> bool:
    """A pip requirement naming a path of the build context (`.`, `./pkg`, `dist/x.whl`)."""
    v = value.strip()
    if "://" in v or v.startswith("git+") or "@" in v.split("/")[0]:
        return False
    if v in (".", "..") or v.startswith(("./", "../", "/", "file:")):
        return True
    return "/" in v or bool(_ARCHIVE.search(v))


def _pip_like(inst: Install, args, packages, ins, ctx, req_long=_PIP_REQ_LONG, short_values=PIP_SHORT_VALUES,
              long_values=PIP_LONG_VALUES) -> Install:
    reqs, editable, unknown = [], False, False
    for opt, val in option_values(args, "rce", req_long, short_values, long_values):
        if opt in ("e", "editable"):
            editable = True
            continue
        if val is None:
            continue
        value = expand_shell_word(val, ins, ctx)
        if value is None:
            unknown = True
            continue
        if "://" in value:
            continue
        reqs.append(value)
    if editable or any(_local_path(w.value) for w in packages):
        inst.kind = "local"
    elif reqs:
        inst.kind = "deps"
        inst.manifests = list(reqs)
        inst.copy = list(reqs)
        inst.probes = list(reqs)
        inst.fixable = not unknown
    elif unknown:
        inst.kind = "other"
    else:
        inst.kind = "free"
    return inst


def _files(inst: Install, manifests, copy, probe, fixable=True) -> Install:
    inst.manifests, inst.copy, inst.probes, inst.fixable = list(manifests), list(copy), [probe], fixable
    return inst


def _lock(name: str, required: bool) -> str:
    return name if required else name + "*"


_MVN_VALUES = frozenset({"-f", "--file", "-s", "--settings", "-gs", "--global-settings", "-P", "--activate-profiles",
                         "-pl", "--projects", "-T", "--threads", "-l", "--log-file", "-rf", "--resume-from", "-D",
                         "--define", "-t", "--toolchains", "-gt", "--global-toolchains", "-b", "--builder", "-e"})
_MVN_BUILD = frozenset({"package", "install", "verify", "compile", "test", "deploy", "test-compile", "integration-test",
                        "spring-boot:repackage", "quarkus:build", "jib:build", "jib:dockerBuild"})
_GRADLE_VALUES = frozenset({"-p", "--project-dir", "-b", "--build-file", "-c", "--settings-file", "-g",
                            "--gradle-user-home", "-I", "--init-script", "-x", "--exclude-task", "--max-workers",
                            "--console", "--warning-mode", "-D", "-P", "--priority", "--include-build"})
_GRADLE_BUILD = frozenset({"build", "assemble", "bootjar", "jar", "shadowjar", "installdist", "war", "bootwar",
                           "distzip", "disttar", "test", "check", "buildfatjar", "nativecompile", "bootdistzip",
                           "installbootdist", "quarkusbuild"})
_GRADLE_DEPS = frozenset({"dependencies", "androiddependencies", "resolvedependencies", "downloaddependencies",
                          "dependencyinsight"})


def _goals(call, values: frozenset) -> list[str] | None:
    """Operands of mvn/gradle (goals, tasks), skipping the values of options that take one."""
    out, skip = [], False
    for a in call.args:
        v = a.value
        if skip:
            skip = False
            continue
        if a.is_flag:
            if v in values:
                skip = True
            continue
        out.append(v)
    return out


def _last_operand(call, value: str):
    for a in reversed(call.args):
        if a.value == value:
            return a
    return call.name


def _classify(call, ins, ctx) -> Install | None:
    base = call.basename
    ops_cache: dict = {}

    def ops(short="", long=()):
        key = (short, long)
        if key not in ops_cache:
            ops_cache[key] = call.operands(short, long)
        return ops_cache[key]

    def make(last, tool, eco, kind="other", **kw) -> Install:
        return Install(call, (call.name, last), tool, eco, kind, **kw)

    # -- OS packages
    if base in ("apt-get", "apt", "aptitude"):
        sub = apt_subcommand(call)
        if sub is not None and sub.value in ("install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep",
                                             "reinstall", "satisfy"):
            return make(sub, f"{base} {sub.value}", "apt", "system", cache=("/var/cache/apt", "/var/lib/apt"))
        return None
    if base == "apk":
        found = apk_add(call)
        if found is not None:
            return make(found[0], "apk add", "apk", "system", cache=("/etc/apk/cache", "/var/cache/apk"))
        return None
    if base in ("yum",) + DNF_NAMES:
        rc = rpm_command(call)
        if rc.action in ("install", "upgrade", "update", "groupinstall", "group install", "groups install",
                         "reinstall", "downgrade", "distro-sync", "localinstall", "module install", "builddep"):
            cache = ("/var/cache/yum",) if base == "yum" else ("/var/cache/dnf", "/var/cache/libdnf5")
            return make(rc.action_word, f"{base} {rc.action}", "rpm", "system", cache=cache)
        return None
    if base == "zypper":
        zc = zypper_command(call)
        if zc.sub in ("install", "in", "update", "up", "dist-upgrade", "dup", "patch", "source-install", "si"):
            return make(zc.sub_word, f"zypper {zc.sub}", "zypper", "system", cache=("/var/cache/zypp",))
        return None
    # -- Python
    pi = pip_install(call)
    if pi is not None:
        inst = make(pi.install, "pip install", "pip", cache=("/root/.cache/pip",))
        return _pip_like(inst, pi.args.args, pi.packages(), ins, ctx)
    if base == "uv":
        o = ops("p", _UV_LONG_VALUES)
        if not o:
            return None
        elsewhere = _has(call, "--directory", "--project")
        cache = ("/root/.cache/uv",)
        if o[0].value == "sync":
            deps = _has(call, "--no-install-project", "--no-install-workspace")
            locked = _has(call, "--frozen", "--locked")
            inst = make(o[0], "uv sync", "uv", "deps" if deps else "build", elsewhere=elsewhere, cache=cache,
                        hint="`uv sync --no-install-project`")
            return _files(inst, ["pyproject.toml", "uv.lock"], ["pyproject.toml", _lock("uv.lock", locked)],
                          "pyproject.toml")
        if o[0].value == "pip" and len(o) > 1 and o[1].value in ("install", "sync"):
            inst = make(o[1], f"uv pip {o[1].value}", "uv", elsewhere=elsewhere, cache=cache)
            if o[1].value == "sync":
                files = [w.value for w in o[2:]]
                if files and all("$" not in f and "://" not in f for f in files):
                    inst.kind = "deps"
                    return _files(inst, files, files, files[0])
                return inst
            return _pip_like(inst, call.args, o[2:], ins, ctx, req_long=("requirement", "constraint", "constraints",
                                                                           "editable", "override"),
                             short_values="pcrefi", long_values=_UV_LONG_VALUES + ("requirement", "constraint",
                                                                                   "constraints", "override"))
        return None
    if base == "poetry":
        o = ops("CP", ("directory", "project"))
        if o and o[0].value in ("install", "sync"):
            deps = _has(call, "--no-root")
            inst = make(o[0], f"poetry {o[0].value}", "poetry", "deps" if deps else "build",
                        elsewhere=_has(call, "--directory", "--project", "-C", "-P"),
                        cache=("/root/.cache/pypoetry",), hint="`poetry install --no-root`")
            return _files(inst, ["pyproject.toml", "poetry.lock"], ["pyproject.toml", "poetry.lock*"],
                          "pyproject.toml")
        return None
    if base == "pipenv":
        o = ops()
        if o and o[0].value in ("install", "sync") and (o[0].value == "sync" or len(o) == 1):
            locked = o[0].value == "sync" or _has(call, "--deploy", "--ignore-pipfile")
            inst = make(o[0], f"pipenv {o[0].value}", "pipenv", "deps", cache=("/root/.cache/pipenv",))
            return _files(inst, ["Pipfile", "Pipfile.lock"], ["Pipfile", _lock("Pipfile.lock", locked)], "Pipfile")
        return None
    # -- JavaScript
    if base == "npm":
        o = ops(NPM_SHORT_VALUES, NPM_LONG_VALUES)
        elsewhere = _has(call, "--prefix", "-C") or "npm_config_prefix" in {k.lower() for k in call.env}
        nested = _has(call, "--workspace", "--workspaces", "-w")
        cache = ("/root/.npm",)
        if o and o[0].value in ("ci", "clean-install", "ic", "install-clean", "isntall-clean"):
            inst = make(o[0], f"npm {o[0].value}", "npm", "deps", elsewhere=elsewhere, cache=cache)
            return _files(inst, ["package.json", "package-lock.json"], ["package*.json"], "package.json",
                          fixable=not nested)
        found = npm_install(call)
        if found is not None:
            word, packages = found
            if packages:
                glob = _has(call, "--global", "-g") or any(
                    k.lower() == "npm_config_global" and v.lower() == "true" for k, v in call.env.items())
                return make(word, f"npm {word.value}", "npm", "free" if glob else "other", cache=cache)
            inst = make(word, f"npm {word.value}", "npm", "deps", elsewhere=elsewhere, cache=cache)
            return _files(inst, ["package.json", "package-lock.json"], ["package*.json"], "package.json",
                          fixable=not nested)
        return None
    if base == "yarn":
        o = yarn_operands(call)
        elsewhere = _has(call, "--cwd")
        cache = ("/usr/local/share/.cache/yarn",)
        if not o or (o[0].value == "install" and len(o) == 1):
            last = o[0] if o else call.name
            locked = _has(call, "--frozen-lockfile", "--immutable")
            inst = make(last, "yarn install" if o else "yarn", "yarn", "deps", elsewhere=elsewhere, cache=cache)
            return _files(inst, ["package.json", "yarn.lock"], ["package.json", _lock("yarn.lock", locked)],
                          "package.json")
        if o[0].value == "global" and len(o) > 1 and o[1].value == "add":
            return make(o[1], "yarn global add", "yarn", "free", cache=cache)
        return None
    if base == "pnpm":
        o = ops("C", ("dir", "filter", "store-dir", "reporter", "loglevel", "registry", "workspace-root"))
        elsewhere = _has(call, "--dir", "-C", "--filter")
        cache = ("/root/.local/share/pnpm/store",)
        if o and o[0].value in ("install", "i") and len(o) == 1:
            locked = _has(call, "--frozen-lockfile")
            inst = make(o[0], f"pnpm {o[0].value}", "pnpm", "deps", elsewhere=elsewhere, cache=cache)
            return _files(inst, ["package.json", "pnpm-lock.yaml"], ["package.json", _lock("pnpm-lock.yaml", locked)],
                          "package.json")
        if o and o[0].value == "fetch":
            inst = make(o[0], "pnpm fetch", "pnpm", "deps", elsewhere=elsewhere, cache=cache)
            return _files(inst, ["pnpm-lock.yaml"], ["pnpm-lock.yaml"], "pnpm-lock.yaml")
        if o and o[0].value in ("add", "install", "i") and _has(call, "--global", "-g"):
            return make(o[0], f"pnpm {o[0].value}", "pnpm", "free", cache=cache)
        return None
    if base == "bun":
        o = ops("", ("cwd", "cache-dir", "registry", "backend", "filter"))
        if o and o[0].value in ("install", "i") and len(o) == 1:
            inst = make(o[0], f"bun {o[0].value}", "bun", "deps", elsewhere=_has(call, "--cwd", "--filter"),
                        cache=("/root/.bun/install/cache",))
            return _files(inst, ["package.json", "bun.lock"], ["package.json", "bun.lock*"], "package.json")
        return None
    # -- Go, Rust
    if base == "go":
        o = ops("C", ())
        elsewhere = _has(call, "-C") or "GOFLAGS" in call.env
        if len(o) >= 2 and o[0].value == "mod" and o[1].value == "download":
            inst = make(o[1], "go mod download", "go", "deps", elsewhere=elsewhere, cache=("/go/pkg/mod",))
            return _files(inst, ["go.mod", "go.sum"], ["go.mod", "go.sum*"], "go.mod")
        if o and o[0].value in ("build", "install", "test", "generate", "get"):
            return make(o[0], f"go {o[0].value}", "go", "other", cache=("/go/pkg/mod", "/root/.cache/go-build"))
        return None
    if base == "cargo":
        o = ops("Zj", ("config", "manifest-path", "target", "features", "profile", "jobs", "package", "bin",
                       "target-dir", "color", "lockfile-path"))
        elsewhere = _has(call, "--manifest-path")
        cache = ("/usr/local/cargo/registry",)
        if o and o[0].value == "fetch":
            inst = make(o[0], "cargo fetch", "cargo", "deps", elsewhere=elsewhere, cache=cache)
            return _files(inst, ["Cargo.toml", "Cargo.lock"], [], "Cargo.toml", fixable=False)
        if o and o[0].value in ("build", "b", "install", "test", "t") and (
                o[0].value != "install" or _has(call, "--path")):
            inst = make(o[0], f"cargo {o[0].value}", "cargo", "build", elsewhere=elsewhere, cache=cache,
                        hint="`cargo fetch` (with a stub `src/main.rs`)")
            return _files(inst, ["Cargo.toml", "Cargo.lock"], [], "Cargo.toml", fixable=False)
        return None
    # -- Ruby, PHP
    if base in ("bundle", "bundler"):
        o = ops("j", ("gemfile", "jobs", "retry", "path", "without", "with", "binstubs", "shebang", "standalone",
                      "trust-policy", "target-rbconfig"))
        if not o or (o[0].value == "install" and len(o) == 1):
            elsewhere = _has(call, "--gemfile") or "BUNDLE_GEMFILE" in call.env
            inst = make(o[0] if o else call.name, f"{base} install" if o else base, "bundle", "deps",
                        elsewhere=elsewhere, cache=())
            return _files(inst, ["Gemfile", "Gemfile.lock"], ["Gemfile", "Gemfile.lock*"], "Gemfile")
        return None
    if base in ("gem",):
        o = ops()
        if o and o[0].value in ("install", "i"):
            return make(o[0], f"gem {o[0].value}", "gem", "free")
        return None
    if base in ("composer", "composer.phar"):
        o = ops("d", ("working-dir",))
        if o and o[0].value in ("install", "i") and len(o) == 1:
            inst = make(o[0], f"composer {o[0].value}", "composer", "deps", elsewhere=_has(call, "--working-dir", "-d"))
            return _files(inst, ["composer.json", "composer.lock"], ["composer.json", "composer.lock*"],
                          "composer.json")
        return None
    # -- JVM
    if base in ("mvn", "mvnw"):
        goals = _goals(call, _MVN_VALUES)
        if not goals or _has(call, "--offline", "-o"):
            return None
        elsewhere = _has(call, "--file", "-f")
        wrapper = base == "mvnw"
        files = ["pom.xml"] + (["mvnw", ".mvn/"] if wrapper else [])
        word = _last_operand(call, goals[-1])
        low = [g.lower() for g in goals]
        cache = ("/root/.m2",)
        if all(g.startswith("dependency:") or "go-offline" in g or g == "clean" for g in low) and any(
                g != "clean" for g in low):
            inst = make(word, f"{base} {goals[-1]}", "maven", "deps", elsewhere=elsewhere, cache=cache)
            return _files(inst, files, ["pom.xml"], "pom.xml", fixable=not wrapper)
        if any(g in _MVN_BUILD for g in low):
            inst = make(word, f"{base} {goals[-1]}", "maven", "build", elsewhere=elsewhere, cache=cache,
                        hint="`mvn dependency:go-offline`")
            return _files(inst, files, [], "pom.xml", fixable=False)
        return None
    if base in ("gradle", "gradlew"):
        tasks = _goals(call, _GRADLE_VALUES)
        if not tasks or _has(call, "--offline"):
            return None
        elsewhere = _has(call, "--project-dir", "-p", "--build-file", "-b", "--settings-file", "-c")
        wrapper = base == "gradlew"
        files = ["build.gradle(.kts)", "settings.gradle(.kts)"] + (["gradlew", "gradle/"] if wrapper else [])
        word = _last_operand(call, tasks[-1])
        low = [t.lower().lstrip(":") for t in tasks]
        cache = ("/root/.gradle",)
        if all(t in _GRADLE_DEPS or t == "clean" for t in low) and any(t != "clean" for t in low):
            inst = make(word, f"{base} {tasks[-1]}", "gradle", "deps", elsewhere=elsewhere, cache=cache)
            return _files(inst, files, ["build.gradle*", "settings.gradle*"], ".", fixable=not wrapper)
        if any(t in _GRADLE_BUILD for t in low):
            inst = make(word, f"{base} {tasks[-1]}", "gradle", "build", elsewhere=elsewhere, cache=cache,
                        hint="`gradle dependencies`")
            return _files(inst, files, [], ".", fixable=False)
        return None
    # -- others that install or build (for "expensive step" questions)
    if base in ("conda", "mamba", "micromamba"):
        o = ops()
        if o and o[0].value in ("install", "create", "update") or (len(o) > 1 and o[1].value in ("update", "create")):
            return make(o[0], f"{base} {o[0].value}", "conda", "system", cache=("/opt/conda/pkgs",))
        return None
    if base == "dotnet":
        o = ops()
        if o and o[0].value in ("restore", "build", "publish", "test"):
            return make(o[0], f"dotnet {o[0].value}", "dotnet", "other", cache=("/root/.nuget/packages",))
        return None
    if base in ("make", "gmake", "cmake", "ninja", "bazel", "bazelisk", "meson", "scons"):
        return make(call.name, base, base, "other")
    return None


def installs(ins, ctx) -> list[Install]:
    """The install and build calls of a RUN (or ONBUILD RUN), in order; cached per model."""
    key = ("installs", id(ins))
    cache = ctx.model.shell_cache
    if key not in cache:
        out = []
        for call in calls(ins, ctx) or ():
            inst = _classify(call, ins, ctx)
            if inst is not None:
                out.append(inst)
        cache[key] = out
    return cache[key]


# Programs that read no variable they are not told about (besides their own prefixed ones), so a
# RUN made only of them cannot use an ARG it does not mention.
INERT = frozenset({
    "apt-get", "apt", "aptitude", "apk", "yum", "dnf", "dnf5", "microdnf", "zypper", "dpkg", "rpm", "pip", "pip3",
    "rm", "mkdir", "rmdir", "chmod", "chown", "chgrp", "ln", "cp", "mv", "echo", "printf", "touch", "cat", "tar",
    "unzip", "gzip", "gunzip", "bzip2", "xz", "zstd", "curl", "wget", "sed", "grep", "cd", "ls", "find", "useradd",
    "adduser", "groupadd", "addgroup", "usermod", "update-ca-certificates", "locale-gen", "localedef", "ldconfig",
    "sha256sum", "sha512sum", "sha1sum", "md5sum", "gpg", "tee", "true", "false", "test", "[", "sleep", "mktemp",
    "install", "dirname", "basename", "which", "id", "whoami", "date", "git", "update-alternatives", "setcap",
    "debconf-set-selections", "apt-key", "add-apt-repository", "dpkg-reconfigure", "gem", "head", "tail", "sort",
    "uniq", "wc", "cut", "tr", "xargs", "pip3.8", "pip3.9", "pip3.10", "pip3.11", "pip3.12", "pip3.13",
})


def may_read_environment(ins, ctx) -> bool:
    """Whether a RUN may read an ARG without naming it: it runs a script, a build tool, or unknown code."""
    found = calls(ins, ctx)
    if found is None:
        return True
    for call in found:
        name = call.name.value
        if "$" in name or "`" in name:
            return True
        if call.basename not in INERT:
            return True
    return False
