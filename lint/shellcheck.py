"""Opt-in ShellCheck on shell-form RUN, fed the way hadolint feeds it, mapped back precisely.

For each RUN that the shell analysis treats as POSIX shell (see layerlint.shell):

    #!<first word of the active SHELL>
    export HTTP_PROXY=1 ... and every ARG/ENV name in scope   (no "not assigned" noise)
    <the command text as the shell receives it, heredoc bodies included>

SC2187, SC1090 and SC1091 are excluded as in hadolint. All RUNs of a Dockerfile go to
one `shellcheck` process (one file each); results are cached by script text, so the
language server re-checks only RUNs that changed. Findings come back as `SCxxxx`
diagnostics at their real line and column inside the Dockerfile.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

from .ast import Pos, Range
from .model import PROXY_ARGS
from .rule import Diagnostic
from .shell import commands

EXCLUDED = ("SC2187", "SC1090", "SC1091")
# ShellCheck's memory grows with the square of a long `&&` chain (measured: 200 commands 39 MB,
# 400 commands 136 MB, 2,000 commands 2.8 GB and 12 s); the longest RUN of the 1,542 corpus
# files has 53 commands. Longer RUNs are not given to it, and the run says so.
MAX_COMMANDS = 250
_LEVELS = {"error": "error", "warning": "warning", "info": "info", "style": "style"}
_CACHE: dict[str, list[dict]] = {}
_CACHE_LIMIT = 4096


class ShellCheckUnavailable(RuntimeError):
    pass


def find_binary() -> str:
    here = os.path.join(os.path.dirname(sys.executable), "shellcheck")
    for cand in (here, shutil.which("shellcheck")):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    raise ShellCheckUnavailable(
        "ShellCheck is not installed: pip install 'layerlint[shellcheck]' or put shellcheck on PATH")


def _script(ins, model, script) -> tuple[str, int]:
    shell = model.shell_at.get(id(ins.parent if ins.parent is not None else ins), ("/bin/sh",))
    scope = model.scope_at.get(id(ins.parent if ins.parent is not None else ins))
    names = list(PROXY_ARGS)
    if scope is not None:
        names += [n for n in {**scope.args, **scope.env} if n.isidentifier()]
    # only the names the script mentions: ShellCheck reads nothing from the others, and a stage
    # with hundreds of ENV/ARG made each RUN's header hundreds of lines (50 MB per shellcheck)
    header = [f"#!{shell[0]}"] + [f"export {n}=1" for n in dict.fromkeys(names) if n in script.source]
    return "\n".join(header) + "\n" + script.source + "\n", len(header)


def check(doc, model, notes: list[str] | None = None) -> list[Diagnostic]:
    """ShellCheck findings for every analysable RUN of the file (raises ShellCheckUnavailable).
    A RUN too long for ShellCheck is skipped with a line in `notes`."""
    jobs = []
    for ins in doc.instructions:
        target = ins.trigger if ins.trigger is not None else ins
        if target.keyword != "RUN":
            continue
        script = commands(target, model)
        if script is None:
            continue
        if len(script.commands) > MAX_COMMANDS:
            if notes is not None:
                notes.append(f"ShellCheck was not run on the RUN at line {target.range.start.line + 1}: its "
                             f"{len(script.commands)} commands are more than {MAX_COMMANDS}, and ShellCheck's "
                             f"memory grows with the square of such a chain")
            continue
        text, header_lines = _script(target, model, script)
        jobs.append((script, text, header_lines))
    if not jobs:
        return []
    missing = [text for _, text, _ in jobs if text not in _CACHE]
    if missing:
        _run(missing)
    out = []
    for script, text, header_lines in jobs:
        found = _CACHE.get(text, [])
        layout = _line_starts(text) if found else None
        for c in found:
            rng = _map(script, text, header_lines, c, layout)
            if rng is None:
                continue
            code = f"SC{c['code']}"
            out.append(Diagnostic(code, "shellcheck", _LEVELS.get(c["level"], "warning"), c["message"], rng,
                                  url=f"https://www.shellcheck.net/wiki/{code}"))
    return out


def _run(texts: list[str]) -> None:
    binary = find_binary()
    with tempfile.TemporaryDirectory(prefix="layerlint-sc-") as tmp:
        paths = []
        for i, text in enumerate(texts):
            p = os.path.join(tmp, f"run{i}.sh")
            with open(p, "w", encoding="utf-8", errors="surrogatepass") as fh:
                fh.write(text)
            paths.append(p)
        try:
            proc = subprocess.run([binary, "--format=json1", "-e", ",".join(EXCLUDED), *paths],
                                  capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            # ShellCheck's own cost explodes on very long RUNs (minutes, GBs at a few thousand
            # lines): the file is then linted without it and the run says so (exit 2)
            raise ShellCheckUnavailable("ShellCheck did not finish within 120 s on a very long RUN; "
                                        "that file was linted without it") from None
        try:
            comments = json.loads(proc.stdout or "{}").get("comments", [])
        except json.JSONDecodeError:
            comments = []
        by_file: dict[str, list[dict]] = {p: [] for p in paths}
        for c in comments:
            by_file.setdefault(c.get("file", ""), []).append(c)
    if len(_CACHE) > _CACHE_LIMIT:
        _CACHE.clear()
    for text, p in zip(texts, paths):
        _CACHE[text] = by_file.get(p, [])


def _line_starts(text: str) -> tuple[list[str], list[int]]:
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    return lines, starts


def _map(script, text: str, header_lines: int, c: dict, layout=None) -> Range | None:
    """ShellCheck's 1-based line/column in our script -> a range in the Dockerfile. `layout` is
    `_line_starts(text)`, computed once per script by the caller."""
    lines, starts = layout if layout is not None else _line_starts(text)
    body_start = starts[header_lines]

    def offset(line: int, col: int) -> int | None:
        if line <= header_lines or line > len(lines):
            return None
        return starts[line - 1] + min(col - 1, len(lines[line - 1])) - body_start

    a = offset(c["line"], c["column"])
    b = offset(c.get("endLine", c["line"]), c.get("endColumn", c["column"]))
    if a is None:
        return None
    b = a if b is None or b < a else b
    a = min(a, max(len(script.source) - 1, 0))
    b = min(b, len(script.source))
    start = script.smap.pos(a)
    end = script.smap.pos(b, end=True) if b > a else start
    return Range(start, end if end >= start else Pos(start.line, start.column))
