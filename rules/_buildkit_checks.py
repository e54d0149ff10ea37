"""Shared pieces of the BuildKit build checks (LL8001-LL8099).

- `reference_error(text)`: why `text` is not an image reference BuildKit accepts
  (`reference.ParseNormalizedNamed` of distribution/reference), or None;
- `suggest(name, options)`: BuildKit's "did you mean" (util/suggest: the closest
  option at Levenshtein distance below 3, none when `name` is itself an option),
  and `levenshtein(a, b)`;
- `sub_range(text, rng, start, end)`: the range of `text[start:end]` inside a word
  whose source text is `text`, or the whole range when the word is not a single
  literal line (continuations, JSON escapes); `body_range` does the same inside a
  heredoc body;
- `platform_defaults()`: values of BuildKit's automatic platform ARGs for two
  typical targets (linux/amd64 and linux/arm/v7), so a check can require a
  finding under both;
- `references(text, escape)`: the `$NAME` references of a word that BuildKit
  would look up, with their offsets and whether an unset-handling modifier
  (`${NAME:-x}`, `${NAME+x}`, `${NAME?x}`) guards them; `raw_references(text)`
  for heredoc bodies (no quote processing);
- `expose_specs(ins, ctx)`, `port_range(text)`, `valid_ip(text)`: EXPOSE
  arguments split as BuildKit's `parsePort` does.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from layerlint.ast import Pos, Range
from layerlint.shellwords import Lex, ShellLexError
from layerlint.patterns import lazy_pattern

# -- image references (github.com/distribution/reference) ---------------------------
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*"
_HOST = rf"(?:{_DOMAIN_NAME}|\[(?:[a-fA-F0-9:]+)\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_NAME = rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = lazy_pattern(rf"^({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?$")
_IDENTIFIER = lazy_pattern(r"^[a-f0-9]{64}$")
_DIGEST_HEX = {"sha256": 64, "sha384": 96, "sha512": 128}
_MAX_NAME = 255


def _split_docker_domain(name: str) -> tuple[str, str]:
    i = name.find("/")
    if i == -1 or (not any(c in name[:i] for c in ".:") and name[:i] != "localhost"
                   and name[:i].lower() == name[:i]):
        domain, remainder = "docker.io", name
    else:
        domain, remainder = name[:i], name[i + 1:]
    if domain == "index.docker.io":
        domain = "docker.io"
    if domain == "docker.io" and "/" not in remainder:
        remainder = "library/" + remainder
    return domain, remainder


def reference_error(text: str) -> str | None:
    """Why BuildKit's `reference.ParseNormalizedNamed(text)` fails, or None when it succeeds."""
    if _IDENTIFIER.match(text):
        return "a 64-character hexadecimal string is not a repository name"
    if text == "":
        return "the reference is empty"
    domain, remainder = _split_docker_domain(text)
    colon = remainder.find(":")
    remote = remainder[:colon] if colon > -1 else remainder
    if remote.lower() != remote:
        return "the repository name must be lowercase"
    full = domain + "/" + remainder
    m = _REFERENCE.match(full)
    if m is None:
        if _REFERENCE.match(full.lower()):
            return "the repository name must be lowercase"
        return "the reference is not of the form name[:tag][@digest]"
    if len(m.group(1)) > _MAX_NAME:
        return "the repository name is longer than 255 characters"
    digest = m.group(3)
    if digest:
        algorithm, _, hexpart = digest.partition(":")
        size = _DIGEST_HEX.get(algorithm)
        if size is None:
            return f"the digest algorithm `{algorithm}` is not supported"
        if len(hexpart) != size or hexpart != hexpart.lower():
            return "the digest is not valid"
    return None


# -- did you mean -------------------------------------------------------------------
def levenshtein(a: str, b: str) -> int:
    if a == b:
        return 0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggest(name: str, options, case_sensitive: bool = True) -> str:
    """BuildKit's `suggest.Search`: the option closest to `name` (distance < 3), or ""."""
    val = name if case_sensitive else name.lower()
    match, best = "", 3
    for opt in sorted(set(options)):
        cmp = opt if case_sensitive else opt.lower()
        if cmp == val:
            return ""
        dist = levenshtein(val, cmp)
        if dist < best:
            match, best = opt, dist
    return match


# -- positions -----------------------------------------------------------------------
def sub_range(text: str, rng: Range, start: int, end: int) -> Range:
    """`text[start:end]` as a source range, when `text` is exactly what `rng` covers on one line."""
    if rng.start.line == rng.end.line and rng.end.column - rng.start.column == len(text):
        line, col = rng.start
        return Range(Pos(line, col + start), Pos(line, col + end))
    return rng


def body_range(content: str, first: Pos, start: int, end: int) -> Range:
    """`content[start:end]` of a heredoc body whose first character is at `first`."""
    def pos(offset: int) -> Pos:
        before = content[:offset]
        nl = before.count("\n")
        if nl == 0:
            return Pos(first.line, first.column + offset)
        return Pos(first.line + nl, offset - before.rfind("\n") - 1)
    return Range(pos(start), pos(end))


