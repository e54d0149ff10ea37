"""The Lark grammar itself: conflict-free in strict mode, packaged, its token split, and the stand-alone
parser generated from it into the user's cache (same trees as lark's, safe fallbacks)."""

from __future__ import annotations

import os
import sys
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Lark

from layerlint.grammar import grammar_text, lark_parser, line_parser
from layerlint.lines import LineReader
from layerlint.parser import _lark
from layerlint.shellwords import go_trim

from .conftest import corpus_files



def test_grammar_is_conflict_free_in_strict_mode():
    pytest.importorskip("interegular", reason="strict mode checks regex collisions with interegular")
    Lark(grammar_text(), parser="lalr", lexer="contextual", strict=True)


def _tokens(tree) -> list[tuple[str, str]]:
    return [(t.type, str(t)) for t in tree.scan_values(lambda v: True)] if hasattr(tree, "scan_values") else [
        (t.type, str(t)) for child in tree.children for t in getattr(child, "children", (child,))]


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """A fresh user cache directory, and no generated parser module left imported."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("layerlint_line_parser_")]:
        monkeypatch.delitem(sys.modules, name)
    return tmp_path / "layerlint"


def _generated(home) -> list:
    return sorted(home.glob("layerlint_line_parser_*.py"))


def test_standalone_parser_is_generated_once_then_imported(cache_home):
    parser = line_parser()
    assert type(parser).__module__.startswith("layerlint_line_parser_")
    [module] = _generated(cache_home)
    assert module.stat().st_mode & 0o777 == 0o600
    assert list((cache_home / "__pycache__").glob(module.stem + ".*.pyc")), "no byte code written"
    stamp = module.stat().st_mtime_ns
    for name in [m for m in sys.modules if m.startswith("layerlint_line_parser_")]:
        del sys.modules[name]
    assert _tokens(line_parser().parse("RUN --network=none make")) == [
        ("KEYWORD", "RUN"), ("FLAG", "--network=none"), ("ARGUMENTS", "make")]
    assert module.stat().st_mtime_ns == stamp, "the module was generated again"


def test_unwritable_cache_falls_back_to_lark(cache_home, monkeypatch):
    blocker = cache_home.parent / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    parser = line_parser()
    assert isinstance(parser, Lark)
    assert _tokens(parser.parse("FROM --platform=$X a")) == [
        ("KEYWORD", "FROM"), ("FLAG", "--platform=$X"), ("ARGUMENTS", "a")]


def test_damaged_module_is_generated_again(cache_home):
    line_parser()
    [module] = _generated(cache_home)
    for name in [m for m in sys.modules if m.startswith("layerlint_line_parser_")]:
        del sys.modules[name]
    module.write_text("this is not python (")
    os.utime(module, ns=(1, 1))  # so the byte code compiled earlier is stale
    assert type(line_parser()).__module__.startswith("layerlint_line_parser_")
    assert "LAYERLINT_GRAMMAR_SOURCE" in module.read_text()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_module_others_could_write_is_never_imported(cache_home, monkeypatch):
    line_parser()
    [module] = _generated(cache_home)
    for name in [m for m in sys.modules if m.startswith("layerlint_line_parser_")]:
        del sys.modules[name]
    module.write_text("import os\nos.environ['LAYERLINT_TEST_PLANTED'] = '1'\n")
    module.chmod(0o666)
    monkeypatch.delenv("LAYERLINT_TEST_PLANTED", raising=False)
    assert type(line_parser()).__module__.startswith("layerlint_line_parser_")
    assert "LAYERLINT_TEST_PLANTED" not in os.environ
    assert module.stat().st_mode & 0o777 == 0o600


LINES = [
    ("RUN --mount=type=cache,target=/x echo hi", [("KEYWORD", "RUN"), ("FLAG", "--mount=type=cache,target=/x"),
                                                   ("ARGUMENTS", "echo hi")]),
    ("RUN -- --not-a-flag", [("KEYWORD", "RUN"), ("END_OF_FLAGS", "--"), ("ARGUMENTS", "--not-a-flag")]),
    ('COPY --chown="a b" src dst', [("KEYWORD", "COPY"), ("FLAG", '--chown="a b"'), ("ARGUMENTS", "src dst")]),
    ("COPY src --from=x dst", [("KEYWORD", "COPY"), ("ARGUMENTS", "src --from=x dst")]),
    ("HEALTHCHECK", [("KEYWORD", "HEALTHCHECK")]),
    ("ONBUILD COPY --from=a b c", [("KEYWORD", "ONBUILD"), ("ARGUMENTS", "COPY --from=a b c")]),
]


@pytest.mark.parametrize("line,tokens", LINES)
def test_instruction_line_tokens(line, tokens):
    assert _tokens(_lark().parse(line)) == tokens
    assert _tokens(lark_parser().parse(line)) == tokens


def _corpus_lines(limit: int = 6000) -> list[str]:
    """Logical lines of the shared corpus, trimmed as the parser trims them before the grammar."""
    out: list[str] = []
    for path in corpus_files():
        reader = LineReader(path.read_text(encoding="utf-8", errors="replace"))
        while (ll := reader.next_line()) is not None:
            if go_trim(ll.text):
                out.append(go_trim(ll.text))
        if len(out) >= limit:
            break
    return out


@pytest.mark.skipif(not corpus_files(), reason="shared corpus not present")
def test_standalone_parser_splits_corpus_lines_like_lark():
    standalone, lark = line_parser(), lark_parser()
    assert type(standalone).__module__.startswith("layerlint_line_parser_")
    lines = _corpus_lines()
    assert len(lines) > 1000
    for line in lines:
        assert _tokens(standalone.parse(line)) == _tokens(lark.parse(line)), line


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("RUN-=\"' \t\\ab$x<")), min_size=1, max_size=40))
def test_standalone_parser_agrees_with_lark_on_any_line(line):
    line = line.strip(" \t")
    if not line:
        return
    results = []
    for parser in (_lark(), _LARK()):
        try:
            results.append(_tokens(parser.parse(line)))
        except Exception as exc:  # both must reject the same lines
            results.append(type(exc).__name__)
    assert results[0] == results[1]


_LARK = lru_cache(maxsize=1)(lark_parser)
