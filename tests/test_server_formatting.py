"""Formatting: what is normalised, what is never touched, and the two promises checked on
the corpus and on generated documents: the formatted file parses to the same instructions,
and formatting twice changes nothing more."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pytest_lsp import LanguageClient

from layerlint.ast import Pos, Range
from layerlint.parser import parse
from layerlint.server.formatting import Edit, Options, format_edits
from layerlint.shellwords import Lex, ShellLexError
from lsp_support import open_doc, server_fixture

client = server_fixture()
TABS = Options(indent="\t")


def apply(text: str, edits: list[Edit]) -> str:
    """`text` with layerlint-positioned edits applied (lines split on `\\n` only, as the parser)."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    starts = [0]
    for part in body.split("\n")[:-1]:
        starts.append(starts[-1] + len(part) + 1)

    def offset(pos: Pos) -> int:
        return len(body) if pos.line >= len(starts) else starts[pos.line] + pos.column

    for edit in sorted(edits, key=lambda e: e.range.start, reverse=True):
        body = body[:offset(edit.range.start)] + edit.new_text + body[offset(edit.range.end):]
    return bom + body


def fmt(text: str, options: Options = Options(), lines: tuple[int, int] | None = None) -> str:
    return apply(text, format_edits(parse(text), options, lines))


# -- what is normalised -----------------------------------------------------------------------
def test_keywords_are_upper_cased_with_the_trigger_as_and_healthcheck_type():
    text = ("from alpine as build\nrun echo run\nonbuild copy . /app\nhealthcheck cmd curl -f x\n"
            "Healthcheck none\nFROM build As final\n")
    assert fmt(text) == ("FROM alpine AS build\nRUN echo run\nONBUILD COPY . /app\nHEALTHCHECK CMD curl -f x\n"
                         "HEALTHCHECK NONE\nFROM build AS final\n")


def test_edits_are_minimal_and_per_line():
    edits = format_edits(parse("from alpine as b  \n  RUN x\nRUN ok\n"))
    assert edits == [
        Edit(Range(Pos(0, 0), Pos(0, 18)), "FROM alpine AS b"),  # one edit per line: from the first change to the last
        Edit(Range(Pos(1, 0), Pos(1, 2)), ""),
    ]
    assert format_edits(parse("FROM alpine\nRUN x\n")) == []


def test_leading_and_trailing_whitespace_is_removed():
    assert fmt("  FROM alpine  \n\t RUN echo hi\t\n   \n# note   \n") == "FROM alpine\nRUN echo hi\n\n# note\n"


def test_uniform_continuation_lines_get_one_indentation_unit():
    text = "RUN set -eux; \\\n  apt-get update; \\\n  # why\n  apt-get install -y curl\n"
    assert fmt(text) == "RUN set -eux; \\\n    apt-get update; \\\n    # why\n    apt-get install -y curl\n"
    assert fmt(text, TABS) == "RUN set -eux; \\\n\tapt-get update; \\\n\t# why\n\tapt-get install -y curl\n"
    assert fmt(text, Options(indent="  ")) == text


def test_unindented_continuations_are_indented_where_a_blank_ends_the_line_before():
    text = "ENV A=1 \\\nB=2 \\\nC=3\nCOPY a \\\nb /dst/\n"
    assert fmt(text) == "ENV A=1 \\\n    B=2 \\\n    C=3\nCOPY a \\\n    b /dst/\n"


# -- what is left exactly as written ----------------------------------------------------------
@pytest.mark.parametrize("text", [
    # nested if/fi and varied indentation
    "RUN if [ -f x ]; then \\\n        echo yes; \\\n    fi\n",
    "RUN apt-get update \\\n  && apt-get install -y \\\n      curl \\\n  && rm -rf /var/lib/apt/lists/*\n",
    # the leading-`&&` style, even when uniformly indented
    "RUN apt-get update \\\n && apt-get install -y curl \\\n && rm -rf /var/lib/apt/lists/*\n",
    "RUN a \\\n    || b\n",
    # a continuation inside a word: indenting would split it
    "RUN echo foo\\\nbar\n",
    "ENV PATH=/usr/local/\\\nbin:$PATH\n",
    # inside quotes the whitespace is part of the string
    "RUN echo \"hello \\\n  world\"\n",
    "LABEL description='one \\\n  two'\n",
    "CMD [\"echo\", \"a \\\n  b\"]\n",
    # arguments taken literally
    "ENV GREETING hello \\\n  world\n",
    "USER app\\\n  :app\n",
    # already formatted
    "RUN a && \\\n    b\n",
])
def test_left_as_written(text):
    assert fmt(text) == text


