"""The per-file result cache of `layerlint check`: an unchanged file is not linted again.

An entry is found by a key made of the file's bytes, its name, the effective configuration
and the linter's own code (the modification times and sizes of its modules, so an upgrade
or a local edit of a rule never serves stale results). It stores the findings and the
`inputs` the lint looked at beside the file (`.dockerignore`, Compose files, parent
Dockerfiles, context directories; see `layerlint.inputs`) with their stamps; the entry is
used only while every one of them is unchanged.

Entries are JSON, not pickle: a cache directory can come with a checked-out repository,
and loading it must never run code. One file per entry, written atomically; unreadable or
malformed entries are misses. The directory is tagged as a cache (CACHEDIR.TAG) and
ignores itself in git.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path

from . import inputs
from .ast import Pos, Range
from .reporters import FileResult
from .rule import Diagnostic, Edit, Fix

FORMAT = 1
DEFAULT_DIR = ".layerlint_cache"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by layerlint.\n"


def code_fingerprint() -> str:
    """What identifies this build of layerlint: its version and the stamps of its modules."""
    from . import __version__

    h = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
    roots = {Path(__file__).parent}
    try:
        from . import grammar, rules

        roots |= {Path(rules.__file__).parent, Path(grammar.__file__).parent}
    except (ImportError, TypeError):
        pass
    for root in sorted(roots):
        for p in sorted(root.rglob("*")):
            if p.suffix in (".py", ".lark") and "__pycache__" not in p.parts:
                st = p.stat()
                h.update(f"{p.relative_to(root)}:{st.st_mtime_ns}:{st.st_size};".encode())
    return h.hexdigest()


def config_fingerprint(config) -> str:
    return hashlib.sha256(repr(dataclasses.astuple(config)).encode()).hexdigest()


class ResultCache:
    def __init__(self, directory: str | os.PathLike, code: str | None = None) -> None:
        self.directory = Path(directory)
        self.code = code or code_fingerprint()
        self.hits = 0
        self.misses = 0
        self._config_id: int | None = None
        self._config_print = ""
        self._stamps: dict[tuple[str, str], list | None] = {}

    def _stamp(self, path: str, how: str) -> list | None:
        """`inputs.stamp`, once per path in this run: the files of one project share most inputs
        (their directories, .dockerignore, Compose files), and nothing changes them during a run."""
        key = (path, how)
        if key not in self._stamps:
            self._stamps[key] = inputs.stamp(path, how)
        return self._stamps[key]

    def key(self, name: str, data: bytes, config) -> str:
        if self._config_id != id(config):  # configurations are shared by the files of a directory
            self._config_id, self._config_print = id(config), config_fingerprint(config)
        h = hashlib.sha256()
        for part in (self.code, os.path.abspath(name), self._config_print):
            h.update(part.encode("utf-8", "surrogatepass") + b"\0")
        h.update(data)
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> tuple[FileResult, bool] | None:
        """(result, failed) when a valid entry exists and its inputs are unchanged."""
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            if entry.get("format") != FORMAT:
                raise ValueError
            for path, (how, stamp) in entry["inputs"].items():
                if self._stamp(path, how) != stamp:
                    raise ValueError
            result = FileResult(entry["path"], [_diagnostic(d) for d in entry["diagnostics"]], entry["lines"])
            failed = bool(entry["failed"])
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            self.misses += 1
            return None
        self.hits += 1
        return result, failed

    def put(self, key: str, result: FileResult, failed: bool, looked_at: dict[str, str]) -> None:
        entry = {"format": FORMAT, "path": result.path, "failed": failed, "lines": result.lines,
                 "diagnostics": [_diagnostic_json(d) for d in result.diagnostics],
                 "inputs": {p: [how, inputs.stamp(p, how)] for p, how in sorted(looked_at.items())}}
        target = self._path(key)
        try:
            self._prepare()
            target.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, target)
        except (OSError, TypeError, ValueError):
            pass  # a read-only or full disk (or an odd finding) makes the cache useless, not the run wrong

    def _prepare(self) -> None:
        if (self.directory / "CACHEDIR.TAG").exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")
        (self.directory / ".gitignore").write_text("# created by layerlint\n*\n", encoding="utf-8")


def _diagnostic_json(d: Diagnostic) -> dict:
    return {"code": d.code, "name": d.name, "severity": d.severity, "message": d.message,
            "range": [list(d.range.start), list(d.range.end)], "url": d.url, "tags": list(d.tags),
            "data": d.data,
            "fix": None if d.fix is None else {
                "safe": d.fix.safe, "title": d.fix.title,
                "edits": [[[list(e.range.start), list(e.range.end)], e.new_text] for e in d.fix.edits]}}


def _range(r: list) -> Range:
    return Range(Pos(*r[0]), Pos(*r[1]))


def _diagnostic(d: dict) -> Diagnostic:
    fix = d["fix"]
    if fix is not None:
        fix = Fix(tuple(Edit(_range(r), text) for r, text in fix["edits"]), fix["safe"], fix["title"])
    return Diagnostic(d["code"], d["name"], d["severity"], d["message"], _range(d["range"]), fix, d["url"],
                      tuple(d["tags"]), d["data"])
