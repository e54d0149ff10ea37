"""Shared pieces of the build-context rules (LL4001-LL4005).

- `go_clean(path)` / `go_dir(path)`: Go's `filepath.Clean` and `filepath.Dir` (slash
  paths), which BuildKit and `.dockerignore` handling apply;
- `read_patterns(text)`: the patterns of a `.dockerignore` file, read as
  `moby/patternmatcher/ignorefile.ReadAll` does (BOM, `#` comments, trimming,
  cleaning, a leading `/` dropped, `!` exceptions kept);
- `PatternMatcher`: a port of `moby/patternmatcher` (the matcher BuildKit and the
  Docker CLI use): `*`, `?`, `[...]`, `**`, `\\` escapes, later lines winning and
  `MatchesOrParentMatches`, under which a pattern matching a directory also
  excludes everything below it;
- `context_dir(ctx)`: the build context: the one Compose or the `[images]`
  configuration declares for the linted Dockerfile, else its own directory;
- `dockerignore_for(ctx)`: the ignore file BuildKit applies: `<Dockerfile
  name>.dockerignore` beside the Dockerfile when present (BuildKit prefers it),
  else `.dockerignore` at the context root; parsed once per file and process
  (re-read when it changes); None for stdin;
- `context_sources(ins, ctx)`: the sources of a COPY or ADD that are read from the
  build context (not `COPY --from`, heredocs, URLs or Git references), each with
  its value after variable expansion (None when a variable has no known value).

No library on PyPI implements these semantics in a small, maintained package
without bringing the Docker SDK (whose matcher is also not the BuildKit one for
`MatchesOrParentMatches`), hence the port.
"""

from __future__ import annotations

import os
import re
import stat
import warnings
from dataclasses import dataclass

from layerlint import inputs
from layerlint.patterns import lazy_pattern


# -- Go path functions -----------------------------------------------------------


def go_clean(path: str) -> str:
    """Go's `path/filepath.Clean` on a slash-separated path."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    out: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(part)
    text = "/".join(out)
    if rooted:
        return "/" + text
    return text or "."


def go_dir(path: str) -> str:
    """Go's `path/filepath.Dir` on a slash-separated path."""
    i = path.rfind("/")
    return go_clean(path[:i + 1])


def escapes_root(path: str) -> bool:
    """`path`, taken relative to the context root (a leading `/` is the root), climbs above it."""
    depth = 0
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        else:
            depth += 1
    return False


def context_relative(path: str) -> str:
    """The path BuildKit reads from the context for source `path`: cleaned against `/`,
    without the leading slash (`.` for the root)."""
    return go_clean("/" + path).lstrip("/") or "."


# -- .dockerignore --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IgnoreLine:
    line: int  # 1-based line in the ignore file
    text: str  # the pattern as ReadAll returns it (`!` kept)


def read_patterns(text: str) -> list[IgnoreLine]:
    """The patterns of an ignore file, as `ignorefile.ReadAll` returns them."""
    out: list[IgnoreLine] = []
    lines = text.split("\n")
    for number, raw in enumerate(lines, 1):
        if number == len(lines) and raw == "":
            break
        if raw.endswith("\r"):
            raw = raw[:-1]
        if number == 1 and raw.startswith("\ufeff"):
            raw = raw[1:]
        if raw.startswith("#"):
            continue
        pattern = raw.strip()
        if not pattern:
            continue
        invert = pattern[0] == "!"
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = go_clean(pattern)
            if len(pattern) > 1 and pattern[0] == "/":
                pattern = pattern[1:]
        if invert:
            pattern = "!" + pattern
        out.append(IgnoreLine(number, pattern))
    return out


class PatternError(ValueError):
    pass


_REGEX_ESCAPED = set(".+()|{}$")


