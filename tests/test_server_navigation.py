"""Definition, references, highlight and rename over real JSON-RPC, with BuildKit's scoping of
stage names and ARG/ENV variables (and heredoc delimiters)."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from lsp_support import open_doc, server_fixture

client = server_fixture()

STAGES = """\
# syntax=docker/dockerfile:1
ARG GO=1.22
FROM golang:${GO} AS Builder
RUN go build -o /out/app .
FROM builder AS test
RUN go test ./...
FROM alpine:3.20
COPY --from=builder /out/app /app
COPY --from="Builder" /out/app /app2
COPY --from=0 /out/app /app3
RUN --mount=type=cache,from=builder,target=/c ls /c
COPY --from=2 /etc/os-release /x
FROM Builder
"""

VARIABLES = """\
ARG VERSION=1.0
ARG BASE=alpine
FROM ${BASE}:${VERSION} AS build
ARG VERSION
ARG MODE=dev
ENV MODE=$MODE
RUN echo $VERSION ${MODE} '$MODE' $HOME
ONBUILD RUN echo $APP_DIR $VERSION
ENV APP_DIR=/app
CMD echo $MODE $VERSION
FROM alpine:3.20 AS other
ARG VERSION=2.0
ENV APP_DIR=/srv
RUN echo $VERSION $APP_DIR
FROM build AS child
RUN echo $APP_DIR $MODE $VERSION
"""

HEREDOCS = """\
FROM alpine:3.20
ENV GREETING=hi
RUN <<EOF
echo $GREETING
EOF
COPY <<'END' /motd
$GREETING stays literal
BYE
END
RUN <<-SCRIPT sh
\techo ${GREETING}
\tSCRIPT
"""


# -- helpers -------------------------------------------------------------------------------
def span(text: str, line: int, needle: str, nth: int = 0) -> types.Range:
    """The range of the nth `needle` on `line` of `text` (UTF-16 = code points here)."""
    row = text.splitlines()[line]
    at = -1
    for _ in range(nth + 1):
        at = row.index(needle, at + 1)
    return types.Range(types.Position(line, at), types.Position(line, at + len(needle)))


def inside(rng: types.Range) -> types.Position:
    """A cursor in the middle of a range."""
    return types.Position(rng.start.line, (rng.start.character + rng.end.character) // 2)


def doc_id(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri)


async def definition(client: LanguageClient, uri: str, pos: types.Position):
    return await client.text_document_definition_async(types.DefinitionParams(doc_id(uri), pos))


async def defined_at(client: LanguageClient, uri: str, pos: types.Position) -> types.Range | None:
    loc = await definition(client, uri, pos)
    if loc is None:
        return None
    assert isinstance(loc, types.Location) and loc.uri == uri
    return loc.range


async def references(client: LanguageClient, uri: str, pos: types.Position, declaration: bool = True):
    locs = await client.text_document_references_async(types.ReferenceParams(
        context=types.ReferenceContext(include_declaration=declaration), text_document=doc_id(uri), position=pos))
    return None if locs is None else [loc.range for loc in locs]


async def highlights(client: LanguageClient, uri: str, pos: types.Position):
    found = await client.text_document_document_highlight_async(types.DocumentHighlightParams(doc_id(uri), pos))
    return None if found is None else [(h.range, h.kind) for h in found]


async def prepare(client: LanguageClient, uri: str, pos: types.Position):
    return await client.text_document_prepare_rename_async(types.PrepareRenameParams(doc_id(uri), pos))


async def rename(client: LanguageClient, uri: str, pos: types.Position, new: str):
    edit = await client.text_document_rename_async(types.RenameParams(doc_id(uri), pos, new))
    if edit is None:
        return None
    if edit.document_changes:  # VS Code's capabilities ask for versioned document changes
        (change,) = edit.document_changes
        assert change.text_document.uri == uri and change.text_document.version == 1
        edits = change.edits
    else:
        edits = edit.changes[uri]
    assert {e.new_text for e in edits} == {new}
    return sorted((e.range for e in edits), key=lambda r: (r.start.line, r.start.character))


W, R = types.DocumentHighlightKind.Write, types.DocumentHighlightKind.Read


# -- stage names ---------------------------------------------------------------------------
async def test_stage_references_lead_to_the_as_name_whatever_the_case(client: LanguageClient):
    uri = await open_doc(client, STAGES)
    builder = span(STAGES, 2, "Builder")
    assert await defined_at(client, uri, inside(span(STAGES, 7, "builder"))) == builder  # COPY --from=
    assert await defined_at(client, uri, inside(span(STAGES, 8, "Builder"))) == builder  # quoted --from
    assert await defined_at(client, uri, inside(span(STAGES, 10, "builder"))) == builder  # --mount from=
    assert await defined_at(client, uri, inside(span(STAGES, 4, "builder"))) == builder  # FROM builder
    assert await defined_at(client, uri, inside(builder)) == builder  # the declaration itself
    # the end of the name counts too (a cursor just after the word)
    assert await defined_at(client, uri, span(STAGES, 7, "builder").end) == builder


async def test_stage_by_index_and_a_from_that_is_not_a_stage(client: LanguageClient):
    uri = await open_doc(client, STAGES)
    assert await defined_at(client, uri, inside(span(STAGES, 9, "0"))) == span(STAGES, 2, "Builder")
    # stage 2 has no name: its FROM instruction is the definition
    assert await defined_at(client, uri, inside(span(STAGES, 11, "2"))) == span(STAGES, 6, "FROM alpine:3.20")
    # BuildKit matches FROM against the lower-cased stage names by exact text: `Builder` is an image
    assert await definition(client, uri, inside(span(STAGES, 12, "Builder"))) is None


async def test_stage_references_and_highlights(client: LanguageClient):
    uri = await open_doc(client, STAGES)
    uses = [span(STAGES, 4, "builder"), span(STAGES, 7, "builder"), span(STAGES, 8, "Builder"),
            span(STAGES, 9, "0"), span(STAGES, 10, "builder")]
    decl = span(STAGES, 2, "Builder")
    assert await references(client, uri, inside(uses[1])) == [decl] + uses
    assert await references(client, uri, inside(decl), declaration=False) == uses
    assert await highlights(client, uri, inside(uses[0])) == [(decl, W)] + [(u, R) for u in uses]


async def test_rename_stage_updates_as_from_copy_and_mount_but_not_indexes(client: LanguageClient):
    uri = await open_doc(client, STAGES)
    pos = inside(span(STAGES, 7, "builder"))
    assert await prepare(client, uri, pos) == span(STAGES, 7, "builder")
    assert await rename(client, uri, pos, "compile") == [
        span(STAGES, 2, "Builder"), span(STAGES, 4, "builder"), span(STAGES, 7, "builder"),
        span(STAGES, 8, "Builder"), span(STAGES, 10, "builder")]


async def test_rename_stage_rejects_names_buildkit_refuses_or_that_exist(client: LanguageClient):
    uri = await open_doc(client, STAGES)
    pos = inside(span(STAGES, 2, "Builder"))
    for bad in ("Compile", "1st", "a b", "", "x/y"):
        with pytest.raises(JsonRpcException, match="invalid stage name"):
            await rename(client, uri, pos, bad)
    with pytest.raises(JsonRpcException, match="a stage named 'test' already exists"):
        await rename(client, uri, pos, "test")
    assert await rename(client, uri, pos, "a-b_c.d9") is not None


async def test_prepare_rename_refuses_keywords_indexes_and_unnamed_stages(client: LanguageClient):
    uri = await open_doc(client, STAGES)
    assert await prepare(client, uri, types.Position(7, 1)) is None  # COPY
    assert await prepare(client, uri, types.Position(7, 7)) is None  # --from
    assert await prepare(client, uri, inside(span(STAGES, 9, "0"))) is None  # by index
    assert await prepare(client, uri, inside(span(STAGES, 11, "2"))) is None  # unnamed stage
    assert await prepare(client, uri, inside(span(STAGES, 6, "alpine"))) is None  # an image
    with pytest.raises(JsonRpcException, match="keeps its index"):
        await rename(client, uri, inside(span(STAGES, 9, "0")), "x")
    assert await rename(client, uri, types.Position(7, 1), "x") is None


# -- variables -----------------------------------------------------------------------------
async def test_variables_in_from_lines_are_the_global_args(client: LanguageClient):
    uri = await open_doc(client, VARIABLES)
    assert await defined_at(client, uri, inside(span(VARIABLES, 2, "VERSION"))) == span(VARIABLES, 0, "VERSION")
    assert await defined_at(client, uri, inside(span(VARIABLES, 2, "BASE"))) == span(VARIABLES, 1, "BASE")


async def test_global_arg_reaches_a_stage_through_its_bare_redeclaration(client: LanguageClient):
    uri = await open_doc(client, VARIABLES)
    redeclared = span(VARIABLES, 3, "VERSION")
    assert await defined_at(client, uri, inside(span(VARIABLES, 6, "VERSION"))) == redeclared
    assert await defined_at(client, uri, inside(redeclared)) == span(VARIABLES, 0, "VERSION")
    # a stage built FROM `build` inherits the redeclared ARG
    assert await defined_at(client, uri, inside(span(VARIABLES, 15, "VERSION"))) == redeclared
    # a stage with its own `ARG VERSION=2.0` has its own variable
    assert await defined_at(client, uri, inside(span(VARIABLES, 13, "VERSION"))) == span(VARIABLES, 11, "VERSION")


async def test_env_shadows_arg_and_values_read_the_scope_before_the_instruction(client: LanguageClient):
    uri = await open_doc(client, VARIABLES)
    arg, env = span(VARIABLES, 4, "MODE"), span(VARIABLES, 5, "MODE")
    assert await defined_at(client, uri, inside(span(VARIABLES, 5, "MODE", nth=1))) == arg  # ENV MODE=$MODE
    assert await defined_at(client, uri, inside(span(VARIABLES, 6, "MODE"))) == env  # ${MODE} after it
    assert await definition(client, uri, inside(span(VARIABLES, 6, "MODE", nth=1))) is None  # '$MODE'
    assert await defined_at(client, uri, inside(span(VARIABLES, 15, "MODE"))) == env  # inherited ENV


async def test_runtime_instructions_and_onbuild_triggers_see_env_only(client: LanguageClient):
    uri = await open_doc(client, VARIABLES)
    # CMD runs in the container: the ENV is there, the ARG is not
    assert await defined_at(client, uri, inside(span(VARIABLES, 9, "MODE"))) == span(VARIABLES, 5, "MODE")
    assert await definition(client, uri, inside(span(VARIABLES, 9, "VERSION"))) is None
    # an ONBUILD trigger runs in a child build, on this stage's final ENV (declared after it, too)
    assert await defined_at(client, uri, inside(span(VARIABLES, 7, "APP_DIR"))) == span(VARIABLES, 8, "APP_DIR")
    assert await definition(client, uri, inside(span(VARIABLES, 7, "VERSION"))) is None


async def test_same_name_in_two_stages_is_two_variables(client: LanguageClient):
    uri = await open_doc(client, VARIABLES)
    assert await references(client, uri, inside(span(VARIABLES, 13, "APP_DIR"))) == [
        span(VARIABLES, 12, "APP_DIR"), span(VARIABLES, 13, "APP_DIR")]
    assert await references(client, uri, inside(span(VARIABLES, 8, "APP_DIR"))) == [
        span(VARIABLES, 7, "APP_DIR"), span(VARIABLES, 8, "APP_DIR"), span(VARIABLES, 15, "APP_DIR")]


async def test_references_of_a_global_arg_honour_include_declaration(client: LanguageClient):
    uri = await open_doc(client, VARIABLES)
    uses = [span(VARIABLES, 2, "VERSION"), span(VARIABLES, 6, "VERSION"), span(VARIABLES, 15, "VERSION")]
    decls = [span(VARIABLES, 0, "VERSION"), span(VARIABLES, 3, "VERSION")]
    pos = inside(span(VARIABLES, 0, "VERSION"))
    assert await references(client, uri, pos) == [decls[0], uses[0], decls[1], uses[1], uses[2]]
    assert await references(client, uri, pos, declaration=False) == uses


async def test_highlight_marks_declarations_as_writes(client: LanguageClient):
    uri = await open_doc(client, VARIABLES)
    assert await highlights(client, uri, inside(span(VARIABLES, 9, "MODE"))) == [
        (span(VARIABLES, 5, "MODE"), W), (span(VARIABLES, 6, "MODE"), R), (span(VARIABLES, 9, "MODE"), R),
        (span(VARIABLES, 15, "MODE"), R)]
    # an undeclared variable: its uses in the stage, nothing to go to
    home = span(VARIABLES, 6, "HOME")
    assert await highlights(client, uri, inside(home)) == [(home, R)]
    assert await definition(client, uri, inside(home)) is None


async def test_rename_variable_in_its_scope_only(client: LanguageClient):
    uri = await open_doc(client, VARIABLES)
    assert await rename(client, uri, inside(span(VARIABLES, 4, "MODE")), "BUILD_MODE") == [
        span(VARIABLES, 4, "MODE"), span(VARIABLES, 5, "MODE", nth=1)]
    assert await rename(client, uri, inside(span(VARIABLES, 6, "VERSION")), "GO_VERSION") == [
        span(VARIABLES, 0, "VERSION"), span(VARIABLES, 2, "VERSION"), span(VARIABLES, 3, "VERSION"),
        span(VARIABLES, 6, "VERSION"), span(VARIABLES, 15, "VERSION")]


async def test_rename_variable_rejects_bad_names_and_captures(client: LanguageClient):
    uri = await open_doc(client, VARIABLES)
    pos = inside(span(VARIABLES, 8, "APP_DIR"))
    assert await prepare(client, uri, pos) == span(VARIABLES, 8, "APP_DIR")
    for bad in ("1X", "A-B", "", "A B", "$A"):
        with pytest.raises(JsonRpcException, match="invalid variable name"):
            await rename(client, uri, pos, bad)
    with pytest.raises(JsonRpcException, match="MODE is already used where APP_DIR is visible"):
        await rename(client, uri, pos, "MODE")
    assert await prepare(client, uri, inside(span(VARIABLES, 6, "HOME"))) is None
    with pytest.raises(JsonRpcException, match="HOME is not declared"):
        await rename(client, uri, inside(span(VARIABLES, 6, "HOME")), "H")
    assert await prepare(client, uri, types.Position(3, 1)) is None  # the ARG keyword


# -- heredocs ------------------------------------------------------------------------------
async def test_variables_in_heredoc_bodies(client: LanguageClient):
    uri = await open_doc(client, HEREDOCS)
    greeting = span(HEREDOCS, 1, "GREETING")
    assert await defined_at(client, uri, inside(span(HEREDOCS, 3, "GREETING"))) == greeting  # RUN script
    assert await defined_at(client, uri, inside(span(HEREDOCS, 10, "GREETING"))) == greeting  # <<- with tabs
    assert await definition(client, uri, inside(span(HEREDOCS, 6, "GREETING"))) is None  # <<'END': literal


async def test_heredoc_delimiters(client: LanguageClient):
    uri = await open_doc(client, HEREDOCS)
    opener = span(HEREDOCS, 2, "EOF")
    assert await defined_at(client, uri, inside(span(HEREDOCS, 4, "EOF"))) == opener
    assert await rename(client, uri, inside(opener), "DONE") == [opener, span(HEREDOCS, 4, "EOF")]
    assert await rename(client, uri, inside(span(HEREDOCS, 11, "SCRIPT")), "SH") == [
        span(HEREDOCS, 9, "SCRIPT"), span(HEREDOCS, 11, "SCRIPT")]
    assert await highlights(client, uri, inside(span(HEREDOCS, 5, "END"))) == [
        (span(HEREDOCS, 5, "END"), W), (span(HEREDOCS, 8, "END"), R)]
    with pytest.raises(JsonRpcException, match="would end it early"):
        await rename(client, uri, inside(span(HEREDOCS, 5, "END")), "BYE")


# -- positions and odd documents ----------------------------------------------------------
async def test_positions_outside_symbols_return_null(client: LanguageClient):
    uri = await open_doc(client, STAGES)
    for pos in (types.Position(0, 3), types.Position(99, 0), types.Position(7, 999), types.Position(13, 0)):
        assert await definition(client, uri, pos) is None
        assert await references(client, uri, pos) is None
        assert await highlights(client, uri, pos) is None
        assert await prepare(client, uri, pos) is None
    unknown = "file:///nowhere/Dockerfile"
    assert await definition(client, unknown, types.Position(0, 0)) is None
    assert await rename(client, unknown, types.Position(0, 0), "x") is None


@pytest.mark.parametrize("text", [
    "", "\n\n", "# just a comment\n", "FROM\n", "COPY --from= a b\nFROM alpine AS\n", "RUN echo ${X\n",
    "RUN <<EOF\necho $X\n", "ONBUILD\nFROM a AS b\nONBUILD ONBUILD RUN $X\n", "\x00\x01$\udcff{\n",
    "ARG =x\nFROM ${=}\nENV =$\n", "FROM a AS b\nRUN --mount=from=b,\"target=/x\" $\\\n  {Y}\n"])
async def test_odd_documents_never_fail(client: LanguageClient, text: str):
    uri = await open_doc(client, text)
    for line in range(3):
        for char in (0, 3, 8):
            pos = types.Position(line, char)
            await definition(client, uri, pos)
            await references(client, uri, pos)
            await highlights(client, uri, pos)
            await prepare(client, uri, pos)


async def test_continuations_crlf_escape_and_utf16(client: LanguageClient):
    text = ("# escape=`\r\nFROM alpine:3.20 AS base\r\nENV TOOLS=C:\\tools\r\n"
            "RUN echo \"\U0001F600\" `\r\n    $TOOLS\r\n")
    uri = await open_doc(client, text)
    tools = types.Range(types.Position(2, 4), types.Position(2, 9))
    use = types.Range(types.Position(4, 5), types.Position(4, 10))
    assert await defined_at(client, uri, types.Position(4, 6)) == tools
    assert await references(client, uri, types.Position(2, 5)) == [tools, use]
    # after the emoji (two UTF-16 units), on the same line
    text = 'FROM alpine:3.20\nARG X\nRUN echo "\U0001F600" $X\n'
    uri = await open_doc(client, text)
    use = types.Range(types.Position(2, 15), types.Position(2, 16))  # code points 13..14
    assert await references(client, uri, types.Position(1, 4), declaration=False) == [use]
    assert await defined_at(client, uri, use.start) == types.Range(types.Position(1, 4), types.Position(1, 5))


async def test_forward_stage_references_and_onbuild_triggers(client: LanguageClient):
    text = """\
