"""Outline (documentSymbol), folding ranges and FROM image links over real JSON-RPC."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from layerlint.model import ImageRef
from layerlint.server.symbols import image_name_length, image_page, instruction_name
from layerlint.parser import parse
from lsp_support import SERVER, make_client, open_doc, server_fixture

client = server_fixture()  # VS Code's capabilities: hierarchical symbols, line-only folding


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def plain_client(lsp_client: LanguageClient, tmp_path_factory):
    """A client that declares nothing: flat symbols, folding ranges with characters."""
    root = tmp_path_factory.mktemp("plain")
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=root.as_uri(),
        initialization_options={"settings": {"debounceMs": 0}}))
    lsp_client.root = root
    yield
    await lsp_client.shutdown_session()


DOC = """\
# syntax=docker/dockerfile:1
ARG TAG=3.20
# build the tools
# (static binaries)
FROM --platform=$BUILDPLATFORM golang:1.22 AS Builder
MAINTAINER someone@example.com
ENV CGO_ENABLED=0 GOOS=linux
RUN go build \\
      -o /out/app \\
      ./cmd/app
RUN <<EOF
set -e
echo built
EOF
FROM alpine:${TAG}
COPY --from=builder /out/app /usr/local/bin/app
CMD ["app"]
"""


def rng(l1: int, c1: int, l2: int, c2: int) -> types.Range:
    return types.Range(types.Position(l1, c1), types.Position(l2, c2))


def tree(symbols) -> list:
    """(name, detail, kind, range, selection range, tags, children) of each symbol, recursively."""
    return [(s.name, s.detail, s.kind, s.range, s.selection_range, s.tags, tree(s.children or []))
            for s in symbols]


K = types.SymbolKind
DEPRECATED = (types.SymbolTag.Deprecated,)


async def symbols(client: LanguageClient, uri: str):
    return await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        types.TextDocumentIdentifier(uri)))


async def folding(client: LanguageClient, uri: str):
    return await client.text_document_folding_range_async(types.FoldingRangeParams(
        types.TextDocumentIdentifier(uri)))


async def links(client: LanguageClient, text: str):
    uri = await open_doc(client, text)
    found = await client.text_document_document_link_async(types.DocumentLinkParams(
        types.TextDocumentIdentifier(uri)))
    return [(link.range, link.target) for link in found]


# -- outline -------------------------------------------------------------------------------
async def test_outline_is_a_tree_of_stages_and_their_instructions(client: LanguageClient):
    uri = await open_doc(client, DOC)
    assert tree(await symbols(client, uri)) == [
        ("syntax", "docker/dockerfile:1", K.Property, rng(0, 0, 0, 28), rng(0, 0, 0, 28), None, []),
        ("ARG TAG=3.20", None, K.Variable, rng(1, 0, 1, 12), rng(1, 0, 1, 3), None, []),
        ("Builder", "golang:1.22 ($BUILDPLATFORM)", K.Class, rng(4, 0, 13, 3), rng(4, 46, 4, 53), None, [
            ("MAINTAINER someone@example.com", None, K.Property, rng(5, 0, 5, 30), rng(5, 0, 5, 10), DEPRECATED, []),
            ("ENV CGO_ENABLED=0 GOOS=linux", None, K.Variable, rng(6, 0, 6, 28), rng(6, 0, 6, 3), None, [
                ("CGO_ENABLED", "0", K.Variable, rng(6, 4, 6, 17), rng(6, 4, 6, 15), None, []),
                ("GOOS", "linux", K.Variable, rng(6, 18, 6, 28), rng(6, 18, 6, 22), None, [])]),
            ("RUN go build -o /out/app ./cmd/app", None, K.Function, rng(7, 0, 9, 15), rng(7, 0, 7, 3), None, []),
            ("RUN <<EOF", None, K.Function, rng(10, 0, 13, 3), rng(10, 0, 10, 3), None, [])]),
        ("stage 1", "alpine:${TAG}", K.Class, rng(14, 0, 16, 11), rng(14, 5, 14, 18), None, [
            ("COPY /out/app /usr/local/bin/app", "--from=builder", K.File, rng(15, 0, 15, 47), rng(15, 0, 15, 4),
             None, []),
            ('CMD ["app"]', None, K.Method, rng(16, 0, 16, 11), rng(16, 0, 16, 3), None, [])]),
    ]


def test_instruction_names_are_one_short_line():
    doc = parse("FROM a\nRUN apt-get update && \\\n"
                "    apt-get install -y --no-install-recommends curl ca-certificates\n"
                "onbuild run make\nHEALTHCHECK NONE\nEXPOSE\n")
    assert [instruction_name(i) for i in doc.instructions] == [
        "FROM a", "RUN apt-get update && apt-get install -y --…", "onbuild run make", "HEALTHCHECK NONE", "EXPOSE"]


async def test_outline_of_odd_documents(client: LanguageClient):
    assert await symbols(client, await open_doc(client, "")) == []
    assert await symbols(client, "file:///nowhere/Dockerfile") is None
    # instructions before any FROM stay at the top level; an unknown instruction is still listed,
    # the empty one a lone `\\` at the end makes is not
    uri = await open_doc(client, "RUN echo early\nFROM a AS\nFOO bar\n\\\n")
    assert [(s.name, [c.name for c in s.children or []]) for s in await symbols(client, uri)] == [
        ("RUN echo early", []), ("stage 0", ["FOO bar"])]


async def test_flat_symbols_for_clients_without_hierarchy(plain_client: LanguageClient):
    uri = await open_doc(plain_client, DOC)
    flat = await symbols(plain_client, uri)
    assert all(isinstance(s, types.SymbolInformation) for s in flat)
    assert [(s.name, s.container_name, s.location.range.start.line) for s in flat][2:5] == [
        ("Builder", None, 4), ("MAINTAINER someone@example.com", "Builder", 5), ("ENV CGO_ENABLED=0 GOOS=linux",
                                                                              "Builder", 6)]
    assert flat[3].tags == DEPRECATED


# -- folding -------------------------------------------------------------------------------
async def test_folding_stages_instructions_heredocs_and_comment_blocks(client: LanguageClient):
    uri = await open_doc(client, DOC)
    assert [(f.start_line, f.end_line, f.kind) for f in await folding(client, uri)] == [
        (2, 3, types.FoldingRangeKind.Comment),  # two comment lines
        (4, 13, None),  # stage Builder
        (7, 9, None),  # RUN over three lines
        (10, 13, None),  # RUN <<EOF with its heredoc
        (11, 13, None),  # the heredoc body
        (14, 16, None),  # the last stage
    ]
    assert all(f.start_character is None and f.end_character is None for f in await folding(client, uri))


async def test_folding_with_characters_when_the_client_allows(plain_client: LanguageClient):
    # each range folds after the text of its first line; the emoji counts two UTF-16 units
    uri = await open_doc(plain_client, "FROM a\nRUN echo \"\U0001F600\" \\\n  \"\U0001F600\"\n")
    assert [(f.start_line, f.start_character, f.end_line, f.end_character)
            for f in await folding(plain_client, uri)] == [(0, 6, 2, 6), (1, 15, 2, 6)]


async def test_folding_comment_runs_need_two_lines_and_odd_documents(client: LanguageClient):
    uri = await open_doc(client, "# one\nFROM a\n# two\n\n# three\nRUN x\n#a\n#b\n#c\n")
    assert [(f.start_line, f.end_line, f.kind) for f in await folding(client, uri)] == [
        (1, 5, None), (6, 8, types.FoldingRangeKind.Comment)]
    for text in ("", "RUN <<EOF\n", "FROM a\r\nRUN a \\\r\n b\r\n", "\x00$\\\n"):
        assert isinstance(await folding(client, await open_doc(client, text)), (list, tuple))


# -- links ---------------------------------------------------------------------------------
async def test_image_links_cover_the_name_and_go_to_the_registry_page(client: LanguageClient):
    text = """\
