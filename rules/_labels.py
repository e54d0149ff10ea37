"""Shared pieces of the LABEL rules (DL3048-DL3056, DL3058): keys and values as
BuildKit sees them, and the value checks of the `label-schema` types.

BuildKit removes quotes from LABEL keys and values and expands `$VAR` in both with
the ARG and ENV values in scope. The rules judge that result; a key or value that
uses a variable without a known value is unknown at lint time and is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from layerlint.ast import KeyValue, Range
from layerlint.rule import Rule
from layerlint.rules._spdx import EXCEPTION_IDS, LICENSE_IDS
from layerlint.shellwords import Lex, ShellLexError
from layerlint.patterns import lazy_pattern


@dataclass(slots=True)
class LabelPair:
    pair: KeyValue
    key: str | None  # None: depends on a variable without a known value
    value: str | None  # None: idem

    @property
    def key_range(self) -> Range:
        return self.pair.key.range

    @property
    def value_range(self) -> Range:
        v = self.pair.value
        if v is None or v.range.start == v.range.end:
            return self.pair.key.range
        return v.range


def _resolve(text: str, env: dict[str, str], escape: str) -> str | None:
    lex = Lex(escape)
    try:
        out = lex.process_word(text, env)
    except ShellLexError:
        return None
    return None if lex.unset else out


def label_pairs(ins, ctx) -> list[LabelPair]:
    """The key=value pairs of a LABEL, unquoted and expanded as BuildKit does."""
    target = ins.parent if ins.parent is not None else ins
    scope = ctx.model.scope_at.get(id(target))
    env = scope.values() if scope else {}
    escape = ctx.dockerfile.escape
    out = []
    for p in ins.pairs:
        key = _resolve(p.key.text, env, escape)
        value = _resolve(p.value.text, env, escape) if p.value is not None else ""
        out.append(LabelPair(p, key, value))
    return out


# -- value checks of the label-schema types --------------------------------------------
_SCHEME = lazy_pattern(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_URI_CHARS = lazy_pattern(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$")


def is_url(value: str) -> bool:
    """An absolute URI as RFC 3986 defines it (what hadolint's `parseURI` accepts)."""
    v = value.strip()
    m = _SCHEME.match(v)
    if not m:
        return False
    rest = v[m.end():]
    rest, _, fragment = rest.partition("#")
    if "#" in fragment or not _URI_CHARS.match(fragment):
        return False
    if rest.startswith("//"):  # authority: an IP literal may use brackets
        end = len(rest)
        for c in "/?":
            i = rest.find(c, 2)
            if i >= 0:
                end = min(end, i)
        authority, tail = rest[2:end], rest[end:]
        host = authority.rpartition("@")[2]
        lit = re.match(r"^\[[0-9A-Fa-f:.vV\-_~!$&'()*+,;=]+\](:\d*)?$", host)
        if lit:
            authority = authority[: len(authority) - len(host)]
        if not _URI_CHARS.match(authority) or not _URI_CHARS.match(tail):
            return False
        return True
    return bool(_URI_CHARS.match(rest))


_RFC3339 = lazy_pattern(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d*)?(?:[Zz]|[+-]\d{2}:?\d{2})$")


def is_rfc3339(value: str) -> bool:
    """A full RFC 3339 date-time (`2024-05-01T12:00:00Z`, `...+02:00`), with a valid calendar date."""
    m = _RFC3339.match(value.strip())
    if not m:
        return False
    year, month, day, hour, minute, second = (int(g) for g in m.groups())
    import calendar  # here: with datetime, ~2 ms of every cold start for a rule few files trigger

    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year or 2000, month)[1]:
        return False
    return hour <= 23 and minute <= 59 and second <= 60  # 60: a leap second


_SEMVER_IDS = r"(?:[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
_SEMVER = lazy_pattern(rf"^\d+\.\d+\.\d+(?:-{_SEMVER_IDS})?(?:\+{_SEMVER_IDS})?$")


