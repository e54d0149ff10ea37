"""Semantic tokens: `textDocument/semanticTokens/full`, `/full/delta` and `/range`.

What is coloured, read from the syntax tree (never from regexes over whole lines):
instruction keywords (and `AS`, HEALTHCHECK's CMD/NONE, the ONBUILD trigger's keyword;
MAINTAINER is `deprecated`), comments (also those inside continuations), parser
directives (name as `macro`, value as `string`), flags (`parameter`, `=` as `operator`,
value as `string`, or `namespace` for `COPY --from=<stage>`), the FROM image (`class`)
with its tag or digest (`property`), stage names (`namespace`, `declaration` at
`AS name`), ARG/ENV keys (`variable` + `declaration`), LABEL keys (`property`), `=` in
key=value, quoted strings and exec-form (JSON) items (`string`), and `$VAR` / `${VAR}`
references (`variable`). The shell text of RUN/CMD/ENTRYPOINT shows only its variable
references; heredoc bodies stay plain.

The work is linear in the document: each instruction is tokenised in the offsets of its
logical line (continuations joined), where variable references are carved out of the
tokens they sit in, and then mapped back to physical lines, split where a token crosses
a continuation. Results are cached per analysed version; the last result per document
is kept under a resultId so `full/delta` can answer with a single edit.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import OrderedDict
from functools import lru_cache

from lsprotocol import types

from ..ast import Dockerfile, Instruction, Pos
from ..model import Model
from ..parser import KEYWORDS
from .core import Analysis, LayerlintServer

TOKEN_TYPES = ("keyword", "comment", "macro", "string", "parameter", "class", "property", "namespace", "variable",
               "operator")
TOKEN_MODIFIERS = ("declaration", "deprecated")
LEGEND = types.SemanticTokensLegend(token_types=list(TOKEN_TYPES), token_modifiers=list(TOKEN_MODIFIERS))

KEYWORD, COMMENT, MACRO, STRING, PARAMETER, CLASS, PROPERTY, NAMESPACE, VARIABLE, OPERATOR = range(len(TOKEN_TYPES))
DECLARATION, DEPRECATED = 1, 2  # modifier bits

# An absolute token: (line, column, length, type, modifiers); columns in code points.
Token = tuple[int, int, int, int, int]

_KEYWORD_SET = frozenset(KEYWORDS)
_COMMANDS = frozenset(("RUN", "CMD", "ENTRYPOINT", "SHELL"))  # exec form is not expanded by BuildKit
_PLAIN_ARGS = frozenset(("EXPOSE", "USER", "WORKDIR", "STOPSIGNAL", "MAINTAINER", "ADD", "COPY", "VOLUME"))
_BRACED = re.compile(r"\$\{[^}]*\}?")
# names after `$`: BuildKit's lexer reads a digit run, one special parameter, or a word
_NAME = r"(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!0-])"


@lru_cache(maxsize=4)
def _lexers(escape: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two scanners for `escape`: the top level (escapes, single- and double-quoted strings,
    references) and the inside of a double-quoted string (escapes, references)."""
    e = re.escape(escape)
    var = rf"\$(?:\{{{_NAME}\}}?|{_NAME})"
    top = re.compile(rf"(?P<esc>{e}.)|(?P<sq>'[^']*'?)|(?P<dq>\"(?:[^\"{e}]|{e}.)*\"?)|(?P<var>{var})", re.S)
    inner = re.compile(rf"(?P<esc>{e}.)|(?P<var>{var})", re.S)
    return top, inner


def scan(text: str, start: int, end: int, escape: str, *, strings: bool) -> tuple[list, list]:
    """Quoted strings (when `strings`) and variable references in text[start:end], as
    (start, end) offsets. A reference token is `$NAME`, `${NAME}` or the `${NAME` head of
    `${NAME:-default}` (whose default may hold references of its own); quotes are read
    as BuildKit's lexer does, so nothing inside single quotes is a reference."""
    top, inner = _lexers(escape)
    found_strings: list[tuple[int, int]] = []
    found_vars: list[tuple[int, int]] = []
    for m in top.finditer(text, start, end):
        kind = m.lastgroup
        if kind == "var":
            found_vars.append(m.span())
        elif kind == "sq":
            if strings:
                found_strings.append(m.span())
        elif kind == "dq":
            if strings:
                found_strings.append(m.span())
            a, b = m.span()
            if "$" in m.group():
                found_vars.extend(v.span() for v in inner.finditer(text, a, b) if v.lastgroup == "var")
    return found_strings, found_vars