def test_heredoc_bodies_are_never_touched():
    text = ("RUN <<EOF   \n  indented   \n\tkept\t\n\nEOF\ncopy <<-END /x\n\t\tbody  \n\tEND\n"
            "RUN cat <<EOF\nnever terminated   \n\n")
    assert fmt(text, Options(trim_final_newlines=True, insert_final_newline=True)) == (
        "RUN <<EOF\n  indented   \n\tkept\t\n\nEOF\nCOPY <<-END /x\n\t\tbody  \n\tEND\n"
        "RUN cat <<EOF\nnever terminated   \n\n")


def test_comment_text_json_and_words_are_kept():
    text = "# keep   THIS   as is\nCMD [ \"a\",\"b\" ]\nLABEL x=\"run  from\"\nRUN echo from  run\n"
    assert fmt(text) == text


def test_backtick_escape_directive():
    text = "# escape=`\nfrom mcr.microsoft.com/windows\nrun dir `\n  C:\\ `\n  && echo\nRUN a `\n  b `\n  c\n"
    assert fmt(text) == ("# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  C:\\ `\n  && echo\n"
                         "RUN a `\n    b `\n    c\n")


def test_final_newline_options_and_crlf():
    assert fmt("FROM a", Options(insert_final_newline=True)) == "FROM a\n"
    assert fmt("FROM a\r\nRUN x  ", Options(insert_final_newline=True)) == "FROM a\r\nRUN x\r\n"
    assert fmt("FROM a\n\n\n  \n", Options(trim_final_newlines=True)) == "FROM a\n"
    assert fmt("FROM a\r\n\r\n\r\n", Options(trim_final_newlines=True)) == "FROM a\r\n"
    assert fmt("FROM a\n\n\n") == "FROM a\n\n\n"  # neither option: kept
    assert fmt("from a  \r\nrun x\r\n") == "FROM a\r\nRUN x\r\n"


def test_range_formatting_touches_only_the_instructions_it_overlaps():
    text = "from a\nrun x \\\n  y  \nrun z  \n# c  \nrun w\n"
    assert fmt(text, lines=(2, 2)) == "from a\nRUN x \\\n    y\nrun z  \n# c  \nrun w\n"
    assert fmt(text, lines=(3, 4)) == "from a\nrun x \\\n  y  \nRUN z\n# c\nrun w\n"


def test_odd_documents():
    for text in ("", "\n", "\\\n", "RUN\n", "FORM a\n  foo bar  \n", "RUN <<EOF", "ONBUILD ONBUILD run x\n",
                 "RU\\\nN x\n", "FROM a\nENV ${\n", "\ufeff  from a\n"):
        once = fmt(text, Options(insert_final_newline=True, trim_final_newlines=True))
        assert fmt(once, Options(insert_final_newline=True, trim_final_newlines=True)) == once, text
    assert fmt("\ufeff  from a\n") == "\ufeffFROM a\n"
    assert fmt("RU\\\nN x\n") == "RU\\\nN x\n"  # a keyword split by a continuation is not re-cased


# -- the promises: same instructions, idempotent ----------------------------------------------------
def _shell_words(value: str, escape: str) -> list[str]:
    try:  # words as the shell would split them, quotes kept: whitespace between words does not matter
        return Lex(escape, raw_quotes=True, raw_escapes=True, skip_unset_env=True).process_words(value)
    except ShellLexError:
        return value.split()


def _signature(ins, escape: str):
    if ins is None:
        return None
    kw = ins.keyword
    values = list(ins.value)
    if kw == "FROM" and len(values) == 3:
        values[1] = values[1].lower()  # `as` -> `AS`: BuildKit compares case-insensitively
    if kw == "HEALTHCHECK" and values:
        values[0] = values[0].upper()
    if not ins.json and (kw in ("RUN", "CMD", "ENTRYPOINT") or (kw == "HEALTHCHECK" and len(values) > 1)):
        values = [_shell_words(v, escape) for v in values]
    if kw == "ONBUILD":
        values = None  # the trigger's own signature follows
    heredocs = [(h.name, h.content, h.chomp, h.expand) for h in ins.heredocs]
    return kw, ins.flags, values, ins.json, heredocs, _signature(ins.trigger, escape)


def check_promises(text: str, options: Options) -> str:
    before = parse(text)
    out = apply(text, format_edits(before, options))
    after = parse(out)
    assert [_signature(i, before.escape) for i in before.instructions] == \
        [_signature(i, after.escape) for i in after.instructions]
    assert [(c.text, c.range.start.line) for c in before.comments] == [(c.text, c.range.start.line)
                                                                       for c in after.comments]
    assert format_edits(after, options) == [], "formatting twice must equal formatting once"
    return out


