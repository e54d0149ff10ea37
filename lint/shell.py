"""Shell analysis of RUN: the shared step that turns shell text into positioned commands.

One parse per RUN, cached on the model, with tree-sitter-bash (a real, maintained
bash grammar in C; judged against bashlex, which fails on heredocs, `case` and many
real RUN lines and gives no error recovery). Rules ask for `commands(ins, model)`
and never split shell text themselves.

What is analysed, and as what:

- shell-form RUN (also under ONBUILD): the command text exactly as BuildKit hands it
  to the shell (continuations joined, comment lines removed), plus heredoc bodies
  that the shell itself reads, re-assembled after the line as BuildKit does;
- a heredoc body is shell code only when the RUN's command is the heredoc alone
  (`RUN <<EOF`, unless the body starts with a non-shell `#!`) or a shell reading it
  (`RUN bash <<EOF`, `RUN <<EOF sh -e`); `RUN python3 <<EOF` or `RUN cat <<EOF >f`
  bodies are data and are not analysed (hadolint lints them as shell);
- nothing is analysed when the active SHELL (or a `# hadolint shell=` pragma) is
  not a POSIX shell (PowerShell, cmd), or for exec-form RUN.

Every word keeps its exact range in the Dockerfile.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .ast import Instruction, Pos, Range
from .lines import map_offset
from .patterns import lazy_pattern

POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})
NON_POSIX = ("pwsh", "powershell", "cmd")
_WORDLIKE = frozenset({"word", "string", "raw_string", "concatenation", "simple_expansion", "expansion",
                       "number", "ansi_c_string", "translated_string", "command_substitution"})


@lru_cache(maxsize=1)
def _parser():
    from tree_sitter import Language, Parser

    return Parser(Language(_bash_language()))


def _bash_language():
    """tree-sitter-bash's language pointer. Its compiled module is loaded on its own: the
    package's __init__ imports importlib.resources (pathlib, tempfile, shutil, urllib) for a
    query file we never read, ~11 ms of a ~110 ms cold start. Anything unexpected in the
    package's layout: the documented import."""
    import importlib.machinery
    import importlib.util

    try:
        spec = importlib.util.find_spec("tree_sitter_bash")
        folder = os.path.dirname(spec.origin) if spec is not None and spec.origin else None
        suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
        name = next(f for f in os.listdir(folder) if f.startswith("_binding.") and f.endswith(suffixes))
        path = os.path.join(folder, name)
        loader = importlib.machinery.ExtensionFileLoader("tree_sitter_bash._binding", path)
        binding = importlib.util.module_from_spec(
            importlib.util.spec_from_file_location("tree_sitter_bash._binding", path, loader=loader))
        loader.exec_module(binding)
        return binding.language()
    except Exception:  # noqa: BLE001 - any surprise: the package's own way
        import tree_sitter_bash

        return tree_sitter_bash.language()


