"""Applying fixes: text edits on source ranges, safe ones by default, repeated until stable."""

from __future__ import annotations

from .ast import Pos
from .rule import Diagnostic, Edit


def _offsets(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def _offset(starts: list[int], text: str, pos: Pos) -> int:
    if pos.line >= len(starts):
        return len(text)
    line_end = starts[pos.line + 1] - 1 if pos.line + 1 < len(starts) else len(text)
    return min(starts[pos.line] + pos.column, line_end)


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits; an edit overlapping an earlier one is skipped."""
    starts = _offsets(text)
    spans = sorted(((_offset(starts, text, e.range.start), _offset(starts, text, e.range.end), e.new_text)
                    for e in edits), key=lambda s: (s[0], s[1]))
    out, cursor = [], 0
    for a, b, new in spans:
        if a < cursor:
            continue
        out.append(text[cursor:a])
        out.append(new)
        cursor = b
    out.append(text[cursor:])
    return "".join(out)


def fix_text(text: str, lint, *, unsafe: bool = False, max_rounds: int = 10) -> tuple[str, int]:
    """Apply fixes from `lint(text) -> list[Diagnostic]` until nothing changes.

    Returns the fixed text and the number of fixes applied.
    """
    applied = 0
    for _ in range(max_rounds):
        diags: list[Diagnostic] = lint(text)
        edits: list[Edit] = []
        for d in diags:
            if d.fix is not None and (d.fix.safe or unsafe):
                edits.extend(d.fix.edits)
                applied += 1
        if not edits:
            break
        new = apply_edits(text, edits)
        if new == text:
            break
        text = new
    return text, applied
