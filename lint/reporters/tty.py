"""`--format tty`: human output with a code frame under each finding and a summary line.

Lines are built as (text, style) segments. On a terminal they are printed in colour
with rich; otherwise (pipes, CI logs, NO_COLOR, `--no-color`) as plain text, which
also spares importing rich, the largest part of a cold start.
"""

from __future__ import annotations

from collections import Counter

from . import position

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan", "style": "magenta"}


def report(results, stream, options) -> None:
    # written as the lines are made, a batch at a time: a corpus run has ~150,000 of them, and
    # building them all first took ~25 MB at the peak
    lines = _lines(results, options)
    if options.color:
        from rich.console import Console
        from rich.text import Text

        console = Console(file=stream, force_terminal=True, highlight=False, soft_wrap=True, emoji=False)
        for segments in lines:
            console.print(Text.assemble(*segments))
        return
    batch: list[str] = []
    for segments in lines:
        batch.append("".join(text for text, _ in segments) + "\n")
        if len(batch) >= 1000:
            stream.write("".join(batch))
            batch.clear()
    stream.write("".join(batch))


def _lines(results, options):
    """`results` may be any iterable (the command line streams them): it is read once."""
    counts: Counter[str] = Counter()
    fixable = 0
    files_with = 0
    n = 0
    for r in results:
        n += 1
        if r.error is not None:
            yield [(r.path, "bold"), (": ", ""), ("error", "bold red"), (f": {r.error}", "")]
            counts["error"] += 1
            files_with += 1
            continue
        if r.diagnostics:
            files_with += 1
        for d in r.diagnostics:
            p = position(d)
            counts[d.severity] += 1
            safe_fix = d.fix is not None and d.fix.safe
            fixable += safe_fix
            yield [(r.path, "bold"), (f":{p['line']}:{p['column']}: ", ""), (d.code, _STYLE.get(d.severity, "")),
                   (" ", ""), (d.severity, "dim"), (f" {d.message}", ""), (" [safe fix available]" if safe_fix else "", "dim")]
            if options.show_source:
                yield from _frame(r.lines, d)
    total = sum(counts.values())
    files = f"{n} file{'s' if n != 1 else ''}"
    if total == 0:
        yield [("No problems found", "green"), (f" in {files}.", "")]
        return
    parts = ", ".join(f"{counts[s]} {s}" for s in ("error", "warning", "info", "style") if counts[s])
    tail = f"; {fixable} with a safe fix available." if fixable else "."
    yield [(f"Found {total} problem{'s' if total != 1 else ''} ({parts}) in {files_with} of {files}{tail}", "")]


def _frame(lines, d):
    (sl, sc), (el, ec) = d.range
    if sl >= len(lines):
        return
    text = lines[sl].expandtabs(1)
    gutter = " " * len(str(sl + 1))
    end = ec if el == sl else len(text)
    yield [(f"  {sl + 1} |", "dim"), (f" {text}", "")]
    yield [(f"  {gutter} |", "dim"), (" " + " " * sc, ""), ("^" * max(end - sc, 1), _STYLE.get(d.severity, ""))]