class _SourceMap:
    """Offsets in the analysed script -> positions in the Dockerfile."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.keys: list[int] = []
        self.anchors: list[Pos] = []
        self.length = 0
        self.breaks: set[int] = set()  # offsets of the line breaks

    def add(self, text: str, start: Pos | None) -> None:
        if start is not None:
            self.keys.append(self.length)
            self.anchors.append(start)
        at = text.find("\n")
        while at >= 0:
            self.breaks.add(self.length + at)
            at = text.find("\n", at + 1)
        self.parts.append(text)
        self.length += len(text)

    def pos(self, offset: int, end: bool = False) -> Pos:
        if end and offset - 1 in self.breaks:  # a range ends before a line break, not after it
            offset -= 1
        return map_offset(self.keys, self.anchors, offset, end)

    def text(self) -> str:
        return "".join(self.parts)


class ShellWord:
    """A word of a shell command; its value and range are computed on first use."""

    __slots__ = ("text", "kind", "_node", "_data", "_span", "_smap", "_value", "_range")

    def __init__(self, node, data: bytes, span: tuple[int, int], smap: _SourceMap) -> None:
        self.text = data[node.start_byte:node.end_byte].decode("utf-8", "replace")  # as written
        self.kind = node.type  # tree-sitter node type: word, string, raw_string, concatenation, ...
        self._node, self._data, self._span, self._smap = node, data, span, smap
        self._value: str | None = None
        self._range: Range | None = None

    @property
    def value(self) -> str:
        """Quotes removed where they are plain; expansions kept as written."""
        if self._value is None:
            self._value = _unquote(self._node, self._data)
        return self._value

    @property
    def range(self) -> Range:
        if self._range is None:
            a, b = self._span
            self._range = Range(self._smap.pos(a), self._smap.pos(b, end=True))
        return self._range

    @property
    def is_flag(self) -> bool:
        return self.text.startswith("-") and self.value.startswith("-") and self.value != "-"

    def __repr__(self) -> str:
        return f"ShellWord({self.text!r})"


@dataclass(slots=True)
class Command:
    """A simple command: `[NAME=value ...] name args... [redirections]`."""

    name: ShellWord
    args: list[ShellWord]
    assignments: list[ShellWord]
    range: Range
    in_pipeline: bool = False
    in_subshell: bool = False  # inside `( ... )`, `$( ... )` or `<( ... )`: a `cd` there does not leak

    @property
    def basename(self) -> str:
        return os.path.basename(self.name.value)

    @property
    def flags(self) -> list[ShellWord]:
        return [a for a in self.args if a.is_flag]

    @property
    def positional(self) -> list[ShellWord]:
        return [a for a in self.args if not a.is_flag]

    def has_flag(self, *names: str) -> bool:
        """`-y`, `--yes`, `--opt=value`; short letters also match inside combined flags (`-qy`)."""
        for a in self.args:
            v = a.value
            if v == "--":
                break
            for n in names:
                if n.startswith("--"):
                    if v == n or v.startswith(n + "="):
                        return True
                elif len(n) == 2 and v.startswith("-") and not v.startswith("--") and n[1] in v[1:]:
                    return True
        return False

    def arg_values(self) -> list[str]:
        return [a.value for a in self.args]


@dataclass(slots=True)
class ShellScript:
    instruction: Instruction
    commands: list[Command] = field(default_factory=list)
    has_pipe: bool = False
    source: str = ""
    errors: list[Range] = field(default_factory=list)
    smap: _SourceMap | None = None  # offsets in `source` -> Dockerfile positions
    tree: object = None  # the tree-sitter parse of `source`, for analyses beyond simple commands
    data: bytes = b""  # `source` as UTF-8, what tree-sitter's byte offsets refer to
    to_char: object = None  # byte offset in `data` -> offset in `source`
    _programs: list | None = None  # see script_programs()

    def node_text(self, node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def node_range(self, node) -> Range:
        """A tree-sitter node's range in the Dockerfile."""
        return Range(self.smap.pos(self.to_char(node.start_byte)), self.smap.pos(self.to_char(node.end_byte), end=True))

    def commands_named(self, *names: str) -> list[Command]:
        return [c for c in self.commands if c.basename in names]


def shell_of(ins: Instruction, model) -> tuple[str, ...]:
    """The shell that runs `ins`: the stage's SHELL, overridden by a `# hadolint shell=` pragma."""
    target = ins.parent if ins.parent is not None else ins
    return model.shell_at.get(id(target), ("/bin/sh", "-c"))


def is_posix_shell(shell: tuple[str, ...]) -> bool:
    name = os.path.basename(shell[0]).lower() if shell else "sh"
    if name.endswith(".exe"):
        name = name[:-4]
    return not any(n in name for n in NON_POSIX)


_OPENER = lazy_pattern(r"(?<!\S)\d*<<-?(?:'[^']*'|\"[^\"]*\"|[^\s<]+)")
_SHEBANG = lazy_pattern(r"^#!\s*(\S+)(?:\s+(\S+))?")


def _body_is_shell(body: str) -> bool:
    m = _SHEBANG.match(body)
    if not m:
        return True
    prog = os.path.basename(m.group(1))
    if prog == "env" and m.group(2):
        prog = os.path.basename(m.group(2))
    return prog in POSIX_SHELLS


def _reads_body_as_shell(line: str) -> bool:
    """RUN `<<EOF`, `bash <<EOF`, `<<EOF sh -ex`: the shell reads the heredoc as code."""
    words = _OPENER.sub(" ", line).split()
    if not words:
        return True
    if os.path.basename(words[0]) not in POSIX_SHELLS:
        return False
    rest = words[1:]
    while rest:  # only options may follow: `bash -e`, `sh -eux`, `bash -o pipefail`
        w = rest.pop(0)
        if w[:1] not in "-+" or "c" in w[1:]:  # an operand or `-c STRING`: stdin is not the script
            return False
        if w in ("-o", "+o") and rest:
            rest.pop(0)
    return True


