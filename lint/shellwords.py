"""BuildKit's Dockerfile word lexer: quote removal, word splitting, `$VAR` expansion.

This mirrors `frontend/dockerfile/shell/lex.go`, the lexer BuildKit uses to split
ENV/ARG/COPY/... arguments, to expand variables and to find heredoc openers. It is
not a POSIX shell (no command substitution, no globbing); RUN text goes to a real
shell parser elsewhere. Written by hand because no library implements BuildKit's
dialect (its quote rules, its escape token and its modifier set differ from bash).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from .patterns import lazy_pattern

_SPECIAL_PARAMS = frozenset("@*#?-$!0")
GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                     "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


class ShellLexError(ValueError):
    pass


# What one word may gain by expansion. `ENV A=${A}${A}` doubles A on every line: twenty such
# lines would need a megabyte-sized value and forty a terabyte. Past this budget the word is
# an error (callers then keep it unexpanded); real values stay far below it.
MAX_EXPANSION = 1 << 16


_GO_SPACE_CHARS = "".join(sorted(GO_SPACE))
_GO_SPACE_SPLIT = lazy_pattern("[" + re.escape(_GO_SPACE_CHARS) + "]")


def go_trim(s: str) -> str:
    """Go's strings.TrimSpace (Unicode White_Space, unlike str.strip)."""
    return s.strip(_GO_SPACE_CHARS)


def go_lstrip(s: str) -> str:
    return s.lstrip(_GO_SPACE_CHARS)


class _Words:
    __slots__ = ("words", "word", "in_word")

    def __init__(self) -> None:
        self.words: list[str] = []
        self.word = ""
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if ch in GO_SPACE:
            if self.in_word and self.word:
                self.words.append(self.word)
                self.word = ""
                self.in_word = False
        else:
            self.add_raw(ch)

    def add_raw(self, s: str) -> None:
        self.word += s
        self.in_word = True

    def add_string(self, s: str) -> None:
        """`add_char` for every character of `s` (a run without blanks at once)."""
        for i, piece in enumerate(_GO_SPACE_SPLIT.split(s)):
            if i:  # a blank came before this piece
                self.add_char(" ")
            if piece:
                self.add_raw(piece)

    def result(self) -> list[str]:
        if self.word:
            self.words.append(self.word)
            self.word = ""
            self.in_word = False
        return self.words


