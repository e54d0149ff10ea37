"""Semantic tokens: full, delta and range, end to end over JSON-RPC, plus the invariants every
client relies on (sorted, non-overlapping, one line each) checked on the whole corpus."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.capabilities import ServerCapabilitiesBuilder
from pytest_lsp import LanguageClient, client_capabilities

from layerlint.model import build_model
from layerlint.parser import parse
from layerlint.server import create_server
from layerlint.server.semantic_tokens import TOKEN_MODIFIERS, TOKEN_TYPES, delta_edits, document_tokens, scan
from lsp_support import change, open_doc, server_fixture, wait_diagnostics

client = server_fixture()


def decode(text: str, data: list[int], legend: types.SemanticTokensLegend | None = None) -> list[tuple]:
    """(line, character, text, type, modifiers) of each token; characters in UTF-16 units."""
    types_ = legend.token_types if legend else TOKEN_TYPES
    mods_ = legend.token_modifiers if legend else TOKEN_MODIFIERS
    lines = text.split("\n")  # a BOM stays: it is a character of line 0 for the client
    data = list(data)
    out, line, char = [], 0, 0
    for i in range(0, len(data), 5):
        d_line, d_char, length, kind, mods = data[i:i + 5]
        line += d_line
        char = char + d_char if d_line == 0 else d_char
        units = lines[line].rstrip("\r").encode("utf-16-le")
        word = units[2 * char:2 * (char + length)].decode("utf-16-le")
        names = {m for b, m in enumerate(mods_) if mods >> b & 1}
        out.append((line, char, word, types_[kind], names))
    return out


async def full(client: LanguageClient, uri: str) -> types.SemanticTokens:
    return await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(types.TextDocumentIdentifier(uri)))


def test_legend_advertises_exactly_what_is_emitted_with_delta_and_range():
    server = create_server()  # the capabilities pygls computes from the registered features
    fm = server.protocol.fm
    provider = ServerCapabilitiesBuilder(
        client_capabilities("visual-studio-code"), set({**fm.features, **fm.builtin_features}), fm.feature_options,
        list(fm.commands), types.TextDocumentSyncKind.Incremental).build().semantic_tokens_provider
    assert provider.legend.token_types == ["keyword", "comment", "macro", "string", "parameter", "class",
                                           "property", "namespace", "variable", "operator"]
    assert provider.legend.token_modifiers == ["declaration", "deprecated"]
    assert provider.full == types.SemanticTokensFullDelta(delta=True)
    assert provider.range is True


DOC = (
    "# syntax=docker/dockerfile:1\n"
    "ARG BASE=debian:12\n"
    "FROM --platform=$BUILDPLATFORM ${BASE} AS build\n"
    "ENV A=\"x $B y\" \\\n"
    "    # inside the continuation\n"
    "    C='$D'\n"
    "LABEL \"org.x\"=v\n"
    "RUN --mount=type=cache,target=/root \\\n"
    "    echo \"$HOME\" '$NOT' ${X:-$Y}\n"
    "COPY --from=build --chown=1:1 /a /b\n"
    "FROM build\n"
    "FROM registry.io:5000/img:1.2@sha256:abc AS final\n"
    "MAINTAINER me\n"
    "HEALTHCHECK CMD [\"curl\", \"-f\"]\n"
    "onbuild run echo $Z\n"
    "RUN <<EOF\n"
    "echo $PLAIN\n"
    "EOF\n"
)


async def test_full_tokens_of_every_kind(client: LanguageClient):
    uri = await open_doc(client, DOC)
    result = await full(client, uri)
    assert result.result_id
    assert decode(DOC, result.data) == [
        (0, 2, "syntax", "macro", set()), (0, 9, "docker/dockerfile:1", "string", set()),
        (1, 0, "ARG", "keyword", set()), (1, 4, "BASE", "variable", {"declaration"}), (1, 8, "=", "operator", set()),
        (2, 0, "FROM", "keyword", set()), (2, 5, "--platform", "parameter", set()), (2, 15, "=", "operator", set()),
        (2, 16, "$BUILDPLATFORM", "variable", set()), (2, 31, "${BASE}", "variable", set()),
        (2, 39, "AS", "keyword", set()), (2, 42, "build", "namespace", {"declaration"}),
        (3, 0, "ENV", "keyword", set()), (3, 4, "A", "variable", {"declaration"}), (3, 5, "=", "operator", set()),
        (3, 6, '"x ', "string", set()), (3, 9, "$B", "variable", set()), (3, 11, ' y"', "string", set()),
        (4, 4, "# inside the continuation", "comment", set()),
        (5, 4, "C", "variable", {"declaration"}), (5, 5, "=", "operator", set()), (5, 6, "'$D'", "string", set()),
        (6, 0, "LABEL", "keyword", set()), (6, 6, '"org.x"', "property", set()), (6, 13, "=", "operator", set()),
        (7, 0, "RUN", "keyword", set()), (7, 4, "--mount", "parameter", set()), (7, 11, "=", "operator", set()),
        (7, 12, "type=cache,target=/root", "string", set()),
        # shell text: only the references (not inside single quotes; a default's own reference)
        (8, 10, "$HOME", "variable", set()), (8, 24, "${X", "variable", set()), (8, 29, "$Y", "variable", set()),
        (9, 0, "COPY", "keyword", set()), (9, 5, "--from", "parameter", set()), (9, 11, "=", "operator", set()),
        (9, 12, "build", "namespace", set()), (9, 18, "--chown", "parameter", set()),
        (9, 25, "=", "operator", set()), (9, 26, "1:1", "string", set()),
        (10, 0, "FROM", "keyword", set()), (10, 5, "build", "namespace", set()),
        (11, 0, "FROM", "keyword", set()), (11, 5, "registry.io:5000/img", "class", set()),
        (11, 25, ":1.2", "property", set()), (11, 29, "@sha256:abc", "property", set()),
        (11, 41, "AS", "keyword", set()), (11, 44, "final", "namespace", {"declaration"}),
        (12, 0, "MAINTAINER", "keyword", {"deprecated"}),
        (13, 0, "HEALTHCHECK", "keyword", set()), (13, 12, "CMD", "keyword", set()),
        (13, 17, '"curl"', "string", set()), (13, 25, '"-f"', "string", set()),
        (14, 0, "onbuild", "keyword", set()), (14, 8, "run", "keyword", set()), (14, 17, "$Z", "variable", set()),
        (15, 0, "RUN", "keyword", set()),  # the heredoc body stays plain
    ]


async def test_tokens_crossing_a_continuation_are_split_per_line(client: LanguageClient):
    text = "FROM alpine\nRUN --mount=type=cache,\\\n  # note\ntarget=/x echo $HO\\\nME\n"
    uri = await open_doc(client, text)
    tokens = decode(text, (await full(client, uri)).data)
    assert tokens == [
        (0, 0, "FROM", "keyword", set()), (0, 5, "alpine", "class", set()),
        (1, 0, "RUN", "keyword", set()), (1, 4, "--mount", "parameter", set()), (1, 11, "=", "operator", set()),
        (1, 12, "type=cache,", "string", set()),
        (2, 2, "# note", "comment", set()),
        (3, 0, "target=/x", "string", set()), (3, 15, "$HO", "variable", set()), (4, 0, "ME", "variable", set()),
    ]


async def test_lengths_and_columns_in_utf16_units(client: LanguageClient):
    text = "FROM alpine\nLABEL d=\"h\u00e9 \U0001F433\" k=$V\n"
    uri = await open_doc(client, text)
    data = (await full(client, uri)).data
    tokens = decode(text, data)
    assert (1, 8, "\"h\u00e9 \U0001F433\"", "string", set()) in tokens
    assert (1, 18, "$V", "variable", set()) in tokens  # 🐳 is two UTF-16 units
    assert list(data[-5:]) == [0, 1, 2, 8, 0]  # `$V`: same line, 1 unit after `=`, 2 long, type variable


async def test_escape_directive_crlf_and_bom(client: LanguageClient):
    text = "\ufeff# escape=`\r\nFROM alpine\r\nRUN echo $A `\r\n    && echo `$B\r\n"
    uri = await open_doc(client, text)
    tokens = decode(text, (await full(client, uri)).data)
    # the BOM is a character of line 0 for the client
    assert tokens[:2] == [(0, 3, "escape", "macro", set()), (0, 10, "`", "string", set())]
    assert (2, 9, "$A", "variable", set()) in tokens
    assert not [t for t in tokens if t[2] == "$B"]  # escaped with the backtick: not a reference


async def test_delta_returns_one_edit_for_the_changed_middle(client: LanguageClient):
    text = "FROM alpine\nRUN echo $A\nENV B=1\nUSER app\n"
    uri = await open_doc(client, text)
    first = await full(client, uri)
    change(client, uri, 2, (1, 9), (1, 11), "${LONGER}")
    await wait_diagnostics(client, uri, 2)
    delta = await client.text_document_semantic_tokens_full_delta_async(types.SemanticTokensDeltaParams(
        types.TextDocumentIdentifier(uri), previous_result_id=first.result_id))
    assert isinstance(delta, types.SemanticTokensDelta) and delta.result_id != first.result_id
    assert len(delta.edits) == 1
    edit = delta.edits[0]
    old = list(first.data)
    patched = old[:edit.start] + list(edit.data or []) + old[edit.start + edit.delete_count:]
    new_text = "FROM alpine\nRUN echo ${LONGER}\nENV B=1\nUSER app\n"
    assert decode(new_text, patched) == decode(new_text, (await full(client, uri)).data)
    assert (1, 9, "${LONGER}", "variable", set()) in decode(new_text, patched)
    assert edit.start == 15 and edit.delete_count == 5  # only the reference token (tokens 3..) changed


async def test_delta_with_an_unknown_result_id_sends_everything(client: LanguageClient):
    uri = await open_doc(client, "FROM alpine\n")
    result = await client.text_document_semantic_tokens_full_delta_async(types.SemanticTokensDeltaParams(
        types.TextDocumentIdentifier(uri), previous_result_id="no-such-id"))
    assert isinstance(result, types.SemanticTokens) and list(result.data) == [0, 0, 4, 0, 0, 0, 5, 6, 5, 0]


async def test_range_returns_the_tokens_of_those_lines_only(client: LanguageClient):
    uri = await open_doc(client, DOC)
    result = await client.text_document_semantic_tokens_range_async(types.SemanticTokensRangeParams(
        types.TextDocumentIdentifier(uri), types.Range(types.Position(9, 0), types.Position(11, 0))))
    tokens = decode(DOC, result.data)
    assert {t[0] for t in tokens} == {9, 10}
    assert tokens[0] == (9, 0, "COPY", "keyword", set()) and tokens[-1] == (10, 5, "build", "namespace", set())
    past = await client.text_document_semantic_tokens_range_async(types.SemanticTokensRangeParams(
        types.TextDocumentIdentifier(uri), types.Range(types.Position(14, 3), types.Position(500, 0))))
    # a token overlapping the range's start is included whole
    assert [t[2] for t in decode(DOC, past.data)] == ["onbuild", "run", "$Z", "RUN"]


async def test_odd_documents_give_valid_results(client: LanguageClient):
    cases = {
        "": [],
        "\n\n": [],
        "FORM alpine\nRUN\n": [(1, 0, "RUN", "keyword", set())],  # an unknown instruction is not coloured
        "FROM a\nRUN echo \"unterminated $X\n": [(0, 0, "FROM", "keyword", set()), (0, 5, "a", "class", set()),
                                                 (1, 0, "RUN", "keyword", set()), (1, 23, "$X", "variable", set())],
        "FROM a\nRUN <<EOF\nnever closed $X\n": [(0, 0, "FROM", "keyword", set()), (0, 5, "a", "class", set()),
                                                 (1, 0, "RUN", "keyword", set())],
        "FROM a\nENV ${\nONBUILD ONBUILD RUN x\n": None,  # no exact expectation: must not fail
        "\\\n": [],
    }
    for text, expected in cases.items():
        uri = await open_doc(client, text)
        tokens = decode(text, (await full(client, uri)).data)
        if expected is not None:
            assert tokens == expected, text
    missing = await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(
        types.TextDocumentIdentifier("file:///nowhere/Dockerfile")))
    assert missing is None


# -- pure functions ------------------------------------------------------------------------
def test_scanner_reads_quotes_like_buildkit():
    text = """a "x $A" 'y $B' \\$C ${D:-$E} $1 $@ $ done"""
    strings, refs = scan(text, 0, len(text), "\\", strings=True)
    assert [text[a:b] for a, b in strings] == ['"x $A"', "'y $B'"]
    assert [text[a:b] for a, b in refs] == ["$A", "${D", "$E", "$1", "$@"]


def _check_invariants(text: str) -> list[tuple]:
    doc = parse(text)
    tokens = document_tokens(doc, build_model(doc))
    assert tokens == sorted(tokens)
    end = (-1, 0)
    for line, col, length, kind, mods in tokens:
        assert length > 0 and col + length <= len(doc.lines[line]), (line, col, length)
        assert (line, col) >= end, "overlapping tokens"
        end = (line, col + length)
    return tokens


def test_corpus_tokens_are_sorted_single_line_and_never_overlap(corpus):
    for path in corpus:
        text = path.read_text(encoding="utf-8", errors="replace")
        doc = parse(text)
        tokens = _check_invariants(text)
        for line, col, length, kind, mods in tokens:
            word = doc.lines[line][col:col + length]
            if TOKEN_TYPES[kind] == "comment":
                assert word.startswith("#"), (path, line)
            elif TOKEN_TYPES[kind] == "variable" and not mods:
                assert word.startswith("$") or doc.lines[line - 1].rstrip().endswith(doc.escape), (path, line)


_pieces = st.sampled_from(["RUN", "run", "ENV", "FROM", "COPY", "ONBUILD", "HEALTHCHECK", "CMD", "LABEL", "ARG",
                           " ", "  ", "\\\n", "\\\n  ", "\n", "# c\n", "$X", "${Y:-$Z}", "${", "'", '"', "=",
                           "--from=a", "--mount=type=bind,", "AS", "name", "[\"a\",", "\"b\"]", "<<EOF\n", "EOF\n",
                           "`", "# escape=`\n", "\u00e9", "\U0001F433", "\r\n", "\t"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=40))
def test_random_documents_keep_the_invariants(pieces):
    _check_invariants("".join(pieces))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 3), max_size=40).map(lambda xs: xs[:len(xs) - len(xs) % 5]),
       st.lists(st.integers(0, 3), max_size=40).map(lambda xs: xs[:len(xs) - len(xs) % 5]))
def test_delta_edit_turns_the_old_data_into_the_new(old, new):
    patched = list(old)
    for edit in reversed(delta_edits(old, new)):
        assert edit.start % 5 == 0 and edit.delete_count % 5 == 0
        patched[edit.start:edit.start + edit.delete_count] = edit.data
    assert patched == new

