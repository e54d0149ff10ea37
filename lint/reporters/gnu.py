"""`--format gnu`: one line per finding in the GNU coding standards' error format.

    file:line.column-endline.endcolumn: severity: message [CODE]

Emacs compilation mode, vim's errorformat and other editors jump to such lines. As the GNU
standards ask, lines and columns start at 1, columns are screen columns (tab stops every 8,
East Asian wide characters two columns) and the end column is the last column of the finding
(inclusive). The severity is `error`, `warning` or `info`; style findings say `note`, the
word editors know for the lowest level. The path is as given on the command line. A file
that could not be read gives `layerlint: path: error: reason`, the GNU form for a message
that has no line.
"""

from __future__ import annotations

import unicodedata

from . import last_character

SEVERITIES = {"error": "error", "warning": "warning", "info": "info", "style": "note"}
TAB = 8


def report(results, stream, options) -> None:
    for r in results:
        if r.error is not None:
            stream.write(f"layerlint: {r.path}: error: {r.error}\n")
            continue
        for d in r.diagnostics:
            (sl, sc), _ = d.range
            el, last = last_character(r.lines, d.range)
            start = screen_column(r.lines, sl, sc) + 1
            end = screen_column(r.lines, el, last) + _width(r.lines, el, last)
            message = " ".join(d.message.split())  # one finding, one line
            stream.write(f"{r.path}:{sl + 1}.{start}-{el + 1}.{max(end, start)}: "
                         f"{SEVERITIES.get(d.severity, 'warning')}: {message} [{d.code}]\n")


def screen_column(lines: list[str], line: int, column: int) -> int:
    """The 0-based screen column where code point `column` of `line` starts."""
    text = lines[line] if line < len(lines) else ""
    width = 0
    for ch in text[:column]:
        width = (width // TAB + 1) * TAB if ch == "\t" else width + _char_width(ch)
    return width + max(column - len(text), 0)


def _width(lines: list[str], line: int, column: int) -> int:
    """Screen columns taken by the character at (line, column); 1 past the end of the line."""
    text = lines[line] if line < len(lines) else ""
    if column >= len(text):
        return 1
    if text[column] == "\t":
        start = screen_column(lines, line, column)
        return (start // TAB + 1) * TAB - start
    return max(_char_width(text[column]), 1)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