def analyse(ins: Instruction, model) -> ShellScript | None:
    """Parse the shell code of a RUN (or ONBUILD RUN); None when it is not POSIX shell."""
    if ins.keyword != "RUN" or ins.json or not ins.value or ins.args_range is None:
        return None
    if not is_posix_shell(shell_of(ins, model)):
        return None
    smap = _SourceMap()
    line = ins.value[0]
    heredocs = ins.heredocs if ins.heredocs else (ins.parent.heredocs if ins.parent is not None else [])
    if heredocs:
        # The shell sees each body after the line; the bodies are re-assembled as
        # separate lines and the `<<EOF` openers blanked (same length, so positions hold).
        shell_reads = _reads_body_as_shell(line)
        line = _OPENER.sub(lambda m: " " * len(m.group()), line)
    _add_logical(smap, ins, line)
    for h in heredocs:
        smap.add("\n", None)
        if shell_reads and _body_is_shell(h.content):
            _add_body(smap, h.content, h.body.start)
        else:  # data for another program (cat, python3, tee ...): not shell code
            _add_body(smap, re.sub(r"[^\n]", " ", h.content), h.body.start)
    source = smap.text()
    data = source.encode("utf-8", "surrogatepass")
    tree = _parser().parse(data)
    to_char = _byte_to_char(source, data)
    script = ShellScript(ins, source=source, smap=smap, tree=tree, data=data, to_char=to_char)
    _collect(tree.root_node, script, smap, to_char, data)
    return script


def _add_logical(smap: _SourceMap, ins: Instruction, line: str) -> None:
    """Map the command text (a slice of the logical line) through the line's anchors."""
    top = ins.parent if ins.parent is not None else ins
    anchors = top.offsets
    start = ins.args_offset
    end = start + len(line)
    for k, (off, pos) in enumerate(anchors):
        nxt = anchors[k + 1][0] if k + 1 < len(anchors) else end
        a, b = max(off, start), min(nxt, end)
        if a < b:
            smap.add(line[a - start:b - start], Pos(pos.line, pos.column + a - off))


def _add_body(smap: _SourceMap, content: str, start: Pos) -> None:
    # split on "\n" only, as the Dockerfile's lines are (str.splitlines also breaks at \v, \f,
    # \x85, U+2028 ..., which put positions on the wrong line, past the end of the file)
    pieces = content.split("\n")
    for k, piece in enumerate(pieces):
        text = piece + "\n" if k < len(pieces) - 1 else piece
        if text:
            smap.add(text, Pos(start.line + k, 0))


def _byte_to_char(source: str, data: bytes):
    if len(data) == len(source):
        return lambda b: b
    starts = []
    for i, ch in enumerate(source):
        starts.extend([i] * len(ch.encode("utf-8", "surrogatepass")))
    starts.append(len(source))
    return lambda b: starts[min(b, len(starts) - 1)]


def _word(node, smap: _SourceMap, to_char, data: bytes) -> ShellWord:
    return ShellWord(node, data, (to_char(node.start_byte), to_char(node.end_byte)), smap)


def _unquote(node, data: bytes) -> str:
    t = node.type
    raw = data[node.start_byte:node.end_byte].decode("utf-8", "replace")
    if t == "raw_string":
        return raw[1:-1]
    if t == "string":
        return raw[1:-1] if len(raw) >= 2 else raw
    if t == "word":
        return re.sub(r"\\(.)", r"\1", raw)
    if t == "concatenation":
        return "".join(_unquote(c, data) for c in node.children)
    return raw


_SUBSHELLS = frozenset({"subshell", "command_substitution", "process_substitution"})
_PIPE_CARRIERS = frozenset({"pipeline", "redirected_statement", "command", "negated_command"})


def _collect(node, script: ShellScript, smap, to_char, data) -> None:
    stack = [(node, False, False)]
    while stack:
        n, in_pipe, in_sub = stack.pop()
        t = n.type
        if t == "ERROR":
            a, b = to_char(n.start_byte), to_char(n.end_byte)
            script.errors.append(Range(smap.pos(a), smap.pos(b, end=True)))
        if t == "pipeline":
            if any(c.type in ("|", "|&") for c in n.children):
                script.has_pipe = True
                in_pipe = True
        in_sub = in_sub or t in _SUBSHELLS
        if t == "command":
            cmd = _command(n, smap, to_char, data, in_pipe)
            if cmd is not None:
                cmd.in_subshell = in_sub
                script.commands.append(cmd)
        for c in reversed(n.children):
            stack.append((c, in_pipe and t in _PIPE_CARRIERS, in_sub))
    script.commands.sort(key=lambda c: c.range.start)