class _LogicalLine:
    """Maps offsets of an instruction's logical line to physical positions and back."""

    __slots__ = ("keys", "lines", "columns", "line_start", "length")

    def __init__(self, ins: Instruction) -> None:
        anchors = ins.offsets or ((0, ins.range.start),)
        self.keys = [k for k, _ in anchors]
        self.lines = [p.line for _, p in anchors]
        self.columns = [p.column for _, p in anchors]
        self.line_start = {p.line: (k, p.column) for k, p in anchors}
        self.length = len(ins.line_text)

    def offset(self, pos: Pos) -> int | None:
        hit = self.line_start.get(pos.line)
        return None if hit is None else hit[0] + pos.column - hit[1]

    def segments(self, start: int, end: int):
        """(line, column, length) of each physical piece of the offsets start..end."""
        keys = self.keys
        if len(keys) == 1:
            yield self.lines[0], self.columns[0] + start, end - start
            return
        i = bisect.bisect_right(keys, start) - 1
        while start < end and i < len(keys):
            piece_end = keys[i + 1] if i + 1 < len(keys) else max(self.length, end)
            stop = min(end, piece_end)
            if stop > start:
                yield self.lines[i], self.columns[i] + start - keys[i], stop - start
            start = max(start, piece_end)
            i += 1


def document_tokens(doc: Dockerfile, model: Model | None) -> list[Token]:
    """Every token of the document, sorted, single-line and non-overlapping."""
    out: list[Token] = []
    lines = doc.lines
    for d in doc.directives:
        line = d.range.start.line
        text = lines[line] if line < len(lines) else ""
        at = text.lower().find(d.name, d.range.start.column)
        if 0 <= at < d.value_range.start.column:
            out.append((line, at, len(d.name), MACRO, 0))
        if d.value_range.end.column > d.value_range.start.column:
            out.append((line, d.value_range.start.column, d.value_range.end.column - d.value_range.start.column,
                        STRING, 0))
    for c in doc.comments:
        if c.range.end.column > c.range.start.column:
            out.append((c.range.start.line, c.range.start.column, c.range.end.column - c.range.start.column,
                        COMMENT, 0))
    stage_names = {s.name for s in model.stages if s.name} if model is not None else set()
    for ins in doc.instructions:
        if ins.keyword not in _KEYWORD_SET:
            continue  # unknown instruction or unparsable line: nothing trustworthy to colour
        _Instruction(ins, doc.escape, model, stage_names).emit(out)
    out.sort()
    return _without_overlaps(out)


def _without_overlaps(tokens: list[Token]) -> list[Token]:
    """Drops empty tokens and any token starting inside the previous one (a safety net:
    the producers do not overlap, but a client must never see overlapping tokens)."""
    clean: list[Token] = []
    last_line, last_end = -1, 0
    for tok in tokens:
        line, col, length = tok[0], tok[1], tok[2]
        if length <= 0 or (line == last_line and col < last_end):
            continue
        clean.append(tok)
        last_line, last_end = line, col + length
    return clean


