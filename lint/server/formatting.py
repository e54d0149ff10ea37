"""Formatting: `textDocument/formatting` and `textDocument/rangeFormatting`.

The formatter normalises only what carries no meaning, and proves it by construction:

- instruction keywords in upper case (also the ONBUILD trigger's keyword, FROM's `AS`
  and HEALTHCHECK's `CMD`/`NONE`, which BuildKit reads case-insensitively);
- no whitespace before an instruction's keyword, none at the end of a line;
- continuation lines of a multi-line instruction indented by one unit (a tab, or
  `tab_size` spaces) - but only when they are all indented alike (or not at all) and
  none starts with a shell operator: a hand-laid-out RUN (nested blocks, leading `&&`)
  is left exactly as written, the most common complaint about the reference formatter;
- the final newline options of the request.

The leading whitespace of a continuation line is part of the joined instruction line,
so it is changed only where the amount of whitespace cannot matter: outside quotes,
at a word boundary (the previous piece ends with a blank, or the line is already
indented), and never for instructions whose arguments are taken literally (USER,
WORKDIR, legacy `ENV key value`, ...). Heredoc bodies, comment text, JSON items and
words are never touched. Edits are per changed line, the smallest replacement in it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from lsprotocol import types

from ..ast import Dockerfile, Instruction, Pos, Range
from ..parser import KEYWORDS
from .core import LayerlintServer

_KEYWORD_SET = frozenset(KEYWORDS)
# arguments taken as one literal string (whitespace inside them is part of the value)
_LITERAL_ARGS = frozenset(("MAINTAINER", "STOPSIGNAL", "USER", "WORKDIR"))
_INDENT = re.compile(r"[ \t]*")
_LEADING_OPERATOR = re.compile(r"[ \t]*(?:&&|\|\||\||;)")
_BLANK = " \t"
MAX_INDENT = 16


@dataclass(frozen=True, slots=True)
class Options:
    indent: str = "    "  # one indentation unit
    trim_trailing_whitespace: bool = True
    insert_final_newline: bool = False
    trim_final_newlines: bool = False

    @classmethod
    def from_lsp(cls, options: types.FormattingOptions | None) -> Options:
        if options is None:
            return cls()
        size = options.tab_size if isinstance(options.tab_size, int) else 4
        indent = " " * min(max(size, 0), MAX_INDENT) if options.insert_spaces else "\t"
        return cls(indent, options.trim_trailing_whitespace is not False, bool(options.insert_final_newline),
                   bool(options.trim_final_newlines))


@dataclass(frozen=True, slots=True)
class Edit:
    range: Range  # layerlint positions (code points)
    new_text: str


def format_edits(doc: Dockerfile, options: Options = Options(), lines: tuple[int, int] | None = None) -> list[Edit]:
    """The edits that format `doc`; with `lines` (first, last), only the instructions
    overlapping those lines and the other lines inside them, without final-newline changes."""
    old = doc.lines
    new = list(old)
    protected = _heredoc_content_lines(doc)
    if lines is None:
        selected = None
        instructions = doc.instructions
    else:
        first, last = lines
        instructions = [i for i in doc.instructions if i.range.start.line <= last and i.range.end.line >= first]
        selected = set(range(first, last + 1))
        for ins in instructions:
            selected.update(range(ins.range.start.line, ins.range.end.line + 1))
    comment_lines = {c.range.start.line for c in doc.comments}
    for ins in instructions:
        _format_instruction(ins, doc, new, options.indent, comment_lines, protected)
    if options.trim_trailing_whitespace:
        for n, line in enumerate(new):
            if n not in protected and (selected is None or n in selected) and line[-1:] in (" ", "\t"):
                new[n] = line.rstrip(_BLANK)
    edits: list[Edit] = []
    tail: Edit | None = None
    if lines is None and old:
        tail = _final_newlines(doc, new, protected, options)
    stop = tail.range.start.line if tail is not None else len(old)
    for n in range(min(stop, len(old))):
        if new[n] != old[n]:
            edits.append(_line_edit(n, old[n], new[n]))
    if tail is not None:
        edits.append(tail)
    return edits


def _heredoc_content_lines(doc: Dockerfile) -> set[int]:
    """Lines of heredoc bodies (not their terminator lines): never touched."""
    out: set[int] = set()
    for ins in doc.instructions:
        if not ins.heredocs:
            continue
        # bodies start after the instruction's own lines (an empty body at the end of
        # the file has its range on the instruction's last line)
        after = ins.offsets[-1][1].line + 1 if ins.offsets else ins.range.start.line + 1
        for h in ins.heredocs:
            last = h.body.end.line if not h.terminated else h.body.end.line - 1
            out.update(range(max(h.body.start.line, after), last + 1))
    return out


def _format_instruction(ins: Instruction, doc: Dockerfile, new: list[str], indent: str, comment_lines: set[int],
                        protected: set[int]) -> None:
    # same-length replacements first, while columns are those of the document
    _upper_case(ins, new)
    if ins.trigger is not None:
        _upper_case(ins.trigger, new)
    start = ins.keyword_range.start
    line = new[start.line]
    if start.column and not line[:start.column].strip():
        new[start.line] = line[start.column:]
    _indent_continuations(ins, doc, new, indent, comment_lines, protected)


def _upper_case(ins: Instruction, new: list[str]) -> None:
    if ins.keyword in _KEYWORD_SET:
        _replace_word(new, ins.keyword_range, ins.instruction, ins.keyword)
    words = ins.words
    if ins.keyword == "FROM" and len(words) == 3 and words[1].text.lower() == "as":
        _replace_word(new, words[1].range, words[1].text, "AS")
    elif ins.keyword == "HEALTHCHECK" and words and words[0].text.upper() in ("CMD", "NONE"):
        _replace_word(new, words[0].range, words[0].text, words[0].text.upper())


def _replace_word(new: list[str], rng: Range, written: str, wanted: str) -> None:
    """Re-case one word in place, if it is on one line and reads as `written` there."""
    if written == wanted or not written.isascii() or len(written) != len(wanted):
        return
    line, a, b = rng.start.line, rng.start.column, rng.end.column
    if rng.end.line != line or b - a != len(written) or line >= len(new) or new[line][a:b] != written:
        return
    new[line] = new[line][:a] + wanted + new[line][b:]


def _indent_continuations(ins: Instruction, doc: Dockerfile, new: list[str], indent: str, comment_lines: set[int],
                          protected: set[int]) -> None:
    anchors = ins.offsets
    if len(anchors) < 2:
        return
    target = ins.trigger if ins.trigger is not None else ins
    if target.keyword not in _KEYWORD_SET or target.keyword in _LITERAL_ARGS or any(p.legacy for p in target.pairs):
        return
    text = ins.line_text
    pieces = [(key, pos.line) for key, pos in anchors[1:] if pos.line < len(new)]
    indents = [_INDENT.match(new[line]).group() for _, line in pieces]
    if len(set(indents)) != 1:
        return  # hand-laid-out: nested or varied indentation
    current = indents[0]
    if any(_LEADING_OPERATOR.match(new[line]) for _, line in pieces):
        return  # the leading `&&` / `|` style
    if current == indent:
        changes = []
    else:
        quoted = _quoted_spans(text, doc.escape)
        for key, _ in pieces:
            if _inside(quoted, key) or not (_blank_before(text, key, doc.escape) or (current and indent)):
                return  # the whitespace there is part of a word or of a quoted string
        changes = [line for _, line in pieces]
    first, last = anchors[0][1].line, anchors[-1][1].line
    changes += [n for n in range(first + 1, last) if n in comment_lines and n not in protected
                and _INDENT.match(new[n]).group() == current and current != indent]
    for line in changes:
        new[line] = indent + new[line][len(current):]


def _quoted_spans(text: str, escape: str) -> list[tuple[list[int], list[int]]]:
    """Quoted strings of the joined line (starts, ends), as read with the Dockerfile's
    escape character and with `\\` (the shell's): a position inside either is quoted."""
    readings = []
    for esc in {escape, "\\"}:
        e = re.escape(esc)
        starts, ends = [], []
        for m in re.finditer(rf"{e}.|'[^']*'?|\"(?:[^\"{e}]|{e}.)*\"?", text, re.S):
            if m.group()[0] in "'\"":
                starts.append(m.start())
                ends.append(m.end())
        readings.append((starts, ends))
    return readings


def _inside(readings: list[tuple[list[int], list[int]]], offset: int) -> bool:
    for starts, ends in readings:
        i = bisect.bisect_left(starts, offset) - 1  # the last string opened before `offset`
        if i >= 0 and ends[i] > offset:
            return True
    return False


def _blank_before(text: str, offset: int, escape: str) -> bool:
    """Whether the joined line has an unescaped blank just before `offset`."""
    if offset == 0 or text[offset - 1] not in _BLANK:
        return False
    return offset < 2 or text[offset - 2] not in (escape, "\\")


def _final_newlines(doc: Dockerfile, new: list[str], protected: set[int], options: Options) -> Edit | None:
    """Applies insert_final_newline to `new`; returns the edit trimming final newlines, if any."""
    old = doc.lines
    last = len(old) - 1
    ends_with_newline = doc.text.endswith("\n")
    if options.trim_final_newlines:
        keep = last
        while keep >= 0 and new[keep] == "" and keep not in protected:
            keep -= 1
        if 0 <= keep < last:
            end = Pos(len(old), 0) if ends_with_newline else Pos(last, len(old[last]))
            return Edit(Range(Pos(keep + 1, 0), end), "")
    if options.insert_final_newline and not doc.text.endswith(("\n", "\r")) and last not in protected:
        new[last] += "\r\n" if "\r\n" in doc.text else "\n"
    return None


def _line_edit(line: int, old: str, new: str) -> Edit:
    """The smallest replacement turning `old` into `new` (one line)."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return Edit(Range(Pos(line, prefix), Pos(line, len(old) - suffix)), new[prefix:len(new) - suffix])


def register(server: LayerlintServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def formatting(ls: LayerlintServer, params: types.DocumentFormattingParams):
        analysis = ls.analysis(params.text_document.uri)
        if analysis is None or analysis.skipped:
            return None
        edits = format_edits(analysis.dockerfile, Options.from_lsp(params.options))
        return [types.TextEdit(ls.to_lsp_range(analysis, e.range), e.new_text) for e in edits]

    @server.feature(types.TEXT_DOCUMENT_RANGE_FORMATTING)
    def range_formatting(ls: LayerlintServer, params: types.DocumentRangeFormattingParams):
        analysis = ls.analysis(params.text_document.uri)
        if analysis is None or analysis.skipped or not analysis.lines:
            return None
        first = ls.from_lsp_position(analysis, params.range.start).line
        last = ls.from_lsp_position(analysis, params.range.end).line
        if params.range.end.character == 0 and params.range.end.line > params.range.start.line:
            last = min(last, params.range.end.line - 1)  # a range ending at column 0 stops before that line
        edits = format_edits(analysis.dockerfile, Options.from_lsp(params.options), (first, max(first, last)))
        return [types.TextEdit(ls.to_lsp_range(analysis, e.range), e.new_text) for e in edits]