def _command(n, smap, to_char, data, in_pipe: bool) -> Command | None:
    name = None
    args: list[ShellWord] = []
    assigns: list[ShellWord] = []
    for c in n.children:
        if c.type == "command_name":
            inner = c.children[0] if c.children else c
            name = _word(inner, smap, to_char, data)
        elif c.type == "variable_assignment" and name is None:
            assigns.append(_word(c, smap, to_char, data))
        elif name is not None and c.type in _WORDLIKE:
            args.append(_word(c, smap, to_char, data))
    if name is None:
        return None
    a, b = to_char(n.start_byte), to_char(n.end_byte)
    return Command(name, args, assigns, Range(smap.pos(a), smap.pos(b, end=True)), in_pipe)


def commands(ins: Instruction, model) -> ShellScript | None:
    """The shell analysis of a RUN instruction (see `analyse`), computed once per model."""
    key = id(ins)
    if key not in model.shell_cache:
        model.shell_cache[key] = analyse(ins, model)
    return model.shell_cache[key]


# -- programs: what a RUN actually starts ------------------------------------------------------

@dataclass(slots=True)
class ExecWord:
    """An exec-form JSON item, shaped like a ShellWord (`text` is the decoded item)."""

    text: str
    value: str
    range: Range

    @property
    def is_flag(self) -> bool:
        return self.value.startswith("-") and self.value != "-"


# Commands that run another program given as an operand, and their options that take a
# value (short letters, long names). `RUN sudo -u app apt-get install x` runs apt-get.
WRAPPERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sudo": ("ugUCDhprtTR", ("user", "group", "other-user", "close-from", "chdir", "host", "prompt", "role",
                              "type", "command-timeout", "chroot")),
    "doas": ("uC", ()),
    "env": ("uCS", ("unset", "chdir", "split-string")),
    "command": ("", ()),
    "builtin": ("", ()),
    "busybox": ("", ()),
    "exec": ("a", ()),
    "nohup": ("", ()),
    "time": ("fo", ("format", "output")),
    "nice": ("n", ("adjustment",)),
    "timeout": ("sk", ("signal", "kill-after")),
    "eatmydata": ("", ()),
    "fakeroot": ("lsib", ("lib", "faked")),
}
_ASSIGNMENT = lazy_pattern(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)


def _skip_options(args: list, value_short: str = "", value_long: tuple[str, ...] = ()) -> int:
    """Index of the first operand of a wrapper's arguments (after a `--`)."""
    i = 0
    while i < len(args):
        v = args[i].value
        if v == "--":
            return i + 1
        if not args[i].is_flag:
            return i
        if v.startswith("--"):
            i += 2 if ("=" not in v and v[2:] in value_long) else 1
            continue
        i += 2 if (len(v) > 1 and v[-1] in value_short) else 1
    return i


def unwrap(name, args: list, env: dict[str, str]):
    """Look through wrappers: (program word or None, its arguments, wrapper words passed).

    None when the wrapper runs nothing (`command -v apt-get` only looks it up, or no
    program follows); `env`/`sudo` assignments (`env A=1 prog`) are added to `env`.
    """
    wrappers = []
    for _ in range(8):
        base = os.path.basename(name.value)
        spec = WRAPPERS.get(base)
        if spec is None:
            break
        if base == "command" and args[:1] and args[0].value in ("-v", "-V"):
            return None, [], wrappers
        if base in ("busybox", "builtin") and (not args or args[0].is_flag):
            break  # `busybox --list`: busybox itself
        i = _skip_options(args, *spec)
        if base in ("sudo", "env", "doas"):
            while i < len(args) and (m := _ASSIGNMENT.match(args[i].value)):
                env[m.group(1)] = m.group(2)
                i += 1
        if base == "timeout" and i < len(args):
            i += 1  # the duration
        if i >= len(args):
            return None, [], wrappers
        wrappers.append(name)
        name, args = args[i], args[i + 1:]
    return name, args, wrappers