ARG TAG=3.20
ARG REG=ghcr.io
FROM alpine:${TAG} AS base
FROM bitnami/redis:7
FROM docker.io/library/nginx@sha256:0123
FROM ${REG}/owner/tool:1
FROM quay.io/prometheus/node-exporter:v1
FROM mcr.microsoft.com/dotnet/sdk:8.0
"""
    assert await links(client, text) == [
        (rng(2, 5, 2, 11), "https://hub.docker.com/_/alpine"),
        (rng(3, 5, 3, 18), "https://hub.docker.com/r/bitnami/redis"),
        (rng(4, 5, 4, 28), "https://hub.docker.com/_/nginx"),
        (rng(5, 5, 5, 22), "https://ghcr.io/owner/tool"),
        (rng(6, 5, 6, 37), "https://quay.io/repository/prometheus/node-exporter"),
        (rng(7, 5, 7, 33), "https://mcr.microsoft.com/artifact/mar/dotnet/sdk"),
    ]


async def test_no_links_for_stages_scratch_unknown_registries_or_unresolved_variables(client: LanguageClient):
    text = """\
ARG IMAGE
FROM golang:1.22 AS Builder
FROM builder
FROM Builder
FROM scratch
FROM ${IMAGE}:1
FROM localhost:5000/app:1
FROM registry.example.com/team/app
"""
    assert await links(client, text) == [(rng(1, 5, 1, 11), "https://hub.docker.com/_/golang")]
    assert await links(client, "") == []
    assert await links(client, "FROM\nFROM --platform=x\nFROM a:${B\n") == [
        (rng(2, 5, 2, 6), "https://hub.docker.com/_/a")]


@pytest.mark.parametrize("text, length", [
    ("alpine", 6), ("alpine:3.20", 6), ("alpine@sha256:ab", 6), ("alpine:3@sha256:ab", 6),
    ("localhost:5000/app:1", 18), ("${REG:-docker.io}/app:${TAG}", 21), ("${IMAGE}", 8), ("", 0)])
def test_image_name_length(text: str, length: int):
    assert image_name_length(text) == length


def test_image_pages():
    assert image_page(ImageRef.parse("ubuntu")) == ("https://hub.docker.com/_/ubuntu", "Docker Hub")
    assert image_page(ImageRef.parse("index.docker.io/grafana/grafana")) == (
        "https://hub.docker.com/r/grafana/grafana", "Docker Hub")
    assert image_page(ImageRef.parse("ghcr.io/a/b/c")) == ("https://ghcr.io/a/b/c", "ghcr.io")
    assert image_page(ImageRef.parse("gcr.io/distroless/static")) is None
