"""Finding Dockerfiles on disk and reading them without ever raising."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass

DOCKERFILE_PATTERNS = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile",
                       "Containerfile.*")
SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox",
                       ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages"})


def is_dockerfile_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in DOCKERFILE_PATTERNS)


@dataclass
class Source:
    path: str
    text: str | None
    error: str | None = None  # why the file could not be read
    had_bom: bool = False
    lossy: bool = False  # not valid UTF-8: undecodable bytes were replaced


def discover(paths: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Expand files and directories into Dockerfile paths; also return (path, error) pairs."""
    found: list[str] = []
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(p: str) -> None:
        key = os.path.normpath(p)
        if key not in seen:
            seen.add(key)
            found.append(p)

    for p in paths:
        if p == "-":
            add(p)
        elif os.path.isdir(p):
            def onerror(err: OSError) -> None:
                errors.append((err.filename or p, err.strerror or str(err)))

            for root, dirs, files in os.walk(p, onerror=onerror):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
                for f in sorted(files):
                    if is_dockerfile_name(f):
                        add(os.path.normpath(os.path.join(root, f)))
        elif os.path.exists(p) or os.path.islink(p):
            add(p)
        else:
            errors.append((p, "No such file or directory"))
    return found, errors


def decode(data: bytes, path: str) -> Source:
    had_bom = data.startswith(b"\xef\xbb\xbf")
    if had_bom:
        data = data[3:]
    try:
        return Source(path, data.decode("utf-8"), had_bom=had_bom)
    except UnicodeDecodeError:
        return Source(path, data.decode("utf-8", errors="replace"), had_bom=had_bom, lossy=True)


def read_source(path: str) -> Source:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        return Source(path, None, error=e.strerror or str(e))
    return decode(data, path)