@dataclass(slots=True, eq=False)
class Program:
    """One program a RUN starts: its name word and arguments, wrappers looked through."""

    name: object  # ShellWord or ExecWord
    args: list
    env: dict[str, str] = field(default_factory=dict)  # NAME=value given inline or through `env`
    exec_form: bool = False
    command: Command | None = None  # the simple command it comes from (None for exec form)
    wrappers: list = field(default_factory=list)  # `sudo`, `env`, ... words looked through
    basename: str = ""  # the program's name without its directory, set on creation

    def __post_init__(self) -> None:
        v = self.name.value
        self.basename = os.path.basename(v.rstrip("/")) if v not in ("", "/") else v

    @property
    def range(self) -> Range:
        return self.name.range

    @property
    def positional(self) -> list:
        return [a for a in self.args if not a.is_flag]

    def has_short_flag(self, letter: str) -> bool:
        """`-x` alone or inside a cluster such as `-xzf`, before any `--`."""
        for a in self.args:
            if a.value == "--":
                return False
            if a.is_flag and not a.value.startswith("--") and letter in a.value[1:]:
                return True
        return False

    def has_long_flag(self, *names: str) -> bool:
        for a in self.args:
            if a.value == "--":
                return False
            if any(a.value == n or a.value.startswith(n + "=") for n in names):
                return True
        return False

    def options(self, short_values: str = "") -> list[str]:
        """Option names before `--`: each letter of a short cluster (a letter from
        `short_values` ends it, its value following) and each long name without its value."""
        out = []
        for a in self.args:
            v = a.value
            if v == "--":
                break
            if not a.is_flag:
                continue
            if v.startswith("--"):
                out.append(v[2:].partition("=")[0])
                continue
            for ch in v[1:]:
                if ch == "=":
                    break
                out.append(ch)
                if ch in short_values:
                    break
        return out

    def operands(self, short_values: str = "", long_values=(), *, stop_at_dashdash: bool = False) -> list:
        """Arguments that are not options, skipping the values of value-taking options.

        `short_values` lists the letters of short options that take a value (`-t x`,
        `-tx`, `-yt x`), `long_values` the long names (`--target x`) or a predicate on
        the name. After `--` every word is an operand, or the list stops there.
        """
        out = []
        skip = False
        args = self.args
        i = 0
        while i < len(args):
            a = args[i]
            v = a.value
            i += 1
            if skip:
                skip = False
                continue
            if v == "--":
                if not stop_at_dashdash:
                    out.extend(args[i:])
                break
            if not a.is_flag:
                out.append(a)
                continue
            if v.startswith("--"):
                if "=" not in v and (long_values(v[2:]) if callable(long_values) else v[2:] in long_values):
                    skip = True
                continue
            letters = v[1:]
            for k, ch in enumerate(letters):
                if ch in short_values:
                    if k == len(letters) - 1:
                        skip = True
                    break  # the rest of the cluster is the value (`-Xhttp://...`)
        return out


def _strip_quotes(s: str) -> str:
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    return s


def programs(ins: Instruction, model, *, exec_form: bool = True) -> list[Program] | None:
    """The programs a RUN (or ONBUILD RUN) starts, computed once per model.

    Shell form: every simple command, wrappers looked through. Exec form: the JSON
    items (no shell involved) unless `exec_form=False`. None when the RUN is shell
    code for a non-POSIX shell, or not a RUN.
    """
    if ins.keyword != "RUN":
        return None
    key = ("programs", id(ins))
    cache = model.shell_cache
    if key not in cache:
        cache[key] = _programs(ins, model)
    found = cache[key]
    if not exec_form and ins.json:
        return []
    return found


def _programs(ins: Instruction, model) -> list[Program] | None:
    if ins.json:
        if not ins.words or len(ins.words) != len(ins.value):
            return []
        items = [ExecWord(w.text, w.text, w.range) for w in ins.words]
        env: dict[str, str] = {}
        name, args, wrappers = unwrap(items[0], items[1:], env)
        return [] if name is None else [Program(name, args, env, True, None, wrappers)]
    script = commands(ins, model)
    return None if script is None else script_programs(script)


def script_programs(script: ShellScript) -> list[Program]:
    """The programs of a shell script's simple commands, wrappers looked through (cached)."""
    if script._programs is not None:
        return script._programs
    out = []
    for cmd in script.commands:
        env = {}
        for a in cmd.assignments:
            m = _ASSIGNMENT.match(a.text)
            if m:
                env[m.group(1)] = _strip_quotes(m.group(2))
        name, args, wrappers = unwrap(cmd.name, list(cmd.args), env)
        if name is not None:
            out.append(Program(name, args, env, False, cmd, wrappers))
    script._programs = out
    return out
