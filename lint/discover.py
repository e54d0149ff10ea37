"""Finding Dockerfiles on disk and reading them without ever raising (or blocking)."""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
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
                        path = os.path.normpath(os.path.join(root, f))
                        problem = special_file(path)
                        if problem:
                            errors.append((path, problem))
                        else:
                            add(path)
        elif os.path.exists(p) or os.path.islink(p):
            problem = special_file(p)
            if problem:
                errors.append((p, problem))
            else:
                add(p)
        else:
            errors.append((p, "No such file or directory"))
    return found, errors


_SPECIAL_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                  (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def special_file(path: str) -> str | None:
    """Why `path` is not read as a Dockerfile (it is a pipe, socket or device: reading one may
    block forever, or never end), or None. Paths that cannot be looked at are left to the read,
    which reports why."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    for test, kind in _SPECIAL_KINDS:
        if test(mode):
            return f"not a regular file but {kind}; not read (to lint piped text, pass - and pipe it to stdin)"
    return None


# UTF-32 first: its little-endian mark starts with UTF-16's
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
              (b"\xfe\xff", "UTF-16"))
_SAMPLE = 8192  # bytes looked at to tell UTF-16 without a mark from other binary data


def decode(data: bytes, path: str) -> Source:
    """The text of a Dockerfile read as BuildKit reads it: UTF-8, a leading UTF-8 mark dropped,
    invalid bytes replaced (`lossy`). Data that is no Dockerfile at all gets an `error`: UTF-16
    or UTF-32 text (what Windows PowerShell's `>` writes; BuildKit sees garbage and fails, and
    linting it would bury the one useful message under a finding per line), or binary data (NUL
    bytes). Its decoded text is kept (lossy) for callers that still want to show it."""
    had_bom = data.startswith(b"\xef\xbb\xbf")
    if had_bom:
        data = data[3:]
    try:
        src = Source(path, data.decode("utf-8"), had_bom=had_bom)
    except UnicodeDecodeError:
        src = Source(path, data.decode("utf-8", errors="replace"), had_bom=had_bom, lossy=True)
    problem = _not_utf8_text(data)
    if problem is not None:
        src.error, src.lossy = problem, True
    return src


def _not_utf8_text(data: bytes) -> str | None:
    for mark, encoding in _WIDE_BOMS:
        if data.startswith(mark):
            return (f"not UTF-8 but {encoding} text (it starts with a {encoding} byte order mark): Docker "
                    f"reads Dockerfiles as UTF-8 and cannot build it; save it as UTF-8")
    if b"\x00" not in data:
        return None
    sample = data[:_SAMPLE]
    even, odd = sample[0::2], sample[1::2]
    # ASCII text in UTF-16 has a NUL in every other byte (the high byte of each character)
    for zeros, others, order in ((odd, even, "little-endian"), (even, odd, "big-endian")):
        if zeros and zeros.count(0) >= 0.9 * len(zeros) and others.count(0) <= 0.1 * len(others):
            return (f"not UTF-8 but what looks like {order} UTF-16 text without a byte order mark: Docker "
                    f"reads Dockerfiles as UTF-8 and cannot build it; save it as UTF-8")
    return "binary data (it contains NUL bytes), not a Dockerfile"


def read_source(path: str) -> Source:
    """Read and decode a Dockerfile; any problem is the Source's `error`, nothing raises."""
    try:
        data = read_regular_file(path)
    except OSError as e:
        return Source(path, None, error=e.strerror or str(e))
    return decode(data, path)


def read_regular_file(path: str) -> bytes:
    """The bytes of a regular file. Raises OSError for anything else, without blocking: opening
    a named pipe with no writer would wait forever, and a device may never end."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(mode):
            raise OSError(0, special_file(path) or "not a regular file", path)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)
