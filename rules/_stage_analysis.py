"""Shared pieces of the stage, variable and ONBUILD rules (LL6001-LL6003, LL7001-LL7006).

- `stage_refs(ins)`: the stage references of an instruction as BuildKit resolves them
  (`COPY --from` by name or number, `RUN --mount from=` by name only), with positions;
- `dependencies(model)`: for each stage, the earlier stages it needs (FROM, COPY
  --from, RUN --mount from=, and the COPY/mount references of the ONBUILD triggers
  of its parent stage, which BuildKit runs in it); values with variables match
  every stage name that fits them;
- `reachable(model, roots)`: the stages those roots need, transitively;
- `shell_refs(script)`: the `$NAME` / `${NAME...}` expansions of a parsed shell
  script (tree-sitter), with ranges and whether a modifier handles an unset value;
  `assigned_names(script)`: the names the script itself sets (assignments, `for`,
  `read`, `export`/`local`/`declare`);
- `command_script(ins, model)`: the shell analysis of a shell-form CMD or
  ENTRYPOINT (lint/shell.py only analyses RUN);
- `lineage(stage, model)`: the stage and the earlier stages it is built on
  (including those a `FROM` with a variable may name);
- `maybe_image_env(name, stage, model)`: whether the base image may set the
  variable `name` itself (its FROM image uses it, or it is an environment variable
  official language images set, or it is named after the base image);
- `line_indent(ctx, line)`: the leading whitespace of a source line;
- `stage_by_ref(model, value)`: the stage BuildKit picks for a `--from` value.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from layerlint.ast import Pos, Range
from layerlint.shell import analyse, is_posix_shell
from layerlint.shellwords import referenced_names

from ._stage_sources import possible_parents, stage_chain
from layerlint.patterns import lazy_pattern

# set by most base images or by the container runtime
COMMON_VARIABLES = frozenset({"PATH", "HOME", "HOSTNAME", "TERM", "LANG", "LANGUAGE", "LC_ALL", "PWD", "SHELL",
                              "USER", "TZ", "OLDPWD", "UID", "EUID", "PPID", "RANDOM", "LINENO", "IFS", "PS1",
                              "OPTARG", "OPTIND", "BASH_VERSION", "SECONDS", "REPLY"})
# environment variables official language images set themselves (`FROM python` has PYTHON_VERSION)
IMAGE_ENV = frozenset({"GOPATH", "GOLANG_VERSION", "GOTOOLCHAIN", "JAVA_HOME", "JAVA_VERSION", "NODE_VERSION",
                       "YARN_VERSION", "PYTHON_VERSION", "PYTHON_SHA256", "PIP_VERSION", "GPG_KEY", "RUBY_VERSION",
                       "RUBY_MAJOR", "RUBY_DOWNLOAD_SHA256", "GEM_HOME", "BUNDLE_SILENCE_ROOT_WARNING",
                       "BUNDLE_APP_CONFIG", "PHP_VERSION", "PHP_INI_DIR", "PHP_URL", "PHP_SHA256", "NGINX_VERSION",
                       "NJS_VERSION", "PKG_RELEASE", "MAVEN_HOME", "MAVEN_CONFIG", "GRADLE_HOME",
                       "GRADLE_VERSION", "RUSTUP_HOME", "CARGO_HOME", "RUST_VERSION", "DOTNET_VERSION",
                       "ASPNET_VERSION", "DOTNET_RUNNING_IN_CONTAINER", "ERLANG_VERSION", "ELIXIR_VERSION",
                       "HTTPD_VERSION", "HTTPD_PREFIX", "CATALINA_HOME", "TOMCAT_VERSION", "PG_MAJOR",
                       "PG_VERSION", "PGDATA", "MYSQL_MAJOR", "MYSQL_VERSION", "MARIADB_VERSION", "REDIS_VERSION",
                       "MONGO_VERSION", "DEBIAN_FRONTEND", "NVIDIA_VISIBLE_DEVICES", "CUDA_VERSION", "LD_LIBRARY_PATH",
                       "VIRTUAL_ENV", "CONDA_DIR"})


# -- stage references -----------------------------------------------------------------------
@dataclass(slots=True)
class StageRef:
    value: str
    range: Range
    kind: str  # "copy" (COPY --from: name or number) or "mount" (RUN --mount from=: name only)
    ins: object


def stage_refs(ins) -> list[StageRef]:
    """`COPY --from` and `RUN --mount from=` values of one instruction (or trigger)."""
    out = []
    if ins.keyword == "COPY":
        flag = ins.flag("from")
        if flag is not None and flag.value:
            out.append(StageRef(flag.value, flag.value_range or flag.range, "copy", ins))
    elif ins.keyword == "RUN":
        for m in ins.mounts:
            if m.from_ and m.type != "tmpfs":
                out.append(StageRef(m.from_, m.range_of("from"), "mount", ins))
    return out


def stage_by_ref(model, value: str, kind: str = "copy"):
    """The stage BuildKit uses for a `--from` value: a stage name (any case), or for COPY a number."""
    low = value.lower()
    found = None
    for s in model.stages:
        if s.name == low:
            found = s  # BuildKit's map keeps the last stage of a name
    if found is None and kind == "copy" and value.isdigit() and int(value) < len(model.stages):
        found = model.stages[int(value)]
    return found


def _pattern(text: str) -> re.Pattern[str]:
    parts = re.split(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*", text.lower())
    return re.compile(".*".join(re.escape(p) for p in parts) + "$")


def _targets(model, value: str, kind: str) -> list:
    if "$" in value:
        if kind == "copy":
            return []  # BuildKit refuses variables in COPY --from
        pattern = _pattern(value)
        return [s for s in model.stages if s.name and pattern.match(s.name)]
    s = stage_by_ref(model, value, kind)
    return [s] if s is not None else []


def dependencies(model) -> dict[int, set[int]]:
    """Stage index -> indexes of the stages it needs."""
    out: dict[int, set[int]] = {}
    for stage in model.stages:
        deps: set[int] = set()
        for p in possible_parents(stage, model):
            deps.add(p.index)
        instructions = list(stage.instructions)
        if stage.parent is not None:  # the parent's ONBUILD triggers run in this stage
            instructions += [i.trigger for i in stage.parent.instructions
                             if i.keyword == "ONBUILD" and i.trigger is not None]
        for ins in instructions:
            for ref in stage_refs(ins):
                for t in _targets(model, ref.value, ref.kind):
                    if t is not stage:
                        deps.add(t.index)
        out[stage.index] = deps
    return out


def reachable(model, roots, deps: dict[int, set[int]] | None = None) -> set[int]:
    deps = dependencies(model) if deps is None else deps
    seen: set[int] = set()
    todo = [r.index for r in roots]
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        todo.extend(deps.get(i, ()))
    return seen


# -- shell variable references ------------------------------------------------------------
@dataclass(slots=True)
class ShellRef:
    name: str
    range: Range
    guarded: bool  # `${NAME:-x}`, `${NAME+x}`, `${NAME:?x}`, `${NAME:=x}`, or nested in one of them


_GUARDS = frozenset({"-", ":-", "+", ":+", "?", ":?", "=", ":="})
_NAME = lazy_pattern(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _pos(script, byte: int, end: bool = False) -> Pos:
    return script.smap.pos(script.to_char(byte), end=end)


def shell_refs(script) -> list[ShellRef]:
    out: list[ShellRef] = []
    if script is None or script.tree is None:
        return out
    data = script.data
    stack = [(script.tree.root_node, False)]
    while stack:
        node, guarded = stack.pop()
        t = node.type
        if t in ("simple_expansion", "expansion"):
            children = node.children
            name_node = next((c for c in children if c.type == "variable_name"), None)
            own_guard = t == "expansion" and any(c.type in _GUARDS for c in children)
            if name_node is not None:
                name = data[name_node.start_byte:name_node.end_byte].decode("utf-8", "replace")
                if _NAME.match(name):
                    raw = data[node.start_byte:node.end_byte]
                    start = node.start_byte + max(raw.find(b"$"), 0)
                    out.append(ShellRef(name, Range(_pos(script, start), _pos(script, node.end_byte, True)),
                                        guarded or own_guard))
            for c in reversed(children):
                stack.append((c, guarded or own_guard))
            continue
        for c in reversed(node.children):
            stack.append((c, guarded))
    out.sort(key=lambda r: r.range.start)
    return out


def assigned_names(script) -> set[str]:
    """Names the script sets itself: `X=1`, `for X in`, `read X`, `export X`, `local X`, `${X:=v}`."""
    names: set[str] = set()
    if script is None or script.tree is None:
        return names
    data = script.data

    def text(n) -> str:
        return data[n.start_byte:n.end_byte].decode("utf-8", "replace")

    stack = [script.tree.root_node]
    while stack:
        node = stack.pop()
        t = node.type
        if t == "variable_assignment":
            first = node.children[0] if node.children else None
            if first is not None and first.type in ("variable_name", "subscript"):
                names.add(text(first).split("[")[0])
        elif t in ("for_statement", "c_style_for_statement", "declaration_command", "unset_command"):
            for c in node.children:
                if c.type == "variable_name":
                    names.add(text(c))
        elif t == "expansion":
            ops = [c.type for c in node.children]
            if "=" in ops or ":=" in ops:
                for c in node.children:
                    if c.type == "variable_name":
                        names.add(text(c))
        elif t == "command":
            name = next((c for c in node.children if c.type == "command_name"), None)
            if name is not None and text(name) in ("read", "getopts", "mapfile", "readarray", "printf"):
                for c in node.children:
                    if c.type == "word" and _NAME.match(text(c)):
                        names.add(text(c))
        stack.extend(node.children)
    return names


def command_script(ins, model):
    """The shell analysis of a shell-form CMD or ENTRYPOINT, as if it were a RUN; None when not POSIX."""
    if ins.json or not ins.value or ins.args_range is None:
        return None
    shell = model.shell_at.get(id(ins if ins.parent is None else ins.parent))
    if shell is None or not is_posix_shell(shell):
        return None
    as_run = dataclasses.replace(ins, instruction="RUN", heredocs=[])
    return analyse(as_run, model)  # not cached: the copy's id is not stable


# -- stages and variables -------------------------------------------------------------------
def lineage(stage, model) -> list:
    out = []
    for s in stage_chain(stage):
        if s not in out:
            out.append(s)
        if s.parent is None:
            for p in possible_parents(s, model):
                out.extend(x for x in stage_chain(p) if x not in out)
    return out


def on_scratch(stage, model) -> bool:
    chain = lineage(stage, model)
    root = chain[-1]
    return root.parent is None and root.image.is_scratch and not root.image.has_variables \
        and not possible_parents(root, model)


def maybe_image_env(name: str, stage, model) -> bool:
    """The base image may set `name` itself, so an unset-looking reference may have a value."""
    if on_scratch(stage, model):
        return False
    if name in COMMON_VARIABLES:
        return True
    chain = lineage(stage, model)
    if name in IMAGE_ENV and not all(_plain_os(s) for s in chain if s.parent is None):
        return True
    for s in chain:
        if s.from_.words and name in referenced_names(s.from_.words[0].text):
            return True  # `FROM node:${NODE_VERSION}`: such images set a variable of that name
        if s.parent is None:
            repo = s.image.repository.rsplit("/", 1)[-1].lower()
            prefix = name.lower().split("_")[0]
            if repo and prefix and (repo.startswith(prefix) or prefix.startswith(repo.split("-")[0])):
                return True  # `NODE_...` with `FROM node`, `PYTHON_...` with `FROM python`
    return False


# bare operating system images: they set no language variables such as NODE_VERSION
_PLAIN_OS = frozenset({"alpine", "debian", "ubuntu", "busybox", "centos", "fedora", "rockylinux", "almalinux",
                       "amazonlinux", "archlinux", "oraclelinux", "photon", "scratch"})


def _plain_os(stage) -> bool:
    image = stage.image
    return not image.has_variables and image.registry is None and image.repository.lower() in _PLAIN_OS


def line_indent(ctx, line: int) -> str:
    text = ctx.dockerfile.lines[line] if line < len(ctx.dockerfile.lines) else ""
    return text[:len(text) - len(text.lstrip(" \t"))]
