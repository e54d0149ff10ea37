"""Suppression comments: layerlint's own, hadolint's and BuildKit's.

- `# layerlint: ignore=CODE[,CODE] -- reason` on the comment lines directly above
  an instruction; several such lines combine.
- `# layerlint: ignore-file=CODE[,CODE]` anywhere: the whole file.
- `# hadolint ignore=...` directly above an instruction (stacked lines combine,
  unlike hadolint), `# hadolint global ignore=...` (whole file) and
  `# hadolint stage ignore=...` directly above a FROM (that stage).
- BuildKit: the `# check=skip=A,B|all` parser directive (whole file) and a
  `# check=skip=...` comment directly above an instruction (that instruction).

A reference may be a code, a rule name, an alias (BuildKit check name) or a group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .ast import Comment, Dockerfile, Instruction
from .patterns import lazy_pattern

_LAYERLINT = lazy_pattern(r"^layerlint\s*:\s*(ignore|ignore-file)\s*=\s*([^\s#]+(?:\s*,\s*[^\s#,]+)*)", re.I)
_HADOLINT = lazy_pattern(r"^hadolint\s+(?:(global|stage)\s+)?ignore\s*=\s*([A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*)")
_CHECK = lazy_pattern(r"^check\s*=\s*(\S+)", re.I)


@dataclass(slots=True)
class Pragma:
    comment: Comment
    scope: str  # "instruction", "file", "stage"
    references: list[str]
    origin: str  # "layerlint", "hadolint", "check"


@dataclass(slots=True)
class Suppressions:
    file: set[str] = field(default_factory=set)  # codes
    ranges: list[tuple[int, int, set[str]]] = field(default_factory=list)  # (first, last line, codes)
    pragmas: list[Pragma] = field(default_factory=list)

    def suppressed(self, code: str, line: int) -> bool:
        if code in self.file or "ALL" in self.file:
            return True
        for first, last, codes in self.ranges:
            if first <= line <= last and (code in codes or "ALL" in codes):
                return True
        return False


def parse_pragma(comment: Comment) -> Pragma | None:
    text = comment.text
    m = _LAYERLINT.match(text)
    if m:
        refs = [r.strip() for r in m.group(2).split(",") if r.strip()]
        return Pragma(comment, "file" if m.group(1).lower() == "ignore-file" else "instruction", refs, "layerlint")
    m = _HADOLINT.match(text)
    if m:
        refs = [r.strip() for r in m.group(2).split(",") if r.strip()]
        return Pragma(comment, {"global": "file", "stage": "stage", None: "instruction"}[m.group(1)], refs,
                      "hadolint")
    m = _CHECK.match(text)
    if m:
        refs = _check_skips(m.group(1))
        if refs is not None:
            return Pragma(comment, "instruction", refs, "check")
    return None


def _check_skips(value: str) -> list[str] | None:
    for part in value.split(";"):
        key, eq, val = part.partition("=")
        if eq and key.strip().lower() == "skip":
            return [r.strip() for r in val.split(",") if r.strip()]
    return None


def collect(doc: Dockerfile, resolve, *, disable_ignore_pragmas: bool = False) -> Suppressions:
    """Build the suppression table; `resolve(ref)` maps a reference to a set of codes."""
    sup = Suppressions()

    def codes(refs: list[str], origin: str = "") -> set[str]:
        out: set[str] = set()
        for r in refs:
            if r.lower() == "all" and origin == "check":
                # BuildKit's skip=all skips build checks, never errors that stop the build
                from .rule import all_rules

                out |= {c for c, rule in all_rules().items() if not ("syntax" in rule.groups
                                                                     and rule.severity == "error")}
            elif r.lower() == "all":
                out.add("ALL")
            elif re.fullmatch(r"SC\d+", r.upper()):  # ShellCheck codes are not registered rules
                out.add(r.upper())
            else:
                out |= resolve(r)
        return out

    check = doc.directive("check")
    if check is not None:
        skips = _check_skips(check.value.split(" ")[0])
        if skips:
            sup.file |= codes(skips, "check")
    if disable_ignore_pragmas:
        return sup
    for c in doc.comments:
        p = parse_pragma(c)
        if p is None:
            continue
        sup.pragmas.append(p)
        if p.scope == "file":
            sup.file |= codes(p.references)
    last_line = len(doc.lines)
    for idx, ins in enumerate(doc.instructions):
        block = _block_above(doc, ins)
        for c in block:
            p = parse_pragma(c)
            if p is None:
                continue
            if p.scope == "instruction":
                sup.ranges.append((ins.range.start.line, ins.range.end.line, codes(p.references, p.origin)))
            elif p.scope == "stage" and ins.keyword == "FROM":
                end = last_line
                for later in doc.instructions[idx + 1:]:
                    if later.keyword == "FROM":
                        end = later.range.start.line - 1
                        break
                # like hadolint, findings on the FROM line itself are not covered
                sup.ranges.append((ins.range.start.line + 1, end, codes(p.references)))
    return sup


def _block_above(doc: Dockerfile, ins: Instruction) -> list[Comment]:
    """The contiguous comment lines ending on the line right above the instruction."""
    out: list[Comment] = []
    line = ins.range.start.line - 1
    for c in reversed(ins.comments):
        if c.range.start.line != line:
            break
        out.append(c)
        line -= 1
    return out
