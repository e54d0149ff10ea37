"""The files beside a Dockerfile that linting it looked at, so a cached result is reused only while
they stay as they were.

A lint reads more than the Dockerfile: `.dockerignore`, Compose files, the Dockerfiles of parent
images, whether files exist in the build context. Every such look goes through the functions here,
which record the path, and how it was looked at, while `recording()` is active. `stamp(path, how)`
is what is compared later: for an existence check only what the path is (file, directory or
nothing); for a read or a directory listing also its modification time and size (a directory's
time changes when an entry is added, removed or renamed).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

EXISTS = "exists"  # only whether it is a file, a directory or nothing matters
CONTENT = "content"  # its bytes or its listing matter

_observed: ContextVar[dict[str, str] | None] = ContextVar("layerlint_observed_inputs", default=None)


@contextmanager
def recording() -> Iterator[dict[str, str]]:
    """Collect the absolute paths looked at inside the `with` block, each with how (EXISTS or CONTENT)."""
    seen: dict[str, str] = {}
    token = _observed.set(seen)
    try:
        yield seen
    finally:
        _observed.reset(token)


def observe(path: str, how: str = CONTENT) -> None:
    seen = _observed.get()
    if seen is not None:
        path = os.path.abspath(path)
        if seen.get(path) != CONTENT:
            seen[path] = how


def stamp(path: str, how: str = CONTENT) -> list | None:
    """What must stay equal for a cached result to hold (JSON-friendly)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    kind = "dir" if os.path.isdir(path) else "file"
    return [kind] if how == EXISTS else [kind, st.st_mtime_ns, st.st_size]


def stat(path: str) -> os.stat_result:
    observe(path)
    return os.stat(path)


def exists(path: str) -> bool:
    observe(path, EXISTS)
    return os.path.exists(path)


def lexists(path: str) -> bool:
    observe(path, EXISTS)
    return os.path.lexists(path)


def isfile(path: str) -> bool:
    observe(path, EXISTS)
    return os.path.isfile(path)


def isdir(path: str) -> bool:
    observe(path, EXISTS)
    return os.path.isdir(path)


def listdir(path: str) -> list[str]:
    observe(path)
    return os.listdir(path)
