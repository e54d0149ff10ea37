"""The Dockerfile syntax tree: positioned instructions, flags, words, heredocs, comments.

Positions are 0-based (line, column) pairs; columns count Unicode code points of the
decoded text (the UTF-8 BOM is not part of the text). Reporters convert them to the
1-based numbers users read, the language server to LSP's UTF-16 units.

The fields `instruction`, `sub_instruction`, `json`, `original`, `start_line`,
`end_line`, `flags`, `value` and `heredocs` carry exactly the meaning of the fields
of the `dockerfile` package (BuildKit's own parser), so `layerlint parse` can be
compared with it field by field; everything else is layerlint's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Pos(NamedTuple):
    line: int  # 0-based
    column: int  # 0-based, code points

    def __str__(self) -> str:
        return f"{self.line + 1}:{self.column + 1}"


class Range(NamedTuple):
    start: Pos
    end: Pos

    def contains(self, pos: Pos) -> bool:
        return self.start <= pos <= self.end


@dataclass(slots=True)
class Word:
    """A positioned argument.

    `text` is the word as written (quotes kept), except for exec-form (JSON) items,
    where it is the decoded string while `range` covers the quoted literal.
    """

    text: str
    range: Range


@dataclass(slots=True)
class Flag:
    """`--name=value` before an instruction's arguments.

    `value` is None for a bare `--name`; quotes and escapes are already removed,
    as BuildKit does when it collects flags.
    """

    name: str
    value: str | None
    raw: str
    range: Range
    name_range: Range
    value_range: Range | None

    @property
    def text(self) -> str:
        """The flag as BuildKit's node stores it (`--name=value`, unquoted)."""
        return f"--{self.name}" if self.value is None else f"--{self.name}={self.value}"


@dataclass(slots=True)
class Mount:
    """One `RUN --mount=...`: comma-separated fields, read as BuildKit does (CSV)."""

    type: str  # lower-cased; `bind` when not given
    options: dict[str, str]  # lower-cased keys; a bare key (`ro`, `required`) maps to ""
    flag: Flag
    value_ranges: dict[str, Range]  # key -> range of its value (the whole flag value when unknown)

    @property
    def target(self) -> str | None:
        return next((self.options[k] for k in ("target", "dst", "destination") if k in self.options), None)

    @property
    def source(self) -> str | None:
        return next((self.options[k] for k in ("source", "src") if k in self.options), None)

    @property
    def from_(self) -> str | None:
        return self.options.get("from")

    def range_of(self, key: str) -> Range:
        return self.value_ranges.get(key) or self.flag.value_range or self.flag.range


@dataclass(slots=True)
class Heredoc:
    name: str
    file_descriptor: int
    content: str  # unchomped, line endings kept, as BuildKit stores it
    expand: bool  # False when any part of the delimiter was quoted
    chomp: bool  # `<<-`: leading tabs are stripped where the content is used
    opener: Range  # the `<<EOF` word on the instruction line
    body: Range  # from the first body line to the end of the terminator line
    terminated: bool = True


@dataclass(slots=True)
class KeyValue:
    """One `key=value` (or legacy `key value`) pair of ENV, LABEL or ARG."""

    key: Word
    value: Word | None  # None: ARG without a default
    legacy: bool = False  # `ENV key value` form


@dataclass(slots=True)
class Comment:
    text: str  # without the leading `#` and surrounding whitespace
    range: Range


@dataclass(slots=True)
class Directive:
    name: str  # lower-cased
    value: str
    range: Range
    value_range: Range


@dataclass(slots=True)
class ParseIssue:
    """A problem found while parsing; rules in the `syntax` group report these."""

    kind: str  # e.g. "syntax", "unknown-instruction", "flag", "arguments", "directive", "empty-continuation"
    message: str
    range: Range
    suggestion: str | None = None  # did-you-mean replacement text, when there is one


@dataclass(slots=True, eq=False)
class Instruction:
    # -- fields with the meaning of the `dockerfile` package --------------------
    instruction: str  # keyword as written (BuildKit keeps the case)
    original: str
    start_line: int  # 1-based
    end_line: int  # 1-based, includes heredoc bodies
    flags: list[str]
    value: list[str]
    json: bool = False
    heredocs: list[Heredoc] = field(default_factory=list)
    # -- layerlint's own ----------------------------------------------------------
    range: Range = Range(Pos(0, 0), Pos(0, 0))  # whole instruction incl. heredoc bodies
    keyword_range: Range = Range(Pos(0, 0), Pos(0, 0))
    flag_nodes: list[Flag] = field(default_factory=list)
    args_text: str = ""  # arguments after the flags, continuation lines joined
    args_range: Range | None = None
    args_offset: int = 0  # where args_text starts in the logical line (`line_text` of the top instruction)
    words: list[Word] = field(default_factory=list)  # argument words / JSON items, positioned
    pairs: list[KeyValue] = field(default_factory=list)  # ENV, LABEL, ARG
    mounts: list[Mount] = field(default_factory=list)  # RUN --mount flags, parsed
    trigger: Instruction | None = None  # ONBUILD's wrapped instruction
    comments: list[Comment] = field(default_factory=list)  # comment lines directly above
    issues: list[ParseIssue] = field(default_factory=list)
    parent: Instruction | None = None  # the ONBUILD wrapping this trigger
    line_text: str = ""  # the joined logical line BuildKit parsed
    offsets: tuple = ()  # (logical offset, Pos) anchors mapping line_text back to source

    keyword: str = field(init=False, default="")  # upper-cased instruction name (`RUN`, `COPY`, ...)

    def __post_init__(self) -> None:
        self.keyword = self.instruction.upper()

    @property
    def sub_instruction(self) -> str | None:
        return self.trigger.instruction if self.trigger is not None else None

    def flag(self, name: str) -> Flag | None:
        """The last occurrence of flag `name` (BuildKit keeps the last one)."""
        found = None
        for f in self.flag_nodes:
            if f.name == name:
                found = f
        return found

    @property
    def is_exec_form(self) -> bool:
        return self.json

    @property
    def shell_text(self) -> str | None:
        """RUN/CMD/ENTRYPOINT command text in shell form, else None."""
        if self.json or not self.value:
            return None
        return self.value[0]


@dataclass(slots=True)
class Dockerfile:
    text: str
    lines: list[str]  # physical lines without line endings
    instructions: list[Instruction]
    comments: list[Comment]
    directives: list[Directive]
    issues: list[ParseIssue]  # file-level issues (directives, missing instructions)
    escape: str = "\\"
    path: str | None = None

    @property
    def all_issues(self) -> list[ParseIssue]:
        out = list(self.issues)
        for ins in self.instructions:
            out.extend(ins.issues)
            if ins.trigger is not None:
                out.extend(ins.trigger.issues)
        return out

    def directive(self, name: str) -> Directive | None:
        for d in self.directives:
            if d.name == name:
                return d
        return None