FROM alpine:3.20 AS base
COPY --from=later /x /x
ENV DIR=/opt
ONBUILD ENV DIR=$DIR/app
ONBUILD ARG REV
ONBUILD RUN echo $DIR $REV
ONBUILD COPY --from=base /a /a
FROM alpine:3.20 AS later
"""
    uri = await open_doc(client, text)
    # BuildKit resolves --from once every stage is known: a later stage is found
    assert await defined_at(client, uri, inside(span(text, 1, "later"))) == span(text, 7, "later")
    # triggers run in order in a child build: ONBUILD ENV redeclares the image's ENV
    assert await defined_at(client, uri, inside(span(text, 3, "DIR", nth=1))) == span(text, 2, "DIR")
    assert await defined_at(client, uri, inside(span(text, 5, "DIR"))) == span(text, 3, "DIR")
    assert await defined_at(client, uri, inside(span(text, 5, "REV"))) == span(text, 4, "REV")
    # a --from in a trigger names a stage of the child's Dockerfile, not this one
    assert await definition(client, uri, inside(span(text, 6, "base"))) is None
    assert await references(client, uri, inside(span(text, 0, "base"))) == [span(text, 0, "base")]


def test_rename_edits_fall_back_to_changes():
    from types import SimpleNamespace

    from layerlint.server.navigation import workspace_edit

    analysis = SimpleNamespace(uri="file:///d/Dockerfile", version=3)
    edits = [types.TextEdit(types.Range(types.Position(0, 0), types.Position(0, 1)), "x")]
    plain = workspace_edit(SimpleNamespace(client_capabilities=types.ClientCapabilities()), analysis, edits)
    assert plain == types.WorkspaceEdit(changes={"file:///d/Dockerfile": edits})
    versioned = workspace_edit(SimpleNamespace(client_capabilities=types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(workspace_edit=types.WorkspaceEditClientCapabilities(
            document_changes=True)))), analysis, edits)
    (change,) = versioned.document_changes
    assert change.text_document.version == 3 and change.edits == edits
