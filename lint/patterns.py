"""Regular expressions compiled on first use.

layerlint's modules define about a hundred patterns at module level. Compiling them all when
the modules are imported cost ~12 ms of a ~100 ms cold `layerlint check`, and a run on a small
file uses a fraction of them. `lazy_pattern(...)` stands in for `re.compile(...)`: the pattern
is compiled when one of its methods is first looked up, and from then on its methods are plain
attributes of the stand-in (no indirection per call). Written here because the standard
library has no lazy compile and the few packages that offer one are not worth a dependency.
"""

from __future__ import annotations

import re

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner",
            "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    """A `re.Pattern` compiled on first use; `.compiled` is the pattern itself (for `re.*`
    functions and anything else that needs a real one)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str):
        # reached only while the pattern is not compiled yet: compiling puts every method on the
        # instance, where normal attribute lookup finds them
        if name.startswith("__") or name == "_source":
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for attr in _METHODS:
            self.__dict__[attr] = getattr(compiled, attr)
        self.__dict__["compiled"] = compiled
        return self.__dict__[name] if name in self.__dict__ else getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_pattern({self._source[0]!r}, {self._source[1]})"


def lazy_pattern(pattern: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)