class Lex:
    """One BuildKit lexer configuration.

    `env` maps variable names to values. `used` collects every variable name the
    last call referenced, `unset` those that were not in `env`.
    """

    def __init__(self, escape: str = "\\", *, raw_quotes: bool = False, raw_escapes: bool = False,
                 skip_unset_env: bool = False) -> None:
        self.escape = escape
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.skip_unset_env = skip_unset_env
        self.used: list[str] = []
        self.unset: list[str] = []
        self.references: list[tuple[str, int, int]] = []  # (name, start, end) of each `$name` / `${...}`

    # -- public -----------------------------------------------------------------
    def process_word(self, text: str, env: Mapping[str, str] | None = None) -> str:
        if "$" not in text and "'" not in text and '"' not in text and self.escape not in text:
            # nothing to expand, unquote or unescape: the word is itself (most words; the
            # model expands every instruction's words on each edit in the language server)
            self.used, self.unset, self.references = [], [], []
            return text
        return self._run(text, env)[0]

    def process_words(self, text: str, env: Mapping[str, str] | None = None) -> list[str]:
        return self._run(text, env)[1]

    # -- machinery ----------------------------------------------------------------
    def _run(self, text: str, env: Mapping[str, str] | None) -> tuple[str, list[str]]:
        self._s = text
        self._i = 0
        self._env = env or {}
        self.used = []
        self.unset = []
        self.references = []
        self._names: list[str] = []
        self._expanded = 0  # characters added by expansion so far (see MAX_EXPANSION)
        try:
            return self._stop_on(None)
        except RecursionError:
            raise ShellLexError("variable expansion nested too deeply") from None

    def _peek(self) -> str | None:
        return self._s[self._i] if self._i < len(self._s) else None

    def _next(self) -> str | None:
        if self._i < len(self._s):
            ch = self._s[self._i]
            self._i += 1
            return ch
        return None

    def _stop_on(self, stop: str | None) -> tuple[str, list[str]]:
        result: list[str] = []
        words = _Words()
        while (ch := self._peek()) is not None:
            if stop is not None and ch == stop:
                self._i += 1
                return "".join(result), words.result()
            if ch == "'":
                tmp = self._single_quote()
                result.append(tmp)
                words.add_raw(tmp)
            elif ch == '"':
                tmp = self._double_quote()
                result.append(tmp)
                words.add_raw(tmp)
            elif ch == "$":
                tmp = self._dollar()
                result.append(tmp)
                words.add_string(tmp)
            else:
                self._i += 1
                if ch == self.escape:
                    if self.raw_escapes:
                        words.add_raw(ch)
                        result.append(ch)
                    ch = self._next()
                    if ch is None:
                        break
                    words.add_raw(ch)
                else:
                    words.add_char(ch)
                result.append(ch)
        if stop is not None:
            raise ShellLexError(f"unexpected end of statement while looking for matching {stop}")
        return "".join(result), words.result()

    def _single_quote(self) -> str:
        out = []
        q = self._next()
        if self.raw_quotes:
            out.append(q)
        while True:
            ch = self._next()
            if ch is None:
                raise ShellLexError("unexpected end of statement while looking for matching single-quote")
            if ch == "'":
                if self.raw_quotes:
                    out.append(ch)
                return "".join(out)
            out.append(ch)

    def _double_quote(self) -> str:
        out = []
        q = self._next()
        if self.raw_quotes:
            out.append(q)
        while True:
            ch = self._peek()
            if ch is None:
                raise ShellLexError("unexpected end of statement while looking for matching double-quote")
            if ch == '"':
                self._i += 1
                if self.raw_quotes:
                    out.append(ch)
                return "".join(out)
            if ch == "$":
                out.append(self._dollar())
                continue
            self._i += 1
            if ch == self.escape:
                if self.raw_escapes:
                    out.append(ch)
                nxt = self._peek()
                if nxt is None:
                    continue
                if nxt in ('"', "$", self.escape):
                    ch = self._next()
            out.append(ch)

    def _name(self) -> str:
        s, i = self._s, self._i
        if i >= len(s):
            return ""
        ch = s[i]
        if ch.isdigit():
            j = i
            while j < len(s) and s[j].isdigit():
                j += 1
            self._i = j
            return s[i:j]
        if ch in _SPECIAL_PARAMS:
            self._i = i + 1
            return ch
        j = i
        while j < len(s) and (s[j].isalnum() or s[j] == "_"):
            j += 1
        self._i = j
        return s[i:j]

    def _lookup(self, name: str) -> str | None:
        self.used.append(name)
        value = self._env.get(name)
        if value is None:
            self.unset.append(name)
        return value

    def _dollar(self) -> str:
        start = self._i
        at = len(self._names)
        out = self._dollar_body()
        self._expanded += len(out)
        if self._expanded > MAX_EXPANSION:
            raise ShellLexError(f"variable expansion larger than {MAX_EXPANSION} characters")
        if len(self._names) > at:  # the first name read after `start` is this reference's own
            # (a nested reference finished first, so keep the list in source order)
            bisect.insort(self.references, (self._names[at], start, self._i), key=lambda r: r[1])
        return out

    def _dollar_body(self) -> str:
        self._i += 1  # the `$`
        if self._peek() != "{":
            name = self._name()
            if not name:
                return "$"
            self._names.append(name)
            value = self._lookup(name)
            if value is None:
                return "$" + name if self.skip_unset_env else ""
            return value
        self._i += 1  # the `{`
        ch = self._peek()
        if ch is None:
            raise ShellLexError("syntax error: missing '}'")
        if ch in "{}:":
            raise ShellLexError("syntax error: bad substitution")
        name = self._name()
        self._names.append(name)
        op = self._next()
        if op is None:
            raise ShellLexError("syntax error: missing '}'")
        if op == "}":
            value = self._lookup(name)
            if value is None:
                return "${" + name + "}" if self.skip_unset_env else ""
            return value
        colon = op == ":"
        if colon:
            op = self._next()
            if op is None:
                raise ShellLexError("syntax error: missing '}'")
            if op not in "-+?":
                raise ShellLexError(f"unsupported modifier ({op}) in substitution")
        elif op in "#%/":
            if self._peek() == op:  # `##`, `%%`, `//`
                self._i += 1
                op = op * 2
        elif op not in "-+?":
            raise ShellLexError(f"unsupported modifier ({op}) in substitution")
        if op in ("/", "//"):
            pattern = self._stop_on_any("/}")
            if self._s[self._i - 1] == "/":
                word, _ = self._stop_on("}")
            else:
                word = ""
        else:
            try:
                word, _ = self._stop_on("}")
            except ShellLexError:
                if self._peek() is None:
                    raise ShellLexError("syntax error: missing '}'") from None
                raise
        value = self._lookup(name)
        if value is None and self.skip_unset_env:
            return "${" + name + (":" if colon else "") + op + word + "}"
        return self._apply(name, value, op, colon, word if op not in ("/", "//") else (pattern, word))

    def _stop_on_any(self, stops: str) -> str:
        out = []
        while (ch := self._next()) is not None:
            if ch in stops:
                return "".join(out)
            if ch == self.escape and self._peek() is not None:
                out.append(ch)
                ch = self._next()
            out.append(ch)
        raise ShellLexError("syntax error: missing '}'")

    @staticmethod
    def _apply(name: str, value: str | None, op: str, colon: bool, word) -> str:
        empty = value is None or (colon and value == "")
        if op == "-":
            return word if empty else value
        if op == "+":
            return "" if empty else word
        if op == "?":
            if empty:
                what = "is not allowed to be empty" if value == "" else "is not allowed to be unset"
                raise ShellLexError(f"{name}: {word or what}")
            return value
        value = value or ""
        if op in ("#", "##"):
            return _remove_affix(value, word, prefix=True, longest=op == "##")
        if op in ("%", "%%"):
            return _remove_affix(value, word, prefix=False, longest=op == "%%")
        pattern, repl = word
        return _replace(value, _glob_tokens(pattern), repl, every=op == "//")


