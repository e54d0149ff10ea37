"""Dockerfile text -> `ast.Dockerfile`, the way BuildKit reads it.

Three steps, as in BuildKit:

1. `lines.LineReader` turns physical lines into logical instruction lines
   (directives, escape character, continuations, comments).
2. The Lark grammar (`grammar/dockerfile.lark`, LALR + contextual lexer, cached)
   splits each logical line into keyword, flags and arguments; the arguments are
   then shaped per instruction like BuildKit's line parsers do (JSON or shell
   form, words, key=value pairs, HEALTHCHECK type, ONBUILD trigger), and heredoc
   bodies are read for RUN/COPY/ADD in shell form.
3. The checks BuildKit makes right after parsing (unknown instruction, flags,
   argument counts, ONBUILD triggers, stage names) are recorded as `ParseIssue`s.

Nothing here raises on bad input: every problem becomes a positioned issue on the
instruction (or the file) and parsing goes on with the next instruction.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache

from .ast import Dockerfile, Flag, Heredoc, Instruction, KeyValue, Mount, ParseIssue, Pos, Range, Word
from .lines import LineReader, LogicalLine
from .shellwords import GO_SPACE, Lex, ShellLexError, go_lstrip, go_trim
from .patterns import lazy_pattern

KEYWORDS = ("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
            "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR")
HEREDOC_INSTRUCTIONS = ("RUN", "COPY", "ADD")
_WS = "\t\x0b\x0c\r "
_ASCII_SPACE = "\t\n\x0b\x0c\r "
_WS_SPLIT = lazy_pattern(r"[^\t\x0b\x0c\r ]+")
_HEREDOC_WORD = lazy_pattern(r"^(\d*)<<(-?)([^<]*)$", re.S)
_JSON_STRING = lazy_pattern(r'"(?:[^"\\]|\\.)*"', re.S)
_STAGE_NAME = lazy_pattern(r"^[a-z][a-z0-9\-_.]*$")

# Flags BuildKit accepts per instruction: name -> kind ("string", "bool", "list").
FLAG_SPECS: dict[str, dict[str, str]] = {
    "FROM": {"platform": "string"},
    "RUN": {"mount": "list", "network": "string", "security": "string", "device": "list"},
    "COPY": {"from": "string", "chown": "string", "chmod": "string", "link": "bool", "parents": "bool",
             "exclude": "list"},
    "ADD": {"chown": "string", "chmod": "string", "link": "bool", "keep-git-dir": "bool", "checksum": "string",
            "unpack": "bool", "exclude": "list"},
    "HEALTHCHECK": {"interval": "string", "timeout": "string", "start-period": "string",
                    "start-interval": "string", "retries": "string"},
}
_NO_FLAG_CHECK = ("ARG", "STOPSIGNAL")
MOUNT_TYPES = ("bind", "cache", "tmpfs", "secret", "ssh")
MOUNT_KEYS = ("type", "from", "source", "src", "target", "dst", "destination", "readonly", "ro", "readwrite",
              "rw", "required", "size", "id", "sharing", "mode", "uid", "gid", "env", "rbind")
# Go's time.ParseDuration: "0", or numbers each with a unit. (Each number needs its unit: the
# older `(?:0|number unit)+` also took "00" and "0s0", and backtracked quadratically on a long
# run of zeros.)
_DURATION = lazy_pattern(r"^(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$")


@lru_cache(maxsize=1)
def _lark():
    from layerlint.grammar import line_parser

    return line_parser()


def suggest(word: str, candidates) -> str | None:
    """BuildKit-style did-you-mean: the closest candidate, if close enough."""
    import difflib

    lowered = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


class InstructionCache:
    """The instructions of the previous parse of one document, reused by the next parse where
    their source is unchanged (the language server re-parses on every edit; typing inside one
    instruction then costs one instruction's parse). An entry is keyed by everything the
    instruction is built from: its logical line, where each piece of it sits, the comments
    attached to it and the escape character. Instructions that may read heredoc bodies from the
    lines below are not cached. Parsed instructions are never mutated afterwards."""

    def __init__(self) -> None:
        self._previous: dict = {}
        self._current: dict = {}
        self.reused = 0

    def start(self) -> None:
        self._previous, self._current, self.reused = self._current, {}, 0

    def build(self, ll: LogicalLine, reader: LineReader) -> Instruction:
        if "<<" in ll.text:
            return _build(ll, reader)
        end = ll.end_line
        key = (ll.text, tuple(ll.anchors), tuple((c.range, c.text) for c in ll.comments), reader.escape,
               ll.empty_continuation, end, len(reader.lines[end]) if end < len(reader.lines) else 0)
        ins = self._previous.get(key)
        if ins is None:
            ins = _build(ll, reader)
        else:
            self.reused += 1
        self._current[key] = ins
        return ins


def parse(text: str, path: str | None = None, cache: InstructionCache | None = None) -> Dockerfile:
    """Parse Dockerfile text. Never raises on any input. With `cache`, instructions unchanged
    since the previous parse through the same cache are reused."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = LineReader(text)
    instructions: list[Instruction] = []
    if cache is not None:
        cache.start()
    while (ll := reader.next_line()) is not None:
        instructions.append(cache.build(ll, reader) if cache is not None else _build(ll, reader))
    issues = list(reader.issues)
    if not instructions:
        last = max(len(reader.lines) - 1, 0)
        issues.append(ParseIssue("syntax", "file with no instructions", Range(Pos(last, 0), Pos(last, 0))))
    doc = Dockerfile(text, reader.lines, instructions, reader.comments, reader.directives, issues,
                     reader.escape, path)
    _check_stages(doc)
    return doc


def _build(ll: LogicalLine, reader: LineReader) -> Instruction:
    ins = _Builder(ll, reader.escape).build()
    _read_heredocs(ins, ll, reader)
    if ll.empty_continuation:
        ins.issues.append(ParseIssue(
            "empty-continuation", "Empty continuation line found in instruction", ins.keyword_range))
    return ins


# -- heredocs -------------------------------------------------------------------------
def can_contain_heredoc(ins: Instruction) -> bool:
    target = ins.trigger if ins.keyword == "ONBUILD" and ins.trigger is not None else ins
    return target.keyword in HEREDOC_INSTRUCTIONS and not target.json


def heredoc_openers(line: str) -> list[tuple[str, int, bool, bool, str]]:
    """Heredoc openers on a logical line: (name, fd, chomp, expand, word), in order.

    Like BuildKit: the line is split into words with a raw-quoting lexer that
    always uses `\\` as escape; a word `[digits]<<[-]WORD` opens a heredoc.
    Raises ShellLexError for a badly quoted delimiter (BuildKit's parse error).
    """
    if "<<" not in line:  # every opener contains `<<`; skip the lexer for the common case
        return []
    try:
        words = Lex("\\", raw_quotes=True, raw_escapes=True, skip_unset_env=True).process_words(line)
    except ShellLexError:
        return []
    out = []
    for word in words:
        m = _HEREDOC_WORD.match(word)
        if not m or not m.group(3):
            continue
        rest = m.group(3)
        names = Lex("\\", skip_unset_env=True).process_words(rest)
        if len(names) != 1:
            continue
        raw = Lex("\\", raw_quotes=True, skip_unset_env=True).process_words(rest)
        quotes = names[0].count("'") + names[0].count('"')
        raw_quotes = raw[0].count("'") + raw[0].count('"') if raw else quotes
        out.append((names[0], int(m.group(1) or 0), m.group(2) == "-", quotes == raw_quotes, word))
    return out


def _read_heredocs(ins: Instruction, ll: LogicalLine, reader: LineReader) -> None:
    end_line = ll.end_line
    if can_contain_heredoc(ins):
        try:
            openers = heredoc_openers(ll.text)
        except ShellLexError as e:
            ins.issues.append(ParseIssue("syntax", str(e), ins.args_range or ins.keyword_range))
            openers = []
        search_from = 0
        for name, fd, chomp, expand, word in openers:
            at = ll.text.find(word, search_from)
            search_from = at + len(word) if at >= 0 else search_from
            opener = ll.range(at, at + len(word)) if at >= 0 else ins.keyword_range
            content, first, last, ok = reader.read_heredoc(name, chomp)
            end_line = last
            body_end = Pos(last, len(reader.lines[last]) if last < len(reader.lines) else 0)
            # an unterminated heredoc opened on the last line has no body line: keep
            # its (empty) body range at the end of the document
            body_start = Pos(first, 0) if first <= last else body_end
            doc = Heredoc(name, fd, content, expand, chomp, opener, Range(body_start, body_end), ok)
            ins.heredocs.append(doc)
            if not ok:
                ins.issues.append(ParseIssue("syntax", "unterminated heredoc", opener))
                break
    ins.end_line = end_line + 1
    end = Pos(end_line, len(reader.lines[end_line]) if end_line < len(reader.lines) else 0)
    ins.range = Range(ins.range.start, end)
    target = ins.trigger if ins.trigger is not None else ins
    if ins.heredocs and target is not ins:
        target.heredocs = ins.heredocs
    if ins.heredocs:
        ins.original = ins.original + "\n" + "".join(h.content + h.name + "\n" for h in ins.heredocs)


# -- one instruction -------------------------------------------------------------------
class _Builder:
    """Builds one Instruction (and its ONBUILD trigger) from a logical line."""

    def __init__(self, ll: LogicalLine, escape: str) -> None:
        self.ll = ll
        self.escape = escape
        self._depth = 0

    def build(self) -> Instruction:
        ins = self._node(0, self.ll.text)
        if ins.trigger is not None:  # the `dockerfile` package reports the trigger's values
            ins.value = list(ins.trigger.value)
            ins.json = ins.trigger.json
        ins.comments = self.ll.comments
        ins.line_text = self.ll.text
        ins.offsets = tuple(self.ll.anchors)
        return ins

    def _rng(self, start: int, end: int) -> Range:
        return self.ll.range(start, end)

    def _node(self, base: int, line: str) -> Instruction:
        """newNodeFromLine: `line` starts at offset `base` of the logical line."""
        trimmed = go_trim(line)
        lead = base + (len(line) - len(go_lstrip(line)))
        if not trimmed:
            # e.g. a line holding only the escape character at the end of the file:
            # BuildKit makes a node with an empty keyword (an unknown instruction at
            # the next level), not a parse error
            ins = Instruction("", self.ll.text if base == 0 else line, self.ll.start_line + 1,
                              self.ll.end_line + 1, [], [""])
            ins.range = ins.keyword_range = self._rng(lead, lead)
            self._validate(ins)
            return ins
        try:
            # KEYWORD, then `flag` subtrees of one FLAG each, END_OF_FLAGS, ARGUMENTS, in order
            # (the stand-alone parser's trees have `children` but not lark's `scan_values`)
            tokens = [tok for child in _lark().parse(trimmed).children
                      for tok in getattr(child, "children", (child,))]
        except Exception as exc:  # the grammar accepts every non-empty line; be safe anyway
            ins = Instruction(trimmed.split(" ")[0], line, self.ll.start_line + 1, self.ll.end_line + 1, [], [])
            ins.range = self._rng(lead, lead + len(trimmed))
            ins.keyword_range = ins.range
            ins.issues.append(ParseIssue("syntax", f"cannot parse instruction: {exc}", ins.range))
            return ins
        kw_tok = tokens[0]
        keyword = str(kw_tok)
        ins = Instruction(keyword, self.ll.text if base == 0 else line, self.ll.start_line + 1,
                          self.ll.end_line + 1, [], [])
        ins.keyword_range = self._rng(lead + kw_tok.start_pos, lead + kw_tok.end_pos)
        ins.range = Range(ins.keyword_range.start, self._rng(lead, lead + len(trimmed)).end)
        args = ""
        args_at = lead + len(trimmed)
        for tok in tokens[1:]:
            if tok.type == "FLAG":
                if _unquote_flag(str(tok)) == "--":
                    # a flag word that is `--` once its quotes are removed (`--""`)
                    # ends the flags like a bare `--` (extractBuilderFlags)
                    args_at = lead + tok.end_pos
                    args = trimmed[tok.end_pos:]
                    break
                ins.flag_nodes.append(self._flag(str(tok), lead + tok.start_pos))
            elif tok.type == "ARGUMENTS":
                args = str(tok)
                args_at = lead + tok.start_pos
        # splitCommand's strings.TrimSpace: the grammar skips only ASCII blanks, so
        # Unicode spaces (U+00A0, U+2003, ...) may still lead the arguments
        stripped = go_lstrip(args)
        args_at += len(args) - len(stripped)
        args = stripped
        ins.flags = [f.text for f in ins.flag_nodes]
        if ins.keyword == "RUN":
            ins.mounts = [parse_mount(f) for f in ins.flag_nodes if f.name == "mount" and f.value]
        ins.args_text = args
        ins.args_offset = args_at
        ins.args_range = self._rng(args_at, args_at + len(args)) if args else None
        self._shape(ins, args, args_at)
        self._validate(ins)
        return ins

    # -- flags ------------------------------------------------------------------------
    def _flag(self, raw: str, at: int) -> Flag:
        text = _unquote_flag(raw)
        body = text[2:]
        name, eq, value = body.partition("=")
        raw_eq = _raw_equals(raw)
        name_end = at + (raw_eq if raw_eq >= 0 else len(raw))
        rng = self._rng(at, at + len(raw))
        value_range = self._rng(at + raw_eq + 1, at + len(raw)) if raw_eq >= 0 else None
        return Flag(name, value if eq else None, raw, rng, self._rng(at, name_end), value_range)

    # -- arguments ----------------------------------------------------------------------
    def _shape(self, ins: Instruction, args: str, at: int) -> None:
        kw = ins.keyword
        if kw in ("RUN", "CMD", "ENTRYPOINT", "SHELL"):
            self._maybe_json(ins, args, at, to_list=False)
        elif kw in ("ADD", "COPY", "VOLUME"):
            self._maybe_json(ins, args, at, to_list=True)
        elif kw in ("FROM", "EXPOSE"):
            self._split_ws(ins, args, at)
        elif kw in ("MAINTAINER", "STOPSIGNAL", "USER", "WORKDIR"):
            if args:
                ins.value = [args]
                ins.words = [Word(args, self._rng(at, at + len(args)))]
        elif kw == "ARG":
            spans: list[tuple[int, int]] = []
            words = self._parse_words(args, at, spans)
            ins.words = words
            ins.value = [w.text for w in words]
            for w, (a, b) in zip(words, spans):
                key, eq, value = w.text.partition("=")
                # offsets, not columns: a word may go on after a line continuation
                vword = Word(value, self._rng(a + len(key) + 1, b)) if eq else None
                ins.pairs.append(KeyValue(Word(key, self._rng(a, a + len(key))), vword))
        elif kw in ("ENV", "LABEL"):
            self._name_val(ins, args, at)
        elif kw == "HEALTHCHECK":
            self._healthcheck(ins, args, at)
        elif kw == "ONBUILD":
            if args and self._depth < 8:
                self._depth += 1
                ins.trigger = self._node(at, args)
                self._depth -= 1
                ins.trigger.parent = ins
                ins.value = [""]  # BuildKit: an ONBUILD node's own value is an empty node
            elif args:  # deeper nesting is an error anyway; do not recurse without bound
                ins.issues.append(ParseIssue("onbuild", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                                             self._rng(at, at + len(args))))
        else:
            ins.value = [""]  # BuildKit's parseIgnore keeps an empty node

    def _maybe_json(self, ins: Instruction, args: str, at: int, *, to_list: bool) -> None:
        if not args and not to_list:
            return
        items, err = _parse_json_array(args)
        if err:
            ins.issues.append(ParseIssue("syntax", err, self._rng(at, at + len(args))))
        if items is not None:
            ins.json = True
            ins.value = [s for s, _, _ in items]
            ins.words = [Word(s, self._rng(at + a, at + b)) for s, a, b in items]
            return
        if to_list:
            self._split_ws(ins, args, at)
        else:
            ins.value = [args]
            ins.words = [Word(args, self._rng(at, at + len(args)))]

    def _split_ws(self, ins: Instruction, args: str, at: int) -> None:
        if not args:
            return
        ins.words = [Word(m.group(), self._rng(at + m.start(), at + m.end())) for m in _WS_SPLIT.finditer(args)]
        ins.value = [w.text for w in ins.words]

    def _parse_words(self, rest: str, at: int, spans: list[tuple[int, int]] | None = None) -> list[Word]:
        """BuildKit's parseWords: quotes and escapes are kept in the words.

        The text of a word is its source text (less an escape character ending
        `rest`); `spans` receives each word's (start, end) logical offsets.
        """
        esc = self.escape
        words: list[Word] = []
        word: list[str] = []
        start = 0
        phase = 0  # 0 spaces, 1 word, 2 quote
        quote = ""
        blank_ok = False
        pos, n = 0, len(rest)
        while pos <= n:
            ch = rest[pos] if pos < n else ""
            if phase == 0:
                if pos == n:
                    break
                if ch in GO_SPACE:
                    pos += 1
                    continue
                phase = 1
                start = pos
            if pos == n:
                if blank_ok or word:
                    words.append(Word("".join(word), self._rng(at + start, at + pos)))
                    if spans is not None:
                        spans.append((at + start, at + pos))
                break
            if phase == 1:
                if ch in GO_SPACE:
                    phase = 0
                    if blank_ok or word:
                        words.append(Word("".join(word), self._rng(at + start, at + pos)))
                        if spans is not None:
                            spans.append((at + start, at + pos))
                    word = []
                    blank_ok = False
                    pos += 1
                    continue
                if ch in "'\"":
                    quote = ch
                    blank_ok = True
                    phase = 2
                if ch == esc:
                    if pos + 1 == n:
                        pos += 1
                        continue
                    word.append(ch)
                    pos += 1
                    ch = rest[pos]
                word.append(ch)
                pos += 1
                continue
            # phase == 2, inside quotes
            if ch == quote:
                phase = 1
            if ch == esc and quote != "'":
                if pos + 1 == n:
                    phase = 1
                    pos += 1
                    continue
                pos += 1
                word.append(ch)
                ch = rest[pos]
            word.append(ch)
            pos += 1
        return words

    def _name_val(self, ins: Instruction, args: str, at: int) -> None:
        spans: list[tuple[int, int]] = []
        words = self._parse_words(args, at, spans)
        ins.words = words
        if not words:
            return
        if "=" not in words[0].text:
            parts = re.split(r"[\t\x0b\x0c\r ]+", args, maxsplit=1)
            if len(parts) < 2:
                ins.issues.append(ParseIssue("syntax", f"{ins.keyword} must have two arguments",
                                             self._rng(at, at + len(args))))
                ins.value = [parts[0]]
                ins.pairs.append(KeyValue(words[0], None, legacy=True))
                return
            vstart = len(args) - len(parts[1])
            ins.value = parts
            ins.pairs.append(KeyValue(Word(parts[0], self._rng(at, at + len(parts[0]))),
                                      Word(parts[1], self._rng(at + vstart, at + len(args))), legacy=True))
            return
        for w, (a, b) in zip(words, spans):
            if "=" not in w.text:
                ins.issues.append(ParseIssue(
                    "syntax", f"Syntax error - can't find = in {json.dumps(w.text)}. Must be of the form: name=value",
                    w.range))
                continue
            key, _, value = w.text.partition("=")
            ins.value.extend([key, value])
            # offsets, not columns: a word may go on after a line continuation
            ins.pairs.append(KeyValue(Word(key, self._rng(a, a + len(key))),
                                      Word(value, self._rng(a + len(key) + 1, b))))

    def _healthcheck(self, ins: Instruction, args: str, at: int) -> None:
        # parseHealthConfig tests single bytes with unicode.IsSpace, so only ASCII
        # blanks separate the type from the command (U+00A0 after `CMD ` is kept)
        sep = 0
        while sep < len(args) and args[sep] not in _ASCII_SPACE:
            sep += 1
        if sep == 0:
            return
        nxt = sep
        while nxt < len(args) and args[nxt] in _ASCII_SPACE:
            nxt += 1
        ins.words = [Word(args[:sep], self._rng(at, at + sep))]
        ins.value = [args[:sep]]
        rest = args[nxt:]
        if rest:
            items, err = _parse_json_array(rest)
            if err:
                ins.issues.append(ParseIssue("syntax", err, self._rng(at + nxt, at + len(args))))
            if items is not None:
                ins.json = True
                ins.value += [s for s, _, _ in items]
                ins.words += [Word(s, self._rng(at + nxt + a, at + nxt + b)) for s, a, b in items]
            else:
                ins.value.append(rest)
                ins.words.append(Word(rest, self._rng(at + nxt, at + len(args))))

    # -- BuildKit's instruction-level checks -----------------------------------------------
    def _validate(self, ins: Instruction) -> None:
        kw = ins.keyword
        issues = ins.issues
        if kw not in KEYWORDS:
            hint = suggest(ins.instruction, KEYWORDS)
            msg = f"unknown instruction: {ins.instruction}"
            if hint:
                msg += f" (did you mean {hint.lower() if ins.instruction.islower() else hint}?)"
            issues.append(ParseIssue("unknown-instruction", msg, ins.keyword_range,
                                     suggestion=(hint.lower() if ins.instruction.islower() else hint) if hint else None))
            return
        self._validate_flags(ins)
        n = len(ins.value)
        whole = ins.args_range or ins.keyword_range
        if kw == "FROM":
            if n not in (1, 3):
                issues.append(ParseIssue("arguments", "FROM requires either one or three arguments", whole))
            elif n == 3:
                if ins.value[1].lower() != "as":
                    issues.append(ParseIssue(
                        "arguments", 'When using FROM with three arguments, second argument must be "AS"',
                        ins.words[1].range))
                elif not _STAGE_NAME.match(ins.value[2].lower()):
                    issues.append(ParseIssue(
                        "arguments", f"invalid name for build stage: {json.dumps(ins.value[2])}, "
                                     "name can't start with a number or contain symbols", ins.words[2].range))
        elif kw in ("ADD", "COPY"):
            if n < 2:
                issues.append(ParseIssue("arguments", f"{kw} requires at least two arguments" + (
                    ", but only one was provided. Destination could not be determined." if n == 1 else ""), whole))
        elif kw in ("MAINTAINER", "USER", "WORKDIR", "STOPSIGNAL"):
            if n == 0:
                issues.append(ParseIssue("arguments", f"{kw} requires exactly one argument", whole))
        elif kw in ("EXPOSE", "VOLUME", "ONBUILD", "SHELL", "ENV", "LABEL", "HEALTHCHECK"):
            if n == 0 and not any(i.kind == "syntax" for i in issues):
                issues.append(ParseIssue("arguments", f"{kw} requires at least one argument", whole))
            elif kw == "SHELL" and not ins.json:
                issues.append(ParseIssue("arguments", "SHELL requires the arguments to be in JSON form", whole))
            elif kw == "VOLUME" and any(not v.strip() for v in ins.value):
                issues.append(ParseIssue("arguments", "VOLUME specified can not be an empty string", whole))
            elif kw == "HEALTHCHECK":
                typ = ins.value[0].upper()
                if typ == "NONE":
                    if n > 1:
                        issues.append(ParseIssue("arguments", "HEALTHCHECK NONE takes no arguments", whole))
                elif typ != "CMD":
                    issues.append(ParseIssue("arguments", f'Unknown type "{ins.value[0]}" in HEALTHCHECK (try CMD)',
                                             ins.words[0].range))
                elif n < 2:
                    issues.append(ParseIssue("arguments", "Missing command after HEALTHCHECK CMD", whole))
            elif kw == "ONBUILD" and ins.trigger is not None:
                t = ins.trigger.keyword
                if t == "ONBUILD":
                    issues.append(ParseIssue("onbuild", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                                             ins.trigger.keyword_range))
                elif t in ("FROM", "MAINTAINER"):
                    issues.append(ParseIssue("onbuild", f"{t} isn't allowed as an ONBUILD trigger",
                                             ins.trigger.keyword_range))
        elif kw == "ARG":
            for p in ins.pairs:
                if not p.key.text:
                    issues.append(ParseIssue("arguments", "ARG names can not be blank", p.key.range))

    def _validate_flags(self, ins: Instruction) -> None:
        kw = ins.keyword
        if kw in _NO_FLAG_CHECK or (kw == "HEALTHCHECK" and ins.value[:1] and ins.value[0].upper() == "NONE"):
            return
        spec = FLAG_SPECS.get(kw, {})
        seen: set[str] = set()
        for f in ins.flag_nodes:
            kind = spec.get(f.name)
            if kind is None:
                hint = suggest(f.name, spec) if spec else None
                msg = f"unknown flag: --{f.name}" + (f" (did you mean --{hint}?)" if hint else "")
                ins.issues.append(ParseIssue("flag", msg, f.name_range, suggestion=f"--{hint}" if hint else None))
                continue
            if f.name in seen and kind != "list":
                ins.issues.append(ParseIssue("flag", f"duplicate flag specified: --{f.name}", f.range))
            seen.add(f.name)
            if kind == "bool":
                if f.value is not None and f.value.lower() not in ("true", "false"):
                    ins.issues.append(ParseIssue(
                        "flag", f"expecting boolean value for flag {f.name}, not: {f.value}", f.value_range or f.range))
                continue
            if f.value is None or (kind == "list" and f.value == ""):
                ins.issues.append(ParseIssue("flag", f"missing a value on flag: --{f.name}", f.range))
                continue
            self._validate_flag_value(ins, f)

    def _validate_flag_value(self, ins: Instruction, f: Flag) -> None:
        where = f.value_range or f.range
        value = f.value or ""
        bad = None
        if f.name == "network" and value not in ("default", "none", "host"):
            bad = f"unsupported network mode: {value}"
        elif f.name == "security" and value not in ("sandbox", "insecure"):
            bad = f"unsupported security mode: {value}"
        elif f.name == "mount":
            bad = _check_mount(value)
        elif f.name == "from" and "$" in value:
            bad = ("variable expansion is not supported for --from, define a new stage with FROM using ARG "
                   "from global scope as a workaround")
        elif ins.keyword == "HEALTHCHECK" and "$" not in value:
            if f.name == "retries":
                if not re.fullmatch(r"-?\d+", value) or int(value) < 0:
                    bad = f"--retries must be a non-negative integer, not {value}" if re.fullmatch(r"-?\d+", value) \
                        else f'parsing "{value}": invalid syntax'
            elif not _DURATION.match(value):
                bad = f'time: invalid duration "{value}"'
        if bad:
            ins.issues.append(ParseIssue("flag", bad, where))


def _mount_fields(value: str) -> list[tuple[str, int]]:
    """BuildKit reads --mount with a CSV reader: (field, offset in value) pairs."""
    import csv

    if '"' not in value:  # the common case: plain commas, offsets are exact
        out, at = [], 0
        for part in value.split(","):
            out.append((part, at))
            at += len(part) + 1
        return out
    try:
        return [(f, -1) for f in next(csv.reader([value]))]
    except (csv.Error, StopIteration):
        return [(f, -1) for f in value.split(",")]


def parse_mount(flag: Flag) -> Mount:
    value = flag.value or ""
    options: dict[str, str] = {}
    ranges: dict[str, Range] = {}
    exact = flag.value_range is not None and flag.raw.endswith(value) and \
        flag.value_range.start.line == flag.value_range.end.line
    for part, at in _mount_fields(value):
        key, _, val = part.partition("=")
        k = key.strip().lower()
        options[k] = val.strip()
        if exact and at >= 0:
            start = flag.value_range.start
            col = start.column + at + len(key) + 1
            ranges[k] = Range(Pos(start.line, col), Pos(start.line, col + len(val)))
    mtype = options.get("type", "bind").lower() or "bind"
    return Mount(mtype, options, flag, ranges)


def _check_mount(value: str) -> str | None:
    fields = {}
    for part, _ in _mount_fields(value):
        key, eq, val = part.partition("=")
        key = key.strip().lower()
        if key == "from" and "$" in val:
            return "'from' doesn't support variable expansion, define alias stage instead"
        if "$" in part:  # other values are expanded by BuildKit first; do not guess
            continue
        if key not in MOUNT_KEYS:
            return f"unexpected key '{key}' in '{part}'"
        fields[key] = val
        if key == "type" and val.lower() not in MOUNT_TYPES:
            return f"unsupported mount type {val!r}"
        if key == "sharing" and val.lower() not in ("shared", "private", "locked"):
            return f"unsupported sharing value {val!r}"
    mtype = fields.get("type", "bind").lower()
    if mtype == "secret" and not ({"source", "src", "target", "dst", "destination", "id"} & fields.keys()):
        return "invalid secret mount: one of source, target or id is required"
    return None


def _unquote_flag(raw: str) -> str:
    """extractBuilderFlags' word processing: quotes removed, `\\` escapes the next char."""
    out: list[str] = []
    quote = ""
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == "\\":
                if i + 1 < n:
                    i += 1
                    out.append(raw[i])
            else:
                out.append(ch)
        elif ch in "'\"":
            quote = ch
        elif ch == "\\":
            if i + 1 < n:
                i += 1
                out.append(raw[i])
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _raw_equals(raw: str) -> int:
    """Offset of the first unquoted `=` in a raw flag, or -1."""
    quote = ""
    i = 0
    while i < len(raw):
        ch = raw[i]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == "\\":
                i += 1
        elif ch in "'\"":
            quote = ch
        elif ch == "\\":
            i += 1
        elif ch == "=":
            return i
        i += 1
    return -1


def _reject_constant(name: str):
    raise ValueError(name)


def _go_number(text: str):
    # Go decodes JSON numbers into float64: one out of its range fails the whole
    # decode (so the instruction is in shell form) instead of being a non-string
    value = float(text)
    if math.isinf(value):
        raise ValueError(text)
    return value


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_go_number, parse_int=_go_number)