def is_semver(value: str) -> bool:
    """MAJOR.MINOR.PATCH with optional `-pre.release` and `+build` identifiers."""
    return bool(_SEMVER.match(value.strip()))


_HEX = lazy_pattern(r"^[0-9a-f]+$")


def is_git_hash(value: str) -> bool:
    """A git object name: a full SHA-1 (40) or SHA-256 (64) id, or an abbreviation of 7 to 40 digits."""
    v = value.strip()
    return bool(_HEX.match(v)) and (7 <= len(v) <= 40 or len(v) == 64)


_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = rf'(?:{_ATEXT}(?:\.{_ATEXT})*|"(?:[^"\\\r\n]|\\.)*")'
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DOMAIN = rf"(?:{_LABEL}(?:\.{_LABEL})*\.?|\[[^\[\]\\\s]*\])"
_EMAIL = lazy_pattern(rf"^{_LOCAL}@{_DOMAIN}$")


def is_email(value: str) -> bool:
    """An RFC 5322 addr-spec (`name@example.com`; no display name, ASCII only)."""
    v = value.strip()
    return v.isascii() and bool(_EMAIL.match(v))


_SPDX_TOKEN = lazy_pattern(r"\s*(\(|\)|[A-Za-z0-9.:+-]+)")
_LICENSES_LOWER = {i.lower() for i in LICENSE_IDS}
_EXCEPTIONS_LOWER = {i.lower() for i in EXCEPTION_IDS}
_LICENSE_REF = lazy_pattern(r"^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$")


def is_spdx(value: str) -> bool:
    """An SPDX license expression: `MIT`, `Apache-2.0 OR MIT`, `GPL-2.0-only WITH Classpath-exception-2.0`,
    `(MIT AND BSD-3-Clause)`, `LicenseRef-...`; identifiers from the SPDX license list, not deprecated."""
    v = value.strip()
    tokens = []
    pos = 0
    while pos < len(v):
        m = _SPDX_TOKEN.match(v, pos)
        if not m:
            return False
        tokens.append(m.group(1))
        pos = m.end()
    if not tokens:
        return False
    i = 0

    def license_ref(tok: str) -> bool:
        if _LICENSE_REF.match(tok):
            return True
        base = tok[:-1] if tok.endswith("+") else tok
        return base.lower() in _LICENSES_LOWER

    def simple() -> bool:
        nonlocal i
        if i >= len(tokens) or tokens[i] in ("(", ")", "AND", "OR", "WITH"):
            return False
        ok = license_ref(tokens[i])
        i += 1
        if ok and i < len(tokens) and tokens[i] == "WITH":
            i += 1
            if i >= len(tokens) or tokens[i].lower() not in _EXCEPTIONS_LOWER:
                return False
            i += 1
        return ok

    def atom() -> bool:
        nonlocal i
        if i < len(tokens) and tokens[i] == "(":
            i += 1
            if not expression() or i >= len(tokens) or tokens[i] != ")":
                return False
            i += 1
            return True
        return simple()

    def expression() -> bool:
        nonlocal i
        if not atom():
            return False
        while i < len(tokens) and tokens[i] in ("AND", "OR"):
            i += 1
            if not atom():
                return False
        return True

    return expression() and i == len(tokens)


# -- the rules' shared shape ---------------------------------------------------------------
class SchemaLabelValueRule(Rule):
    """A label of `label-schema` type `label_type` must hold a valid value of that type.

    Subclasses set `label_type`, `valid(value)` and `problem` (the message tail).
    """

    label_type = ""
    problem = ""
    visits = ("LABEL",)

    @staticmethod
    def valid(value: str) -> bool:  # pragma: no cover - overridden
        return True

    def check(self, ins, ctx):
        schema = ctx.config.label_schema
        if not schema:
            return
        for lp in label_pairs(ins, ctx):
            if lp.key is None or lp.value is None or schema.get(lp.key) != self.label_type:
                continue
            if not self.valid(lp.value):
                ctx.report(self, lp.value_range, f"Label `{lp.key}` {self.problem}: `{lp.value}`")