class _Instruction:
    """The tokens of one top-level instruction (and its ONBUILD trigger)."""

    def __init__(self, ins: Instruction, escape: str, model: Model | None, stage_names: set[str]) -> None:
        self.ins = ins
        self.text = ins.line_text
        self.escape = escape
        self.model = model
        self.stage_names = stage_names
        self.logical = _LogicalLine(ins)
        self.bases: list[tuple[int, int, int, int]] = []  # (start, end, type, modifiers) in logical offsets
        self.refs: list[tuple[int, int]] = []  # variable references, carved out of the bases

    # -- building ---------------------------------------------------------------------
    def span(self, rng) -> tuple[int, int] | None:
        a, b = self.logical.offset(rng.start), self.logical.offset(rng.end)
        if a is None or b is None or b < a:
            return None
        return a, b

    def add(self, rng, kind: int, mods: int = 0) -> tuple[int, int] | None:
        sp = self.span(rng)
        if sp is not None and sp[1] > sp[0]:
            self.bases.append((sp[0], sp[1], kind, mods))
        return sp

    def strings_and_refs(self, start: int, end: int, *, strings: bool) -> None:
        found_strings, found_refs = scan(self.text, start, end, self.escape, strings=strings)
        self.bases.extend((a, b, STRING, 0) for a, b in found_strings)
        self.refs.extend(found_refs)

    def instruction(self, ins: Instruction) -> None:
        kw = ins.keyword
        start = self.logical.offset(ins.keyword_range.start)
        if start is None:
            return
        self.bases.append((start, start + len(ins.instruction), KEYWORD, DEPRECATED if kw == "MAINTAINER" else 0))
        for flag in ins.flag_nodes:
            name = self.add(flag.name_range, PARAMETER)
            if flag.value_range is None:
                continue
            value = self.span(flag.value_range)
            if name is not None and name[1] < len(self.text) and self.text[name[1]] == "=":
                self.bases.append((name[1], name[1] + 1, OPERATOR, 0))
            if value is not None:
                is_stage = kw == "COPY" and flag.name == "from" and (flag.value or "").lower() in self.stage_names
                if value[1] > value[0]:
                    self.bases.append((value[0], value[1], NAMESPACE if is_stage else STRING, 0))
                self.strings_and_refs(value[0], value[1], strings=False)
        args = ins.args_offset, ins.args_offset + len(ins.args_text)
        if kw == "ONBUILD":
            if ins.trigger is not None and ins.trigger.keyword in _KEYWORD_SET:
                self.instruction(ins.trigger)
        elif kw == "FROM":
            self.from_(ins)
        elif kw in ("ENV", "ARG", "LABEL"):
            self.pairs(ins)
        elif kw == "HEALTHCHECK":
            if ins.words and ins.words[0].text.upper() in ("CMD", "NONE"):
                self.add(ins.words[0].range, KEYWORD)
            if ins.json:
                for w in ins.words[1:]:
                    self.add(w.range, STRING)
            elif len(ins.words) > 1 and (sp := self.span(ins.words[1].range)) is not None:
                self.strings_and_refs(sp[0], sp[1], strings=False)
        elif ins.json:  # exec form: each item is a JSON string
            for w in ins.words:
                self.add(w.range, STRING)
            if kw not in _COMMANDS:
                self.strings_and_refs(*args, strings=False)
        elif kw in _COMMANDS:  # shell text: only its references
            self.strings_and_refs(*args, strings=False)
        elif kw in _PLAIN_ARGS:
            self.strings_and_refs(*args, strings=True)

    def from_(self, ins: Instruction) -> None:
        words = ins.words
        if not words:
            return
        stage = self.model.stage_of.get(id(ins)) if self.model is not None else None
        image = self.span(words[0].range)
        if image is not None:
            a, b = image
            if stage is not None and stage.parent is not None:  # FROM <earlier stage>
                self.bases.append((a, b, NAMESPACE, 0))
            else:
                self.image(a, b)
            self.strings_and_refs(a, b, strings=False)
        if len(words) >= 2 and words[1].text.lower() == "as":
            self.add(words[1].range, KEYWORD)
            if len(words) == 3:
                self.add(words[2].range, NAMESPACE, DECLARATION)

    def image(self, a: int, b: int) -> None:
        """`registry/name` as class, `:tag` and `@digest` as property (colons inside
        `${...}` are not tag separators)."""
        word = self.text[a:b]
        if "${" in word:
            word = _BRACED.sub(lambda m: "x" * len(m.group()), word)
        at = word.find("@")
        name_end = at if at >= 0 else len(word)
        colon = word.rfind(":", 0, name_end)
        if colon <= word.rfind("/", 0, name_end):
            colon = -1
        repo_end = colon if colon >= 0 else name_end
        if repo_end > 0:
            self.bases.append((a, a + repo_end, CLASS, 0))
        if colon >= 0 and name_end > colon:
            self.bases.append((a + colon, a + name_end, PROPERTY, 0))
        if at >= 0:
            self.bases.append((a + at, b, PROPERTY, 0))

    def pairs(self, ins: Instruction) -> None:
        key_kind, key_mods = (PROPERTY, 0) if ins.keyword == "LABEL" else (VARIABLE, DECLARATION)
        for pair in ins.pairs:
            key = self.add(pair.key.range, key_kind, key_mods)
            if key is not None:
                self.strings_and_refs(key[0], key[1], strings=False)
                if not pair.legacy and key[1] < len(self.text) and self.text[key[1]] == "=":
                    self.bases.append((key[1], key[1] + 1, OPERATOR, 0))
            if pair.value is not None and (value := self.span(pair.value.range)) is not None:
                self.strings_and_refs(value[0], value[1], strings=True)

    # -- output -------------------------------------------------------------------------
    def emit(self, out: list[Token]) -> None:
        self.instruction(self.ins)
        carved = self.carve(self.bases, self.refs) if self.refs else self.bases
        logical = self.logical
        if len(logical.keys) == 1:  # a single physical line: offsets are columns
            line, shift = logical.lines[0], logical.columns[0]
            out.extend((line, shift + a, b - a, kind, mods) for a, b, kind, mods in carved)
            return
        segments = logical.segments
        for a, b, kind, mods in carved:
            for line, col, length in segments(a, b):
                out.append((line, col, length, kind, mods))

    @staticmethod
    def carve(bases: list, refs: list) -> list:
        """The references as tokens of their own, cut out of the tokens they sit in."""
        carved: list[tuple[int, int, int, int]] = []
        kept: list[tuple[int, int]] = []
        last_end = -1
        for a, b in sorted(set(refs)):
            if a >= last_end:  # a reference inside another one's `${X:-...}` default is kept once
                kept.append((a, b))
                last_end = b
                carved.append((a, b, VARIABLE, 0))
        starts = [a for a, _ in kept]
        for a, b, kind, mods in bases:
            i = max(bisect.bisect_right(starts, a) - 1, 0)
            while i < len(kept) and kept[i][0] < b:
                ra, rb = kept[i]
                if rb > a:
                    if ra > a:
                        carved.append((a, ra, kind, mods))
                    a = max(a, rb)
                i += 1
            if b > a:
                carved.append((a, b, kind, mods))
        return carved