class Pattern:
    """One pattern of `moby/patternmatcher` (exclusion = a `!` line)."""

    __slots__ = ("text", "exclusion", "line", "kind", "regex")

    def __init__(self, text: str, exclusion: bool, line: int) -> None:
        self.text = text  # cleaned, without `!`
        self.exclusion = exclusion
        self.line = line
        self.kind = "exact"
        self.regex: re.Pattern[str] | None = None
        self._compile()

    def _compile(self) -> None:
        p = self.text
        reg = "^"
        kind = "exact"
        i, n = 0, len(p)
        first = True
        while i < n:
            ch = p[i]
            i += 1
            if ch == "*":
                if i < n and p[i] == "*":
                    i += 1
                    if i < n and p[i] == "/":  # `**/` is `**`
                        i += 1
                    if i >= n:  # `**` at the end: everything
                        if kind == "exact":
                            kind = "prefix"
                        else:
                            reg += ".*"
                            kind = "regexp"
                    else:
                        reg += "(.*/)?"
                        kind = "regexp"
                    if first:
                        kind = "suffix"
                else:
                    reg += "[^/]*"
                    kind = "regexp"
            elif ch == "?":
                reg += "[^/]"
                kind = "regexp"
            elif ch in _REGEX_ESCAPED:
                reg += "\\" + ch
            elif ch == "\\":
                if i < n:
                    reg += "\\" + p[i]
                    i += 1
                    kind = "regexp"
                else:
                    reg += "\\\\"
            elif ch in "[]":
                reg += ch
                kind = "regexp"
            else:
                reg += ch
            first = False
        self.kind = kind
        if kind == "regexp":
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self.regex = re.compile(reg + r"\Z", re.S)
            except re.error as exc:
                raise PatternError(f"bad pattern {p!r}: {exc}") from None

    def match(self, path: str) -> bool:
        p = self.text
        if self.kind == "exact":
            return path == p
        if self.kind == "prefix":
            return path.startswith(p[:-2])
        if self.kind == "suffix":
            suffix = p[2:]
            if path.endswith(suffix):
                return True
            return suffix[:1] == "/" and path == suffix[1:]  # `**/foo` matches `foo`
        assert self.regex is not None
        return self.regex.match(path) is not None


class PatternMatcher:
    """`moby/patternmatcher.PatternMatcher` for slash-separated paths."""

    def __init__(self, lines: list[IgnoreLine]) -> None:
        self.patterns: list[Pattern] = []
        self.exclusions = False
        for item in lines:
            p = item.text.strip()
            if not p:
                continue
            p = go_clean(p)
            exclusion = p[0] == "!"
            if exclusion:
                if len(p) == 1:
                    raise PatternError('illegal exclusion pattern: "!"')
                p = p[1:]
                self.exclusions = True
            if p.count("[") != p.count("]"):  # filepath.Match refuses unbalanced classes
                raise PatternError(f"bad pattern {p!r}")
            self.patterns.append(Pattern(p, exclusion, item.line))

    def matches_or_parent_matches(self, file: str) -> Pattern | None:
        """The pattern that decides that `file` is excluded (the last that matched it or one of
        its parent directories), or None when it is not excluded."""
        decided: Pattern | None = None
        parent = go_dir(file)
        parent_dirs = parent.split("/")
        for pattern in self.patterns:
            if pattern.exclusion != (decided is not None):
                continue
            match = pattern.match(file)
            if not match and parent != ".":
                for i in range(len(parent_dirs)):
                    if pattern.match("/".join(parent_dirs[:i + 1])):
                        match = True
                        break
            if match:
                decided = None if pattern.exclusion else pattern
        return decided


@dataclass(slots=True)
class DockerIgnore:
    path: str  # the ignore file
    name: str  # its file name, for messages
    lines: list[IgnoreLine]
    matcher: PatternMatcher | None  # None when a pattern is invalid (the build would fail)

    CATCH_ALL = ("*", "**", "**/*")

    def excludes(self, source: str) -> Pattern | None:
        """The pattern excluding context path `source` (cleaned, relative), None if not excluded.

        The context root (`.`) counts as excluded only under a catch-all pattern (`*`, `**`,
        `**/*`), as BuildKit decides since moby/buildkit#6930: `.*` excludes dotfiles,
        not the directory `COPY . .` copies.
        """
        if self.matcher is None:
            return None
        if source == ".":
            found = None
            for p in self.matcher.patterns:
                if p.exclusion:
                    found = None
                elif p.text in self.CATCH_ALL:
                    found = p
            return found
        return self.matcher.matches_or_parent_matches(source)


_CACHE: dict[str, tuple[tuple[int, int], DockerIgnore]] = {}


def _load(path: str) -> DockerIgnore | None:
    try:
        st = inputs.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):  # a named pipe would block the read forever
        return None
    key = (st.st_mtime_ns, st.st_size)
    hit = _CACHE.get(path)
    if hit is not None and hit[0] == key:
        return hit[1]
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    lines = read_patterns(text)
    try:
        matcher: PatternMatcher | None = PatternMatcher(lines)
    except PatternError:
        matcher = None
    found = DockerIgnore(path, os.path.basename(path), lines, matcher)
    _CACHE[path] = (key, found)
    return found