def _parse_json_array(args: str) -> tuple[list[tuple[str, int, int]] | None, str | None]:
    """BuildKit's parseJSON: ([(item, start, end)], error) or (None, None) for shell form.

    Like Go's json.Decoder, only the first JSON value is read; text after it is
    ignored. A valid array with a non-string element is a parse error.
    """
    rest = go_lstrip(args)
    skip = len(args) - len(rest)
    if not rest.startswith("["):
        return None, None
    try:
        value, end = _DECODER.raw_decode(rest)
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(value, list):
        return None, None
    if not all(isinstance(v, str) for v in value):
        return None, "when using JSON array syntax, arrays must be comprised of strings only"
    spans = [(m.start() + skip, m.end() + skip) for m in _JSON_STRING.finditer(rest, 0, end)]
    items = []
    for v, (a, b) in zip(value, spans):
        # Go replaces invalid surrogate escapes with U+FFFD
        v = v.encode("utf-16", "surrogatepass").decode("utf-16", "replace") if _has_surrogate(v) else v
        items.append((v, a, b))
    return items, None


def _has_surrogate(s: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in s)


def _check_stages(doc: Dockerfile) -> None:
    """Only ARG may come before the first FROM (BuildKit: "no build stage in current context").
    A file-level issue: whether an instruction is before the first FROM depends on the rest of
    the file, and instructions are shared between parses (InstructionCache)."""
    for ins in doc.instructions:
        if ins.keyword == "FROM":
            return
        if ins.keyword in KEYWORDS and ins.keyword != "ARG":
            doc.issues.append(ParseIssue("no-stage", "no build stage in current context", ins.keyword_range))
