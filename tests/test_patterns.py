"""Patterns compiled on first use behave as the compiled pattern does."""

from __future__ import annotations

import re

from layerlint.patterns import lazy_pattern


def test_compiled_on_first_use_then_plain_methods():
    p = lazy_pattern(r"(?P<word>[a-z]+)-(\d+)", re.I)
    assert "compiled" not in vars(p)  # nothing compiled at definition
    assert p.search("x ABC-12").group("word") == "ABC"
    assert isinstance(p.compiled, re.Pattern) and vars(p)["search"] == p.compiled.search
    assert p.fullmatch("a-1") and not p.match(" a-1")
    assert [m.group(2) for m in p.finditer("a-1 b-2")] == ["1", "2"]
    assert p.findall("a-1") == [("a", "1")] and p.sub(r"\2", "a-1") == "1" and p.split("1 a-1 2") == ["1 ", "a", "1", " 2"]
    assert (p.pattern, p.flags & re.I, p.groups, p.groupindex["word"]) == (r"(?P<word>[a-z]+)-(\d+)", re.I, 2, 1)
    assert re.sub(p.compiled, "_", "a-1 b") == "_ b"


def test_compiled_is_the_first_thing_asked_for():
    p = lazy_pattern(r"a+")
    assert isinstance(p.compiled, re.Pattern) and p.fullmatch("aa")


def test_an_invalid_pattern_fails_where_it_is_used():
    p = lazy_pattern(r"(")
    try:
        p.search("x")
    except re.error:
        pass
    else:
        raise AssertionError("an invalid pattern must raise re.error on first use")
