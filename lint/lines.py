"""Pre-processing before the grammar: physical lines to logical instruction lines.

This is the part of BuildKit's `parser.Parse` loop that no grammar can express,
because its rules change with the input (`# escape=` changes the continuation
character) and with the instruction being read (heredoc bodies exist only after
RUN/COPY/ADD in shell form):

- the input is split on `\\n` only; trailing `\\r`/`\\n` are stripped per line;
- parser directives are read while they are the very first lines;
- comment lines are collected (they are not instructions) and skipped inside
  continuations, as are empty lines (which BuildKit warns about);
- a line ending in the escape character (not itself escaped) continues; the
  escape character and trailing blanks are removed and nothing is inserted;
- heredoc bodies are read on request, after the instruction line is known.

Every logical line keeps anchors from its offsets back to source positions, so
the parser can give each token an exact range.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .ast import Comment, Directive, ParseIssue, Pos, Range
from .shellwords import GO_SPACE, go_lstrip
from .patterns import lazy_pattern

MAX_LINE_BYTES = 65535
# BuildKit's directive regexp is `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` (RE2, linear time). In
# Python's backtracking engine `(.+?)\s*$` takes quadratic time on a value full of blanks (a
# 1 MB first line would hang), so only the name is matched by a regex and the value is cut
# out by `match_directive` with the same result.
_DIRECTIVE_BLANKS = "\t\n\f\r "
_DIRECTIVE_NAME = lazy_pattern(r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=")
KNOWN_DIRECTIVES = ("syntax", "escape", "check")
_GO_SPACES = "".join(GO_SPACE)


def map_offset(keys: list[int], anchors: list[Pos], offset: int, end: bool = False) -> Pos:
    """Position of `offset` in a text made of pieces: piece i starts at offset `keys[i]` and
    at source position `anchors[i]`. At a boundary between pieces, `end` picks the earlier one."""
    i = (bisect.bisect_left(keys, offset) if end else bisect.bisect_right(keys, offset)) - 1
    i = max(i, 0)
    p = anchors[i]
    return Pos(p.line, p.column + offset - keys[i])


def match_directive(line: str) -> tuple[str, int, int] | None:
    """(name, value start, value end) when `line` has the form of a parser directive."""
    m = _DIRECTIVE_NAME.match(line)
    if m is None or m.end() == len(line):  # `(.+?)` needs a character
        return None
    rest = line[m.end():]
    value = rest.lstrip(_DIRECTIVE_BLANKS)
    if not value:  # only blanks after `=`: the regexp's `(.+?)` gets the last one
        return m.group(1), len(line) - 1, len(line)
    start = len(line) - len(value)
    return m.group(1), start, start + len(value.rstrip(_DIRECTIVE_BLANKS))


def split_physical(text: str) -> list[str]:
    """Physical lines with their line endings, split on `\\n` only (like Go's scanner)."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _trim_newline(s: str) -> str:
    return s.rstrip("\r\n")


def _is_comment(raw: str) -> bool:
    return go_lstrip(_trim_newline(raw)).startswith("#")


@dataclass(slots=True)
class LogicalLine:
    text: str
    start_line: int  # 0-based physical line of the first piece
    end_line: int  # 0-based last physical line consumed (before heredocs)
    anchors: list[tuple[int, Pos]]  # (offset in text, source position), sorted
    comments: list[Comment]  # comment block directly above
    empty_continuation: bool = False

    def pos(self, offset: int) -> Pos:
        """Source position of `offset` in `text` (a piece boundary maps to the later piece)."""
        return self._map(offset, end=False)

    def end_pos(self, offset: int) -> Pos:
        """Like `pos`, but a piece boundary maps to the end of the earlier piece."""
        return self._map(offset, end=True)

    def _map(self, offset: int, end: bool) -> Pos:
        if len(self.anchors) == 1:  # the common case: a single physical line
            p = self.anchors[0][1]
            return Pos(p.line, p.column + offset)
        return map_offset([a[0] for a in self.anchors], [a[1] for a in self.anchors], offset, end)

    def range(self, start: int, end: int) -> Range:
        return Range(self.pos(start), self.end_pos(end) if end > start else self.pos(start))


class LineReader:
    """Reads logical lines one at a time; heredoc bodies are read on request."""

    def __init__(self, text: str) -> None:
        self.raw = split_physical(text)
        self.lines = [_trim_newline(r) for r in self.raw]
        self.i = 0  # next physical line
        self.escape = "\\"
        self._set_escape("\\")
        self.directives: list[Directive] = []
        self.issues: list[ParseIssue] = []
        self.comments: list[Comment] = []
        self._directives_done = False
        self._after_shebang = False
        self._pending_comments: list[Comment] = []
        for n, raw in enumerate(self.raw):
            # a character is at most 4 bytes: only long lines need encoding to be measured
            if len(raw) * 4 <= MAX_LINE_BYTES:
                continue
            size = len(raw.encode("utf-8", "surrogatepass"))
            if size > MAX_LINE_BYTES + (1 if raw.endswith("\n") else 0):
                self.issues.append(ParseIssue(
                    "syntax", f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES}",
                    Range(Pos(n, 0), Pos(n, len(self.lines[n])))))

    def _set_escape(self, esc: str) -> None:
        self.escape = esc
        e = re.escape(esc)
        self._continuation = re.compile(rf"(?:(?<=[^{e}])|^){e}[ \t]*\Z", re.S)

    # -- directives -------------------------------------------------------------
    def _maybe_directive(self, n: int, line: str, lead: int) -> None:
        if self._directives_done:
            return
        if n == 0 and line.startswith("#!"):
            # BuildKit quirk: a shebang ends the parser's directive scanning (so a later
            # `# escape=` is a plain comment), but `syntax` and `check` are read by
            # DetectSyntax, which skips a first-line shebang.
            self._after_shebang = True
            return
        m = match_directive(line)
        if not m or m[0].lower() not in KNOWN_DIRECTIVES or (
                self._after_shebang and m[0].lower() == "escape"):
            self._directives_done = True
            return
        name, value = m[0].lower(), line[m[1]:m[2]]
        rng = Range(Pos(n, lead), Pos(n, lead + len(line.rstrip())))
        vrange = Range(Pos(n, lead + m[1]), Pos(n, lead + m[2]))
        if any(d.name == name for d in self.directives):
            if self._after_shebang:  # DetectSyntax keeps the first one; the parser never saw these
                self._directives_done = True
                return
            self.issues.append(ParseIssue("directive", f"only one {name} parser directive can be used", rng))
            return
        self.directives.append(Directive(name, value, rng, vrange))
        if name == "escape":
            if value in ("`", "\\"):
                self._set_escape(value)
            else:
                self.issues.append(ParseIssue(
                    "directive", f"invalid escape token '{value}' does not match ` or \\", vrange))

    def _comment(self, n: int) -> Comment:
        line = self.lines[n]
        lead = len(line) - len(go_lstrip(line))
        text = line[lead + 1:].strip()
        c = Comment(text, Range(Pos(n, lead), Pos(n, len(line.rstrip()) if line.strip() else lead)))
        return c

    # -- logical lines ----------------------------------------------------------
    def next_line(self) -> LogicalLine | None:
        while self.i < len(self.raw):
            n = self.i
            self.i += 1
            line = self.lines[n]
            stripped = go_lstrip(line)
            lead = len(line) - len(stripped)
            directive_before = len(self.directives)
            if not self._directives_done:
                self._maybe_directive(n, stripped, lead)
            if stripped.startswith("#"):
                if len(self.directives) == directive_before and not (
                        self.issues and self.issues[-1].range.start.line == n and self.issues[-1].kind == "directive"):
                    c = self._comment(n)
                    self.comments.append(c)
                    self._pending_comments.append(c)
                continue
            if not stripped.strip(_GO_SPACES):
                # blank lines are skipped; they break a comment block for pragmas
                self._pending_comments = []
                continue
            piece, eol = self._trim_continuation(stripped)
            anchors = [(0, Pos(n, lead))]
            text = piece
            if eol and text == "":
                continue
            empty_cont = False
            last = n
            while not eol and self.i < len(self.raw):
                m = self.i
                self.i += 1
                last = m
                raw_line = self.lines[m]
                if _is_comment(raw_line):
                    self.comments.append(self._comment(m))
                    continue
                if not go_lstrip(raw_line):
                    empty_cont = True
                    continue
                piece, eol = self._trim_continuation(raw_line)
                anchors.append((len(text), Pos(m, 0)))
                text += piece
            comments = self._pending_comments
            self._pending_comments = []
            return LogicalLine(text, n, last, anchors, comments, empty_cont)
        return None

    def _trim_continuation(self, line: str) -> tuple[str, bool]:
        if not line.rstrip(" \t").endswith(self.escape):  # most lines: no regex needed
            return line, True
        m = self._continuation.search(line)
        if m:
            return line[: m.start()], False
        return line, True

    def read_heredoc(self, name: str, chomp: bool) -> tuple[str, int, int, bool]:
        """Read a heredoc body; returns (content, first line, terminator line, terminated)."""
        first = self.i
        content: list[str] = []
        while self.i < len(self.raw):
            n = self.i
            self.i += 1
            candidate = self.lines[n]
            if chomp:
                candidate = candidate.lstrip("\t")
            if candidate == name:
                return "".join(content), first, n, True
            content.append(self.raw[n])
        # unterminated: the body runs to the end of the file (and is empty when the
        # opener was on the last line, then `first` is past the last line)
        return "".join(content), first, len(self.raw) - 1, False