# -- platform ARGs -------------------------------------------------------------------
_PLATFORMS = (("linux", "amd64", ""), ("linux", "arm", "v7"))


def platform_defaults(target_stage: str = "") -> list[dict[str, str]]:
    """The automatic platform ARGs as BuildKit sets them, for a few typical build platforms."""
    out = []
    for os_, arch, variant in _PLATFORMS:
        platform = f"{os_}/{arch}" + (f"/{variant}" if variant else "")
        env = {"BUILDPLATFORM": platform, "BUILDOS": os_, "BUILDOSVERSION": "", "BUILDARCH": arch,
               "BUILDVARIANT": variant, "TARGETPLATFORM": platform, "TARGETOS": os_, "TARGETOSVERSION": "",
               "TARGETARCH": arch, "TARGETVARIANT": variant, "TARGETSTAGE": target_stage}
        out.append(env)
    return out


# -- variable references -------------------------------------------------------------
@dataclass(slots=True)
class Reference:
    name: str
    start: int
    end: int
    guarded: bool  # `${NAME:-x}`, `${NAME-x}`, `${NAME:+x}`, `${NAME+x}`, `${NAME:?x}`, `${NAME?x}`


def _is_name(name: str) -> bool:
    return bool(name) and (name[0].isalpha() or name[0] == "_")


def references(text: str, escape: str, lex: Lex | None = None) -> list[Reference] | None:
    """The named `$VAR` references BuildKit looks up while expanding `text`; None when the
    word does not lex (BuildKit fails the build on it)."""
    lex = lex or Lex(escape, skip_unset_env=True)
    try:
        lex.process_word(text, {})
    except ShellLexError:
        return None
    out = []
    for name, start, end in lex.references:
        if not _is_name(name):
            continue
        after = start + 2 + len(name)
        guarded = (text.startswith("${", start) and after < len(text)
                   and (text[after] in "-+?" or (text[after] == ":" and text[after + 1:after + 2] in ("-", "+", "?"))))
        out.append(Reference(name, start, end, guarded))
    for ref in out:  # `${A:-$B}`: B only matters when A is unset
        if any(o.guarded and o.start < ref.start and ref.end <= o.end for o in out):
            ref.guarded = True
    return out


def raw_references(text: str) -> list[Reference] | None:
    """References in a heredoc body that BuildKit expands: `\\` escapes and no quote processing.

    Quote characters are replaced by a neutral character of the same length, so the
    offsets stay those of `text`.
    """
    neutral = text.replace("'", "\x01").replace('"', "\x01")
    return references(neutral, "\\")


# -- EXPOSE (dockerfile2llb/convert_expose.go) ---------------------------------------
@dataclass(slots=True)
class PortSpec:
    raw: str  # one port specification after expansion, as BuildKit lints it
    word: object  # the Word it comes from
    literal: bool  # the word is exactly `raw` in the source (no quotes, no variables)
    ip: str
    host_port: str
    container_port: str  # without the protocol
    proto: str  # as written; "" when absent


def _split_parts(raw: str) -> tuple[str, str, str]:
    parts = raw.split(":")
    if len(parts) == 1:
        return "", "", parts[0]
    if len(parts) == 2:
        return "", parts[0], parts[1]
    return ":".join(parts[:-2]), parts[-2], parts[-1]


def expose_specs(ins, ctx) -> list[PortSpec]:
    """The port specifications of an EXPOSE whose protocol BuildKit accepts (tcp, udp, sctp in any
    case, or none); words with variables are expanded with the stage's variables and skipped when
    one is unknown or the instruction is an ONBUILD trigger."""
    out = []
    escape = ctx.dockerfile.escape
    scope = ctx.model.scope_at.get(id(ins))
    env = scope.values() if scope is not None and ins.parent is None else {}
    for word in ins.words:
        lex = Lex(escape)
        if "$" in word.text and ins.parent is not None:
            continue
        try:
            ports = lex.process_words(word.text, env)
        except ShellLexError:
            continue
        if lex.unset:
            continue
        for raw in ports:
            ip, host, container = _split_parts(raw)
            port, _, proto = container.partition("/")
            if port == "" or proto.lower() not in ("", "tcp", "udp", "sctp"):
                continue  # BuildKit fails the build before linting
            out.append(PortSpec(raw, word, word.text == raw, ip, host, port, proto))
    return out


def _port_number(text: str) -> int | None:
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    n = int(text)
    return n if 0 <= n <= 65535 else None


def port_range(text: str) -> tuple[int, int] | None:
    """BuildKit's parsePortRange: `80` or `8000-8100`; None when invalid."""
    if text == "":
        return None
    start, sep, end = text.partition("-")
    first = _port_number(start)
    if first is None:
        return None
    if not sep or start == end:
        return first, first
    last = _port_number(end)
    if last is None or last < first:
        return None
    return first, last


def valid_ip(text: str) -> bool:
    if text.startswith("["):
        if not text.endswith("]"):
            return False
        text = text[1:-1]
    if "%" in text:
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