# -- encoding and the LSP handlers ------------------------------------------------------
def encode(tokens: list[Token], converter=None) -> list[int]:
    """LSP's relative encoding. `converter(line)` gives None when the line's code-point
    columns are the client's units, else a function mapping a column to them."""
    data: list[int] = []
    append = data.extend
    prev_line = prev_start = 0
    convert = None
    converted_line = -1
    for line, col, length, kind, mods in tokens:
        if line != converted_line:
            convert = converter(line) if converter is not None else None
            converted_line = line
        if convert is not None:
            start = convert(col)
            length = convert(col + length) - start
            col = start
            if length <= 0:
                continue
        append((line - prev_line, col - prev_start if line == prev_line else col, length, kind, mods))
        prev_line, prev_start = line, col
    return data


def client_columns(ls: LayerlintServer, analysis: Analysis):
    """The converter for `encode`: none on ASCII lines (except line 0 after a BOM), else
    the server's own position conversion (UTF-16 or whatever the client negotiated)."""
    lines = analysis.lines
    bom = analysis.text.startswith("\ufeff")

    def converter(line: int):
        if line < len(lines) and lines[line].isascii() and not (bom and line == 0):
            return None
        return lambda column: ls.to_lsp_position(analysis, Pos(line, column)).character

    return converter


