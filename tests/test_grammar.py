"""The Lark grammar itself: conflict-free in strict mode, packaged, cached, and its token split."""

from __future__ import annotations

import glob
import os
import tempfile

import pytest
from lark import Lark

from layerlint.grammar import grammar_text
from layerlint.parser import _lark


def test_grammar_is_conflict_free_in_strict_mode():
    pytest.importorskip("interegular", reason="strict mode checks regex collisions with interegular")
    Lark(grammar_text(), parser="lalr", lexer="contextual", strict=True)


def test_grammar_is_cached_on_disk():
    _lark.cache_clear()
    _lark()
    caches = glob.glob(os.path.join(tempfile.gettempdir(), ".lark_cache_*"))
    assert caches, "lark did not write its grammar cache"


@pytest.mark.parametrize("line,tokens", [
    ("RUN --mount=type=cache,target=/x echo hi", [("KEYWORD", "RUN"), ("FLAG", "--mount=type=cache,target=/x"),
                                                   ("ARGUMENTS", "echo hi")]),
    ("RUN -- --not-a-flag", [("KEYWORD", "RUN"), ("END_OF_FLAGS", "--"), ("ARGUMENTS", "--not-a-flag")]),
    ('COPY --chown="a b" src dst', [("KEYWORD", "COPY"), ("FLAG", '--chown="a b"'), ("ARGUMENTS", "src dst")]),
    ("COPY src --from=x dst", [("KEYWORD", "COPY"), ("ARGUMENTS", "src --from=x dst")]),
    ("HEALTHCHECK", [("KEYWORD", "HEALTHCHECK")]),
    ("ONBUILD COPY --from=a b c", [("KEYWORD", "ONBUILD"), ("ARGUMENTS", "COPY --from=a b c")]),
])
def test_instruction_line_tokens(line, tokens):
    tree = _lark().parse(line)
    assert [(t.type, str(t)) for t in tree.scan_values(lambda v: True)] == tokens