# -- `${v#pattern}`, `${v%pattern}`, `${v/pattern/repl}` ----------------------------------------
# BuildKit turns the pattern into a Go regexp (RE2: linear time). A Python regexp of several
# `.*` backtracks in polynomial time of a high degree (`*a*a*b` on a long value never ends),
# so the patterns are matched here by a small automaton instead, in time proportional to
# len(value) * len(pattern). Patterns are sequences of literals, `?` and `*`, for which
# leftmost-first matching (Go's) finds the longest match with greedy stars and the shortest
# with lazy ones.
_STAR, _ANY = object(), object()


def _glob_tokens(pattern: str) -> list:
    """`*`, `?` and literal characters (`\\x` is a literal x), no `[...]` classes."""
    out: list = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i + 1])
            i += 2
            continue
        out.append(_STAR if ch == "*" else _ANY if ch == "?" else ch)
        i += 1
    return out


def _closure(tokens: list, states: set[int]) -> set[int]:
    """Add the states reached by letting stars match nothing."""
    for k in sorted(states):
        while k < len(tokens) and tokens[k] is _STAR:
            k += 1
            states.add(k)
    return states


def _step(tokens: list, states: set[int], ch: str) -> set[int]:
    nxt = set()
    for k in states:
        if k < len(tokens):
            t = tokens[k]
            if t is _STAR:
                nxt.add(k)
            elif t is _ANY or t == ch:
                nxt.add(k + 1)
    return _closure(tokens, nxt)


def _match_ends(tokens: list, text: str, start: int = 0):
    """Every end offset of a match of the whole pattern at `text[start:]`, ascending."""
    states = _closure(tokens, {0})
    i = start
    while states:
        if len(tokens) in states:
            yield i
        if i == len(text):
            return
        states = _step(tokens, states, text[i])
        i += 1


def _remove_affix(value: str, pattern: str, *, prefix: bool, longest: bool) -> str:
    tokens = _glob_tokens(pattern)
    if not prefix:  # the shortest or longest suffix is a prefix of the reversed texts
        tokens, text = tokens[::-1], value[::-1]
    else:
        text = value
    n = None
    for n in _match_ends(tokens, text):
        if not longest:
            break
    if n is None:
        return value
    return value[n:] if prefix else value[: len(value) - n]


def _find(tokens: list, text: str, pos: int) -> tuple[int, int] | None:
    """The leftmost match at or after `pos`, longest at that start (Go's FindStringIndex of
    the greedy regexp): one pass, each state keeping the earliest start that reached it."""
    best: tuple[int, int] | None = None
    live: dict[int, int] = {}  # state -> earliest start
    final = len(tokens)
    for i in range(pos, len(text) + 1):
        if best is None:  # a later start cannot beat a match already found
            for k in _closure(tokens, {0}):
                live.setdefault(k, i)
        if final in live and (best is None or live[final] <= best[0]):  # more leftmost, or longer
            best = (live[final], i)
        if best is not None:
            live = {k: s for k, s in live.items() if s <= best[0]}
        if not live or i == len(text):
            break
        nxt: dict[int, int] = {}
        for k, s in live.items():
            for k2 in _step(tokens, {k}, text[i]):
                if k2 not in nxt or s < nxt[k2]:
                    nxt[k2] = s
        live = nxt
    return best


def _replace(value: str, tokens: list, repl: str, *, every: bool) -> str:
    """`${v/pattern/repl}` (first match) and `${v//pattern/repl}` (Go's ReplaceAllString)."""
    if not every:
        m = _find(tokens, value, 0)
        return value if m is None else value[:m[0]] + repl + value[m[1]:]
    out: list[str] = []
    last_end, pos = 0, 0
    while pos <= len(value):
        m = _find(tokens, value, pos)
        if m is None:
            break
        out.append(value[last_end:m[0]])
        if m[1] > last_end or m[0] == 0:  # not an empty match right after the previous one
            out.append(repl)
        last_end = m[1]
        pos = max(m[1], pos + 1)  # always advance at least one character
    out.append(value[last_end:])
    return "".join(out)


_VAR_REF = lazy_pattern(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")


def referenced_names(text: str) -> list[str]:
    """Names of `$VAR` / `${VAR...}` references in `text` (a quick scan, no quoting rules)."""
    return [a or b for a, b in _VAR_REF.findall(text)]


__all__ = ["Lex", "ShellLexError", "go_trim", "go_lstrip", "GO_SPACE", "referenced_names"]