def delta_edits(old: list[int], new: list[int]) -> list[types.SemanticTokensEdit]:
    """One edit replacing the changed middle (whole tokens of five integers)."""
    if old == new:
        return []
    limit = min(len(old), len(new))
    prefix = next((i for i, (x, y) in enumerate(zip(old, new)) if x != y), limit)
    prefix -= prefix % 5
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    suffix -= suffix % 5
    return [types.SemanticTokensEdit(start=prefix, delete_count=len(old) - prefix - suffix,
                                     data=new[prefix:len(new) - suffix])]


class TokenStore:
    """Per server: tokens of the latest analysed version of each document, and the last
    result sent per document (for deltas). Bounded, so closed documents fall out."""

    SIZE = 64

    def __init__(self) -> None:
        self._tokens: OrderedDict[str, tuple[Analysis, list[Token], list[int]]] = OrderedDict()
        self._sent: OrderedDict[str, tuple[str, list[int]]] = OrderedDict()
        self._ids = itertools.count(1)

    def tokens(self, ls: LayerlintServer, analysis: Analysis) -> tuple[list[Token], list[int]]:
        hit = self._tokens.get(analysis.uri)
        if hit is not None and hit[0] is analysis:
            self._tokens.move_to_end(analysis.uri)
            return hit[1], hit[2]
        tokens = document_tokens(analysis.dockerfile, analysis.model)
        data = encode(tokens, client_columns(ls, analysis))
        _remember(self._tokens, analysis.uri, (analysis, tokens, data), self.SIZE)
        return tokens, data

    def sent(self, uri: str, data: list[int]) -> str:
        result_id = str(next(self._ids))
        _remember(self._sent, uri, (result_id, data), self.SIZE)
        return result_id

    def previous(self, uri: str, result_id: str) -> list[int] | None:
        hit = self._sent.get(uri)
        return hit[1] if hit is not None and hit[0] == result_id else None

    def forget(self, uri: str) -> None:
        """The document was closed: its analysis is not kept alive here."""
        self._tokens.pop(uri, None)
        self._sent.pop(uri, None)


def _remember(cache: OrderedDict, key, value, size: int) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)


def register(server: LayerlintServer) -> None:
    store = TokenStore()
    server.on_forget.append(store.forget)

    @server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, LEGEND)
    def full(ls: LayerlintServer, params: types.SemanticTokensParams):
        analysis = ls.analysis(params.text_document.uri)
        if analysis is None:
            return None
        _, data = store.tokens(ls, analysis)
        return types.SemanticTokens(data=data, result_id=store.sent(analysis.uri, data))

    @server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL_DELTA)
    def full_delta(ls: LayerlintServer, params: types.SemanticTokensDeltaParams):
        analysis = ls.analysis(params.text_document.uri)
        if analysis is None:
            return None
        _, data = store.tokens(ls, analysis)
        old = store.previous(analysis.uri, params.previous_result_id)
        result_id = store.sent(analysis.uri, data)
        if old is None:  # unknown or outdated result id: send everything
            return types.SemanticTokens(data=data, result_id=result_id)
        return types.SemanticTokensDelta(edits=delta_edits(old, data), result_id=result_id)

    @server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_RANGE)
    def range_(ls: LayerlintServer, params: types.SemanticTokensRangeParams):
        analysis = ls.analysis(params.text_document.uri)
        if analysis is None:
            return None
        tokens, _ = store.tokens(ls, analysis)
        start = ls.from_lsp_position(analysis, params.range.start)
        end = ls.from_lsp_position(analysis, params.range.end)
        if params.range.end.line >= len(analysis.lines):  # past the end: through the last line
            end = Pos(len(analysis.lines), 0)
        lo = bisect.bisect_left(tokens, (start.line,))
        hi = bisect.bisect_left(tokens, (end.line + 1,))
        inside = [t for t in tokens[lo:hi] if (t[0], t[1] + t[2]) > start and (t[0], t[1]) < end]
        return types.SemanticTokens(data=encode(inside, client_columns(ls, analysis)))