def context_dir(ctx) -> str | None:
    """The build context directory: the one a Compose service or the `[images]` configuration
    declares for the linted file, else the file's own directory; None for stdin or when it does
    not exist."""
    from layerlint.rules._onbuild_parents import resolver

    path = ctx.path
    if not path or path == "-":
        return None
    directory = resolver(ctx).context_of(path) or os.path.dirname(os.path.abspath(path))
    return directory if inputs.isdir(directory) else None


def find_dockerignore(directory: str, dockerfile_path: str | None) -> DockerIgnore | None:
    """BuildKit's choice: `<Dockerfile name>.dockerignore` beside the Dockerfile when present,
    else `.dockerignore` at the root of the context `directory`."""
    candidates = [os.path.join(directory, ".dockerignore")]
    if dockerfile_path:
        candidates.insert(0, os.path.abspath(dockerfile_path) + ".dockerignore")
    for candidate in candidates:
        if inputs.isfile(candidate):
            found = _load(candidate)
            if found is not None:
                return found
    return None


_NONE = object()


def dockerignore_for(ctx) -> DockerIgnore | None:
    """The ignore file BuildKit applies to the linted Dockerfile's directory, or None."""
    cache = ctx.model.shell_cache
    key = ("dockerignore",)
    if key not in cache:
        directory = context_dir(ctx)
        found = None
        if directory is not None:
            found = find_dockerignore(directory, ctx.path)
        cache[key] = found if found is not None else _NONE
    value = cache[key]
    return None if value is _NONE else value


def repository_root(directory: str) -> str | None:
    """The nearest directory at or above `directory` holding `.git`, or None."""
    d = directory
    while True:
        if inputs.exists(os.path.join(d, ".git")):
            return d
        up = os.path.dirname(d)
        if up == d:
            return None
        d = up


# -- COPY / ADD sources -------------------------------------------------------------

_URL = lazy_pattern(r"^[A-Za-z][A-Za-z0-9+.-]*://|^git@", re.I)


def is_remote(value: str) -> bool:
    """A URL or Git reference: not read from the build context."""
    return bool(_URL.search(value)) or value.startswith("github.com/")


def top(ins):
    return ins.parent if ins.parent is not None else ins


def expand(text: str, ins, ctx, *, json: bool = False) -> str | None:
    """A COPY/ADD word as BuildKit expands it at `ins`; None when a variable has no known value.

    ONBUILD triggers are expanded with the ENV in scope only: the child build has none of
    this file's ARGs.
    """
    if json and "$" not in text:
        return text
    if not json and not any(c in text for c in "$'\"\\`"):
        return text
    return ctx.model.expand_known(text, ins)


@dataclass(slots=True)
class Source:
    word: object  # the positioned Word
    text: str  # as written
    value: str | None  # after expansion; None when unknown


def operands(ins):
    """(sources, destination) words of a COPY/ADD, or None when the words do not line up."""
    if len(ins.value) < 2 or len(ins.words) != len(ins.value):
        return None
    return list(zip(ins.words[:-1], ins.value[:-1])), (ins.words[-1], ins.value[-1])


def context_sources(ins, ctx) -> list[Source]:
    """The sources of a COPY/ADD read from the build context (see the module docstring)."""
    if ins.keyword == "COPY" and ins.flag("from") is not None:
        return []
    ops = operands(ins)
    if ops is None:
        return []
    out = []
    for word, text in ops[0]:
        if not ins.json and text.startswith("<<") and ins.heredocs:
            continue
        value = expand(text, ins, ctx, json=ins.json)
        if value is not None and is_remote(value):
            continue
        if value is None and is_remote(text.strip("\"'")):
            continue
        out.append(Source(word, text, value))
    return out


def is_context_root(value: str) -> bool:
    """The source names the whole build context (`.`, `./`, `/`, `/.`, ...)."""
    return not escapes_root(value) and context_relative(value) == "."


def keyword_like(written: str, keyword: str) -> str:
    """`keyword` in the case the instruction was written in."""
    if written.islower():
        return keyword.lower()
    if written.isupper():
        return keyword.upper()
    return keyword.capitalize()
