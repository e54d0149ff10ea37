"""Programs a RUN starts, for batch C's command-name rules (DL3001, DL3003, DL3004, DL3010, DL4001, DL4005).

`invocations(ins, model)` turns a RUN (or ONBUILD RUN) into the programs it runs:

- shell form: every simple command of `layerlint.shell.commands`, with the
  wrappers ShellCheck (and so hadolint) sees through resolved to the program
  they run: `command prog`, `builtin prog`, `busybox prog` (when the first
  argument is not an option), `exec [-cl] [-a name] prog`, and `time [-p] prog`
  (a keyword in bash, a plain command to tree-sitter-bash);
- exec form (`RUN ["sudo", "ls"]`): the first JSON item is the program, the
  others its arguments; no shell is involved, so there are no pipes;
- None when the RUN is shell code for a non-POSIX shell (PowerShell, cmd).

Programs are matched by basename (`/usr/bin/sudo` is `sudo`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from layerlint.ast import Range
from layerlint.shell import Command, commands

_PLAIN_WRAPPERS = ("command", "builtin", "busybox")


@dataclass(slots=True)
class Arg:
    value: str  # unquoted where the quoting is plain
    range: Range
    is_flag: bool


@dataclass(slots=True)
class Invocation:
    name: str  # the program word's value
    basename: str
    range: Range  # of the program word
    args: list[Arg]
    command: Command | None  # the simple command (None for exec form)

    @property
    def positional(self) -> list[Arg]:
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


def _basename(value: str) -> str:
    return os.path.basename(value.rstrip("/")) if value not in ("", "/") else value


def _unwrap(name: Arg, args: list[Arg]) -> tuple[Arg, list[Arg]]:
    for _ in range(8):  # `exec command busybox top` at most a few levels deep
        base = _basename(name.value)
        rest = args
        if base in _PLAIN_WRAPPERS:
            if not rest or rest[0].is_flag:
                break
        elif base == "exec":
            i = 0
            while i < len(rest) and rest[i].is_flag and rest[i].value != "--":
                i += 2 if rest[i].value.endswith("a") else 1  # `-a NAME`, also in `-ca NAME`
            if i < len(rest) and rest[i].value == "--":
                i += 1
            if i >= len(rest):
                break
            rest = rest[i:]
        elif base == "time":
            while rest and rest[0].value in ("-p", "--"):
                rest = rest[1:]
            if not rest:
                break
        else:
            break
        name, args = rest[0], rest[1:]
    return name, args


def _invocation(name: Arg, args: list[Arg], command: Command | None) -> Invocation:
    name, args = _unwrap(name, args)
    return Invocation(name.value, _basename(name.value), name.range, args, command)


def invocations(ins, model) -> list[Invocation] | None:
    """The programs `ins` runs (see the module docstring); None when they cannot be known."""
    if ins.keyword != "RUN":
        return None
    if ins.json:
        if not ins.words or len(ins.words) != len(ins.value):
            return []
        items = [Arg(w.text, w.range, w.text.startswith("-") and w.text != "-") for w in ins.words]
        return [_invocation(items[0], items[1:], None)]
    script = commands(ins, model)
    if script is None:
        return None
    out = []
    for cmd in script.commands:
        name = Arg(cmd.name.value, cmd.name.range, False)
        args = [Arg(a.value, a.range, a.is_flag) for a in cmd.args]
        out.append(_invocation(name, args, cmd))
    return out
