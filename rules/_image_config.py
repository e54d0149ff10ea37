"""Shared model of the entrypoint rules (LL3001-LL3008): what each stage's image runs.

- `image_configs(model)`: for every stage, the `ImageConfig` its image ends with: the
  ENTRYPOINT, CMD and STOPSIGNAL in effect, each a `Setting` (the instruction that set
  it, or nothing, or unknown). A stage starts from its parent stage's final config
  (`FROM <stage>`), from an empty config (`FROM scratch`), or from an unknown one (a
  base image from a registry, a FROM with an unknown variable). Then, as BuildKit
  dispatches: CMD sets the CMD and marks it set in this stage; ENTRYPOINT sets the
  entrypoint and, unless this stage already set a CMD, clears the CMD; STOPSIGNAL
  sets the stop signal. ONBUILD triggers of the parent stage run first in the child
  and may set any of them: a parent with `ONBUILD CMD/ENTRYPOINT/STOPSIGNAL` makes
  the child's values unknown. An instruction with a syntax error (malformed JSON)
  fails the build, so it makes the value unknown too; so does an unknown flag
  (`CMD --port 80` is rejected by BuildKit) or a shell form without words.
  `ImageConfig.prior` keeps, for each CMD/ENTRYPOINT of the stage, the values in
  effect just before it (to tell a reset that clears something from a no-op).
- `ancestry_known(stage)`: the stage goes back, through stages of the file, to
  `FROM scratch`, so nothing it inherits is unknown.
- `text_range(ins)`: the command of a CMD/ENTRYPOINT (after `CMD` for HEALTHCHECK).
- `shell_words(text)`: the words of a shell command made only of plain words (no
  quoting, variables, globs, operators or redirections), for an exec-form fix; None
  otherwise. A leading `exec` is dropped; shell builtins and assignments give None.
- `uses_positional(text)`: the shell text reads `$0`, `$1`..., `$@`, `$*` or `$#`,
  i.e. the arguments given after `sh -c TEXT`.
- `analyse_command(ins, text, model)`: tree-sitter shell analysis (layerlint.shell)
  of a command that is not a RUN (HEALTHCHECK CMD, CMD, ENTRYPOINT), positioned in
  the Dockerfile; None when the stage's SHELL is not a POSIX shell.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field

from layerlint.ast import Instruction, Range
from layerlint.shell import analyse, is_posix_shell
from layerlint.patterns import lazy_pattern


@dataclass(frozen=True, slots=True)
class Setting:
    """One config value in effect: set by `ins`, unset (`ins` None), or unknown."""

    ins: Instruction | None = None
    known: bool = True
    reset_by: Instruction | None = None  # the ENTRYPOINT that cleared an inherited CMD
    cleared: Setting | None = None  # the CMD it cleared

    @property
    def is_set(self) -> bool:
        """Known to be set to a non-empty command (`CMD []` counts as empty)."""
        return self.known and self.ins is not None and not is_empty(self.ins)

    @property
    def is_empty(self) -> bool:
        """Known to be empty: never set, cleared, or set to `[]`."""
        return self.known and (self.ins is None or is_empty(self.ins))


UNKNOWN = Setting(None, False)
EMPTY = Setting()


@dataclass(slots=True)
class ImageConfig:
    stage: object
    entrypoint: Setting
    cmd: Setting
    stopsignal: Setting
    cmd_set_here: bool = False  # a CMD instruction in this stage itself
    prior: dict = field(default_factory=dict)  # id(CMD/ENTRYPOINT) -> (entrypoint, cmd) just before it


def is_empty(ins: Instruction) -> bool:
    return ins.json and not ins.value


def is_broken(ins: Instruction) -> bool:
    """BuildKit rejects it (malformed JSON, a flag CMD does not take, no command) or its meaning is unclear."""
    if any(issue.kind in ("syntax", "flag", "arguments") for issue in ins.issues):
        return True
    return not ins.json and not ins.value


def is_shell_form(ins: Instruction) -> bool:
    return not ins.json and bool(ins.value) and not is_broken(ins)


def image_configs(model) -> dict[int, ImageConfig]:
    """id(stage) -> the config the stage's image ends with (computed once per model: six
    rules read it; read-only for them)."""
    cached = model.derived.get("image_configs")
    if cached is None:
        cached = model.derived["image_configs"] = _image_configs(model)
    return cached


def _image_configs(model) -> dict[int, ImageConfig]:
    out: dict[int, ImageConfig] = {}
    for stage in model.stages:  # parents always come earlier
        parent = stage.parent
        trigger_cmd = False  # a parent's ONBUILD CMD may set the CMD in this stage
        if parent is not None and id(parent) in out:
            base = out[id(parent)]
            ep, cmd, sig = base.entrypoint, base.cmd, base.stopsignal
            triggers = {i.trigger.keyword for i in parent.instructions
                        if i.keyword == "ONBUILD" and i.trigger is not None}
            if triggers & {"CMD", "ENTRYPOINT"}:
                ep = cmd = UNKNOWN
                trigger_cmd = "CMD" in triggers
            if "STOPSIGNAL" in triggers:
                sig = UNKNOWN
        elif stage.image.is_scratch:
            ep = cmd = sig = EMPTY
        else:
            ep = cmd = sig = UNKNOWN
        cfg = ImageConfig(stage, ep, cmd, sig)
        for ins in stage.instructions:
            kw = ins.keyword
            if kw in ("CMD", "ENTRYPOINT"):
                cfg.prior[id(ins)] = (cfg.entrypoint, cfg.cmd)
            if kw == "CMD":
                cfg.cmd = UNKNOWN if is_broken(ins) else Setting(ins)
                cfg.cmd_set_here = True
            elif kw == "ENTRYPOINT":
                broken = is_broken(ins)
                cfg.entrypoint = UNKNOWN if broken else Setting(ins)
                if not cfg.cmd_set_here:
                    cfg.cmd = UNKNOWN if broken or trigger_cmd else Setting(None, True, ins, cfg.cmd)
            elif kw == "STOPSIGNAL":
                cfg.stopsignal = UNKNOWN if is_broken(ins) else Setting(ins)
        out[id(stage)] = cfg
    return out


def ancestry_known(stage) -> bool:
    """Every stage the image is built on is in the file and the first one is `FROM scratch`."""
    seen = set()
    while stage.parent is not None and id(stage) not in seen:
        seen.add(id(stage))
        stage = stage.parent
    return stage.image.is_scratch


def text_range(ins: Instruction) -> Range | None:
    words = ins.words[1:] if ins.keyword == "HEALTHCHECK" else ins.words
    if not words:
        return None
    return Range(words[0].range.start, words[-1].range.end)


def command_text(ins: Instruction) -> str | None:
    """The shell text of a shell-form CMD/ENTRYPOINT/RUN/HEALTHCHECK CMD."""
    if ins.json or not ins.value:
        return None
    if ins.keyword == "HEALTHCHECK":
        return ins.value[1] if len(ins.value) == 2 and ins.value[0].upper() == "CMD" else None
    return ins.value[0]


def shell_of(ins: Instruction, model) -> tuple[str, ...]:
    target = ins.parent if ins.parent is not None else ins
    return model.shell_at.get(id(target), ("/bin/sh", "-c"))


def posix(ins: Instruction, model) -> bool:
    return is_posix_shell(shell_of(ins, model))


def shell_display(ins: Instruction, model) -> str:
    return " ".join(shell_of(ins, model))


_PLAIN_TEXT = lazy_pattern(r"[ \t]*[A-Za-z0-9_./:=,@%+-]+(?:[ \t]+[A-Za-z0-9_./:=,@%+-]+)*[ \t]*")
_BUILTINS = frozenset({
    ".", ":", "alias", "bg", "break", "cd", "command", "continue", "echo", "eval", "exit", "export", "false",
    "fg", "getopts", "hash", "jobs", "kill", "local", "printf", "pwd", "read", "readonly", "return", "set",
    "shift", "source", "test", "times", "trap", "true", "type", "ulimit", "umask", "unalias", "unset", "wait",
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in", "time",
    "select", "function", "exec",
})


def shell_words(text: str) -> list[str] | None:
    """The words of `text` when it is one command of plain words; None otherwise."""
    if not _PLAIN_TEXT.fullmatch(text):
        return None
    words = text.split()
    if words and words[0] == "exec":
        words = words[1:]
        if words and words[0].startswith("-"):
            return None
    if not words or "=" in words[0] or words[0] in _BUILTINS:
        return None
    return words


def exec_form(words: list[str]) -> str:
    return "[" + ", ".join(json.dumps(w) for w in words) + "]"


def starts_with_exec(text: str) -> bool:
    return re.match(r"\s*exec(\s|$)", text) is not None


_POSITIONAL = lazy_pattern(r"\$(?:[@*#0-9]|\{#?[@*#0-9])")


def uses_positional(text: str) -> bool:
    return _POSITIONAL.search(text) is not None


def shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def show(ins: Instruction) -> str:
    """`CMD ["a", "b"]` / `CMD a b`, shortened, for messages."""
    if ins.json:
        body = exec_form(ins.value)
    else:
        body = ins.value[0] if ins.value else ""
    return f"{ins.keyword} {shorten(body)}"


def analyse_command(ins: Instruction, text: str, model):
    """Shell analysis of `text`, the shell-form command of `ins`, as if it were a RUN."""
    if not posix(ins, model):
        return None
    top = ins.parent if ins.parent is not None else ins
    start = top.line_text.find(text, ins.args_offset)
    if start < 0:
        return None
    pseudo = dataclasses.replace(ins, instruction="RUN", value=[text], json=False, heredocs=[],
                                 args_offset=start)
    return analyse(pseudo, model)