def test_corpus_formats_to_the_same_instructions_and_is_idempotent(corpus):
    options = [Options(), Options("\t", True, True, True)]
    changed = 0
    for n, path in enumerate(corpus):
        text = path.read_bytes().decode("utf-8", errors="replace")
        changed += check_promises(text, options[n % 2]) != text
    assert changed > len(corpus) // 4  # the corpus does give the formatter work


_lines = st.sampled_from([
    "from alpine as base", "  FROM scratch", "run echo hi", "RUN set -eux; \\", "  apt-get update; \\",
    "    apt-get install -y curl \\", "\tmake \\", " && make install", "echo foo\\", "bar", "  # comment   ",
    "RUN echo \"a \\", "   b\"", "ENV A=1 \\", "B=2", "ENV K v \\", "  w", "healthcheck cmd true", "onbuild run x",
    "RUN <<EOF", "  body   ", "EOF", "COPY <<-END /x", "\tEND", "CMD [\"a\", \\", "     \"b\"]", "", "   ",
    "# escape=`", "RUN a `", "  b", "user app\\", "LABEL x=\"y  z\"", "\\", "  \\", "RUN 'it''s' \\",
    "\u00e9\U0001F433 \\", "ARG V=1   ",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_lines, max_size=25), st.sampled_from(["\n", "\r\n"]), st.booleans(),
       st.sampled_from([Options(), TABS, Options("  ", True, True, True), Options("", False, False, True)]))
def test_generated_documents_keep_the_promises(lines, eol, final_eol, options):
    text = eol.join(lines) + (eol if final_eol else "")
    check_promises(text, options)


# -- over JSON-RPC -------------------------------------------------------------------------------------
async def test_formatting_request_returns_per_line_edits_in_utf16(client: LanguageClient):
    uri = await open_doc(client, "FROM alpine\nLABEL x=\"\U0001F433\"   \nrun echo \\\n  b\n")
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        types.TextDocumentIdentifier(uri), types.FormattingOptions(tab_size=2, insert_spaces=False)))
    assert [(e.range, e.new_text) for e in edits] == [
        (types.Range(types.Position(1, 12), types.Position(1, 15)), ""),  # 🐳 is two UTF-16 units
        (types.Range(types.Position(2, 0), types.Position(2, 3)), "RUN"),
        (types.Range(types.Position(3, 0), types.Position(3, 2)), "\t"),
    ]


async def test_formatting_options_from_the_client(client: LanguageClient):
    uri = await open_doc(client, "FROM a\nRUN x \\\n y\n\n\n")
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        types.TextDocumentIdentifier(uri), types.FormattingOptions(tab_size=3, insert_spaces=True,
                                                                   trim_final_newlines=True)))
    assert [(e.range, e.new_text) for e in edits] == [
        (types.Range(types.Position(2, 1), types.Position(2, 1)), "  "),  # the smallest edit: two more blanks
        (types.Range(types.Position(3, 0), types.Position(5, 0)), ""),
    ]


async def test_range_formatting_request(client: LanguageClient):
    uri = await open_doc(client, "from a\nrun x  \nrun y  \n")
    edits = await client.text_document_range_formatting_async(types.DocumentRangeFormattingParams(
        types.TextDocumentIdentifier(uri), types.Range(types.Position(1, 2), types.Position(2, 0)),
        types.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert [(e.range, e.new_text) for e in edits] == [
        (types.Range(types.Position(1, 0), types.Position(1, 7)), "RUN x"),
    ]
    past = await client.text_document_range_formatting_async(types.DocumentRangeFormattingParams(
        types.TextDocumentIdentifier(uri), types.Range(types.Position(40, 0), types.Position(90, 3)),
        types.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert [(e.range, e.new_text) for e in past] == [
        (types.Range(types.Position(2, 0), types.Position(2, 7)), "RUN y"),  # clamped to the last line
    ]


async def test_formatting_odd_documents(client: LanguageClient):
    options = types.FormattingOptions(tab_size=4, insert_spaces=True, insert_final_newline=True)
    for text in ("", "\ufeffrun x", "RUN <<EOF\nbody  ", "\\", "FORM x  "):
        uri = await open_doc(client, text)
        edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
            types.TextDocumentIdentifier(uri), options))
        assert edits is not None, text
    uri = await open_doc(client, "\ufeffrun x")
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        types.TextDocumentIdentifier(uri), options))
    # the BOM is the first character of line 0 for the client
    assert [(e.range, e.new_text) for e in edits] == [
        (types.Range(types.Position(0, 1), types.Position(0, 6)), "RUN x\n")]
    missing = await client.text_document_formatting_async(types.DocumentFormattingParams(
        types.TextDocumentIdentifier("file:///nowhere/Dockerfile"), options))
    assert missing is None
