"""Output formats. A reporter is a module with `report(results, stream, options)`.

Built-in formats are listed in `FORMATS`; third-party packages can add one through
the entry-point group `layerlint.reporters` (name -> module). Each reporter module
is imported only when its format is used, so start-up stays cheap.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from ..rule import Diagnostic

FORMATS = {
    "tty": "layerlint.reporters.tty",
    "json": "layerlint.reporters.json",
}


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # source lines, for code frames
    error: str | None = None  # the file could not be read or linted


@dataclass
class Options:
    color: bool = False
    show_source: bool = True


def available_formats() -> dict[str, str]:
    formats = dict(FORMATS)
    try:
        from importlib.metadata import entry_points

        for ep in entry_points(group="layerlint.reporters"):
            formats.setdefault(ep.name, ep.value)
    except Exception:  # broken third-party metadata must not break the CLI
        pass
    return formats


def get(name: str):
    target = FORMATS.get(name) or available_formats()[name]
    return importlib.import_module(target)


def position(d: Diagnostic) -> dict:
    """1-based line/column numbers, end exclusive, as every text format reports them."""
    (sl, sc), (el, ec) = d.range
    return {"line": sl + 1, "column": sc + 1, "end_line": el + 1, "end_column": ec + 1}
