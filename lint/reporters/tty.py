"""`--format tty`: human output with a code frame under each finding and a summary line.

Colour only on a terminal (rich decides), never with NO_COLOR or `--no-color`.
"""

from __future__ import annotations

from collections import Counter

from . import position

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan", "style": "magenta"}


def report(results, stream, options) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=stream, force_terminal=options.color, no_color=not options.color,
                      highlight=False, soft_wrap=True, emoji=False)
    counts: Counter[str] = Counter()
    fixable = 0
    files_with = 0
    for r in results:
        if r.error is not None:
            console.print(f"[bold]{escape(r.path)}[/]: [bold red]error[/]: {escape(r.error)}")
            counts["error"] += 1
            files_with += 1
            continue
        if r.diagnostics:
            files_with += 1
        for d in r.diagnostics:
            p = position(d)
            counts[d.severity] += 1
            fixable += d.fix is not None and d.fix.safe
            console.print(f"[bold]{escape(r.path)}[/]:{p['line']}:{p['column']}: "
                          f"[{_STYLE.get(d.severity, '')}]{d.code}[/] [dim]{d.severity}[/] {escape(d.message)}"
                          + (" [dim]\\[fixable][/]" if d.fix is not None and d.fix.safe else ""))
            if options.show_source:
                _frame(console, r.lines, d, escape)
    total = sum(counts.values())
    if total == 0:
        console.print(f"[green]No problems found[/] in {len(results)} file{'s' if len(results) != 1 else ''}.")
        return
    parts = ", ".join(f"{counts[s]} {s}" for s in ("error", "warning", "info", "style") if counts[s])
    console.print(f"Found {total} problem{'s' if total != 1 else ''} ({parts}) in {files_with} of "
                  f"{len(results)} file{'s' if len(results) != 1 else ''}"
                  + (f"; {fixable} fixable with a safe fix." if fixable else "."))


def _frame(console, lines, d, escape) -> None:
    (sl, sc), (el, ec) = d.range
    if sl >= len(lines):
        return
    text = lines[sl].expandtabs(1)
    width = len(str(sl + 1))
    end = ec if el == sl else len(text)
    marks = max(end - sc, 1)
    console.print(f"  [dim]{sl + 1} |[/] {escape(text)}")
    console.print(f"  {' ' * width} [dim]|[/] {' ' * sc}[{_STYLE.get(d.severity, '')}]{'^' * marks}[/]")
