"""Hover end to end (a real `layerlint server` over JSON-RPC): documentation of instructions,
flags, `--mount` keys, directives and rules; variable values; stages; cache invalidation;
and robustness on any position. The reference texts are checked against the parser."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from layerlint.ast import Pos
from layerlint.config import Config
from layerlint.model import build_model
from layerlint.parser import FLAG_SPECS, MOUNT_KEYS, parse
from layerlint.server import reference
from layerlint.server.core import Analysis
from layerlint.server.hover import describe
from lsp_support import open_doc, server_fixture

client = server_fixture()

DOC = """\
# syntax=docker/dockerfile:1
# check=skip=JSONArgsRecommended
ARG BASE=alpine:3.20
FROM --platform=$BUILDPLATFORM $BASE AS build
ARG BASE
ARG NOVAL
ENV APP=/app
WORKDIR $APP
# hadolint ignore=DL3008,DL3009
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get install -y curl && echo ${NOVAL} $HOME
# layerlint: ignore=LL5004,apt-unpinned-package
COPY --chown=1:1 src/ /app/src/
FROM build AS final
ONBUILD RUN echo $APP
COPY --link --from=build /app /srv
MAINTAINER me
"""
LINES = DOC.splitlines()


def at(line: int, needle: str, offset: int = 0) -> tuple[int, int]:
    """(line, column) of `needle` in line `line` of DOC, plus `offset`."""
    return line, LINES[line].index(needle) + offset


async def hover(client: LanguageClient, uri: str, line: int, character: int) -> types.Hover | None:
    return await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(line, character)))


def span(h: types.Hover) -> tuple[tuple[int, int], tuple[int, int]]:
    return (h.range.start.line, h.range.start.character), (h.range.end.line, h.range.end.character)


# -- documentation --------------------------------------------------------------------------

async def test_instruction_keyword_shows_its_documentation_with_example_and_link(client: LanguageClient):
    uri = await open_doc(client, DOC)
    h = await hover(client, uri, 9, 1)
    assert h.contents.kind == types.MarkupKind.Markdown
    assert h.contents.value.startswith("**RUN**: runs a command at build time")
    assert "Example:\n```dockerfile\nRUN apt-get update" in h.contents.value
    assert "(https://docs.docker.com/reference/dockerfile/#run)" in h.contents.value
    assert span(h) == ((9, 0), (9, 3))


async def test_onbuild_trigger_keyword_is_documented_as_itself(client: LanguageClient):
    uri = await open_doc(client, DOC)
    trigger = await hover(client, uri, *at(13, "RUN", 1))
    assert trigger.contents.value.startswith("**RUN**")
    assert span(trigger) == ((13, 8), (13, 11))
    onbuild = await hover(client, uri, 13, 2)
    assert onbuild.contents.value.startswith("**ONBUILD**: registers an instruction")
    assert span(onbuild) == ((13, 0), (13, 7))


async def test_flags_are_documented_per_instruction(client: LanguageClient):
    uri = await open_doc(client, DOC)
    mount = await hover(client, uri, *at(9, "--mount", 3))
    assert mount.contents.value.startswith("**RUN --mount**: mounts a filesystem")
    assert "#run---mount)" in mount.contents.value
    assert span(mount) == ((9, 4), (9, 11))
    chown = await hover(client, uri, *at(11, "--chown", 2))
    assert chown.contents.value.startswith("**COPY --chown**: sets the owner")
    assert "#copy---chown)" in chown.contents.value
    assert span(chown) == ((11, 5), (11, 12))
    platform = await hover(client, uri, *at(3, "--platform", 4))
    assert platform.contents.value.startswith("**FROM --platform**")
    link = await hover(client, uri, *at(14, "--link", 3))
    assert link.contents.value.startswith("**COPY --link**: copies into an independent layer")
    assert span(link) == ((14, 5), (14, 11))


async def test_mount_keys_and_types_are_documented(client: LanguageClient):
    uri = await open_doc(client, DOC)
    sharing = await hover(client, uri, *at(9, "sharing", 2))
    assert sharing.contents.value.startswith("**--mount sharing**: how concurrent builds share a `cache` mount")
    assert "#run---mounttypecache)" in sharing.contents.value
    assert span(sharing) == (at(9, "sharing"), at(9, "sharing", 7))
    cache = await hover(client, uri, *at(9, "cache,", 1))
    assert cache.contents.value.startswith("**type=cache**: mounts a cache directory")
    assert span(cache) == (at(9, "cache,"), at(9, "cache,", 5))
    target_value = await hover(client, uri, *at(9, "/var/cache", 3))
    assert target_value.contents.value.startswith("**--mount target**")


async def test_mount_key_aliases_and_heredoc_free_healthcheck_flags(client: LanguageClient):
    text = ("FROM alpine:3.20\nRUN --mount=type=secret,id=npmrc,dst=/root/.npmrc,required cat /root/.npmrc\n"
            "HEALTHCHECK --start-interval=2s --retries=3 CMD true\n")
    uri = await open_doc(client, text)
    dst = await hover(client, uri, 1, 35)
    assert dst.contents.value.startswith("**--mount target**: the mount path inside the build container")
    assert span(dst) == ((1, 33), (1, 36))
    required = await hover(client, uri, 1, 53)
    assert required.contents.value.startswith("**--mount required**")
    start_interval = await hover(client, uri, 2, 15)
    assert start_interval.contents.value.startswith("**HEALTHCHECK --start-interval**")
    assert span(start_interval) == ((2, 12), (2, 28))


async def test_parser_directives_are_documented(client: LanguageClient):
    uri = await open_doc(client, DOC)
    syntax = await hover(client, uri, 0, 4)
    assert syntax.contents.value.startswith("**# syntax=**: selects the Dockerfile frontend")
    assert "#syntax)" in syntax.contents.value
    assert span(syntax) == ((0, 0), (0, 28))
    check = await hover(client, uri, 1, 4)
    assert check.contents.value.startswith("**# check=**: configures BuildKit's build checks")


# -- rules ---------------------------------------------------------------------------------

async def test_rule_references_in_pragmas_show_the_rule(client: LanguageClient):
    uri = await open_doc(client, DOC)
    hadolint = await hover(client, uri, *at(8, "DL3009", 2))
    assert hadolint.contents.value.startswith("**DL3009** `apt-lists-not-deleted` (info)")
    assert "**Why is this bad?** `apt-get update` downloads" in hadolint.contents.value
    assert "[DL3009 documentation](https://layerlint.dev/rules/DL3009)" in hadolint.contents.value
    assert span(hadolint) == (at(8, "DL3009"), at(8, "DL3009", 6))
    by_name = await hover(client, uri, *at(10, "apt-unpinned", 4))
    assert by_name.contents.value.startswith("**DL3008** `apt-unpinned-package`")
    assert span(by_name) == (at(10, "apt-unpinned"), at(10, "apt-unpinned-package", 20))
    check = await hover(client, uri, *at(1, "JSONArgs", 3))
    assert check.contents.value.startswith(
        "**DL3025** `shell-form-command` (warning) · BuildKit: `JSONArgsRecommended`")
    assert span(check) == ((1, 13), (1, 32))
    # the `ignore` keyword itself is no rule
    assert await hover(client, uri, *at(8, "ignore", 1)) is None


async def test_check_name_shared_by_several_rules_shows_each(client: LanguageClient):
    text = "FROM alpine:3.20\n# check=skip=MultipleInstructionsDisallowed\nCMD [\"a\"]\n"
    uri = await open_doc(client, text)
    h = await hover(client, uri, 1, 20)
    codes = [line.split("**")[1] for line in h.contents.value.split("\n") if line.startswith("**") and
             line[2:4] in ("DL", "LL")]
    assert codes == ["DL3012", "DL4003", "DL4004"]


async def test_position_inside_a_finding_shows_the_rule(client: LanguageClient):
    uri = await open_doc(client, "FROM debian:12.5\nRUN apt-get install -y --no-install-recommends curl\n")
    (unpinned,) = [d for d in client.diagnostics[uri] if d.code == "DL3008"]
    h = await hover(client, uri, 1, 49)
    assert h.contents.value.startswith("**DL3008** `apt-unpinned-package` (warning)\n\n"
                                       "`apt-get install` of a package without a version.")
    assert "**Why is this bad?** Without a version" in h.contents.value
    assert h.range == unpinned.range == types.Range(types.Position(1, 47), types.Position(1, 51))


async def test_keyword_in_a_finding_shows_both(client: LanguageClient):
    uri = await open_doc(client, DOC)
    h = await hover(client, uri, 15, 3)
    doc, rule = h.contents.value.split("\n\n---\n\n")
    assert doc.startswith("**MAINTAINER**: sets the author field of the image (deprecated).")
    assert rule.startswith("**DL4000** `maintainer-deprecated` (error) · BuildKit: `MaintainerDeprecated`")
    assert span(h) == ((15, 0), (15, 10))


# -- variables -----------------------------------------------------------------------------

async def test_variable_references_show_their_value_and_origin(client: LanguageClient):
    uri = await open_doc(client, DOC)
    app = await hover(client, uri, *at(7, "$APP", 2))
    assert app.contents.value == "**`$APP`** = `/app` (ENV, line 7)"
    assert span(app) == ((7, 8), (7, 12))
    base = await hover(client, uri, *at(3, "$BASE", 1))
    assert base.contents.value == "**`$BASE`** = `alpine:3.20` (global ARG, line 3)"
    assert span(base) == (at(3, "$BASE"), at(3, "$BASE", 5))
    noval = await hover(client, uri, *at(9, "${NOVAL}", 3))
    assert noval.contents.value == ("**`$NOVAL`**: build arg without a default (ARG, line 6): empty unless given "
                                    "with `--build-arg NOVAL=...`")
    assert span(noval) == (at(9, "${NOVAL}"), at(9, "${NOVAL}", 8))
    home = await hover(client, uri, *at(9, "$HOME", 1))
    assert home.contents.value.startswith("**`$HOME`**: not declared in this Dockerfile before this line")
    platform = await hover(client, uri, *at(3, "$BUILDPLATFORM", 4))
    assert platform.contents.value.startswith("**`$BUILDPLATFORM`**: BuildKit's automatic platform ARG: the "
                                              "platform of the node performing the build")


async def test_declared_names_show_the_value_they_get(client: LanguageClient):
    uri = await open_doc(client, DOC)
    redeclared = await hover(client, uri, 4, 5)
    assert redeclared.contents.value == ("**`BASE`**: ARG without a default, so it takes the global ARG's: "
                                         "`alpine:3.20`")
    assert span(redeclared) == ((4, 4), (4, 8))
    glob = await hover(client, uri, 2, 5)
    assert glob.contents.value.startswith("**`BASE`** = `alpine:3.20`: global ARG default; "
                                          "`--build-arg BASE=...` overrides it")
    env = await hover(client, uri, 6, 5)
    assert env.contents.value == ("**`APP`** = `/app`: ENV, kept in the image and in the stages built FROM "
                                  "this one")


async def test_variables_across_stages_triggers_and_heredocs(client: LanguageClient):
    text = ("ARG VERSION=1.2\nFROM alpine:3.20 AS base\nENV DIR=/srv\nFROM base\nRUN echo $DIR $VERSION\n"
            "ONBUILD RUN echo $DIR\nRUN <<EOF\necho ${DIR}\nEOF\n")
    uri = await open_doc(client, text)
    inherited = await hover(client, uri, 4, 11)
    assert inherited.contents.value == "**`$DIR`** = `/srv` (ENV, line 3, inherited from stage `base`)"
    not_redeclared = await hover(client, uri, 4, 16)
    value, finding = not_redeclared.contents.value.split("\n\n---\n\n")
    assert value == ("**`$VERSION`**: empty here: the global ARG (line 1) is not redeclared in this stage; add "
                     "`ARG VERSION` to the stage to use it")
    assert finding.startswith("**LL7004**")  # the finding there explains it too
    trigger = await hover(client, uri, 5, 18)
    assert trigger.contents.value.endswith("In an ONBUILD trigger it is expanded in the child build, which has "
                                           "none of this file's ARGs.")
    body = await hover(client, uri, 7, 7)
    assert body.contents.value == "**`$DIR`** = `/srv` (ENV, line 3, inherited from stage `base`)"
    assert span(body) == ((7, 5), (7, 11))


async def test_variable_in_a_continued_line_with_backtick_escape(client: LanguageClient):
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nENV TOOLS=C:\\tools\nRUN echo `\n  $TOOLS\n"
    uri = await open_doc(client, text)
    h = await hover(client, uri, 4, 4)
    assert h.contents.value == "**`$TOOLS`** = `C:\\tools` (ENV, line 3)"
    assert span(h) == ((4, 2), (4, 8))


async def test_variable_after_an_emoji_has_utf16_range(client: LanguageClient):
    text = 'FROM alpine:3.20\nENV A=1\nRUN echo "\U0001F600" $A\n'
    uri = await open_doc(client, text)
    h = await hover(client, uri, 2, 14)  # the emoji takes two UTF-16 units
    assert h.contents.value == "**`$A`** = `1` (ENV, line 2)"
    assert span(h) == ((2, 14), (2, 16))


# -- stages --------------------------------------------------------------------------------

async def test_stage_names_show_the_stage(client: LanguageClient):
    uri = await open_doc(client, DOC)
    base = await hover(client, uri, *at(12, "build", 1))
    assert base.contents.value.startswith("**Stage `build`** (stage 0)\n\n```dockerfile\n"
                                          "FROM --platform=$BUILDPLATFORM $BASE AS build\n```\n\nDefined on line 4.")
    assert "Base image `$BASE` (with the global ARG defaults: `alpine:3.20`)." in base.contents.value
    assert "Platform: `$BUILDPLATFORM`." in base.contents.value
    assert span(base) == ((12, 5), (12, 10))
    copy_from = await hover(client, uri, *at(14, "=build", 2))
    assert copy_from.contents.value == base.contents.value
    assert span(copy_from) == (at(14, "=build", 1), at(14, "=build", 6))
    named = await hover(client, uri, *at(12, "final", 1))
    assert "Built on stage `build`, base image `alpine:3.20`." in named.contents.value


async def test_stage_index_and_mount_from(client: LanguageClient):
    text = ("FROM golang:1.22 AS build\nFROM alpine:3.20\nCOPY --from=0 /out /app\n"
            "RUN --mount=type=bind,from=build,source=/out,target=/dist ls /dist\n")
    uri = await open_doc(client, text)
    index = await hover(client, uri, 2, 12)
    assert index.contents.value.startswith("**Stage `build`** (stage 0)")
    assert span(index) == ((2, 12), (2, 13))
    mount = await hover(client, uri, 3, 30)
    assert mount.contents.value.startswith("**Stage `build`** (stage 0)")
    assert span(mount) == ((3, 27), (3, 32))


# -- cache ----------------------------------------------------------------------------------

async def test_other_positions_explain_what_invalidates_the_layer(client: LanguageClient):
    uri = await open_doc(client, DOC)
    copy = await hover(client, uri, *at(11, "src/", 1))
    assert copy.contents.value == ("**Cache:** rebuilt when the files it copies change (`src/`), or when any "
                                   "earlier step of stage `build` is rebuilt.")
    assert span(copy) == (at(11, "src/"), at(11, "src/", 4))
    run = await hover(client, uri, *at(9, "echo", 1))
    assert run.contents.value == ("**Cache:** rebuilt when ARG `BASE`, `NOVAL` changes (RUN sees every ARG of "
                                  "its stage), or when any earlier step of stage `build` is rebuilt. Not when "
                                  "what it downloads changes upstream.")
    linked = await hover(client, uri, *at(14, "/srv", 1))
    assert linked.contents.value == ("**Cache:** rebuilt when stage `build` is rebuilt, or when its own text "
                                     "changes; with `--link`, not when earlier steps are rebuilt.")
    config = await hover(client, uri, *at(15, "me", 1))
    assert config.contents.value.startswith("**Cache:** no layer: it only sets the image configuration")


async def test_cache_of_from_lines_and_arg_using_steps(client: LanguageClient):
    text = ("FROM alpine:3.20@sha256:" + "a" * 64 + " AS pinned\nFROM debian:12.5\nARG V=1\n"
            "WORKDIR /opt/$V\nADD https://example.com/tool.tar.gz /opt/\n")
    uri = await open_doc(client, text)
    pinned = await hover(client, uri, 0, 10)
    assert pinned.contents.value.startswith("**Cache:** the base image is pinned by digest")
    moving = await hover(client, uri, 1, 8)
    assert moving.contents.value.startswith("**Cache:** rebuilt when the base image `debian:12.5` changes: a tag can "
                                            "move to new content")
    workdir = await hover(client, uri, 3, 10)
    assert workdir.contents.value == ("**Cache:** rebuilt when ARG `V` changes, or when any earlier step of "
                                      "stage 1 is rebuilt.")
    add = await hover(client, uri, 4, 37)  # on the destination: the URL holds a finding (LL2004)
    assert add.contents.value.startswith("**Cache:** rebuilt when the remote content of "
                                         "`https://example.com/tool.tar.gz` changes (checked on every build)")


# -- robustness -----------------------------------------------------------------------------

async def test_positions_without_anything_to_say_give_null(client: LanguageClient):
    text = "# just a comment\nFROM alpine:3.20\n\nRUN echo hi\n"
    uri = await open_doc(client, text)
    assert await hover(client, uri, 0, 5) is None  # a plain comment
    assert await hover(client, uri, 2, 0) is None  # a blank line
    assert await hover(client, uri, 3, 40) is None  # past the end of the line
    assert await hover(client, uri, 9, 0) is None  # past the end of the document
    empty = await open_doc(client, "")
    assert await hover(client, empty, 0, 0) is None
    unknown = await hover(client, (client.root / "missing" / "Dockerfile").as_uri(), 0, 0)
    assert unknown is None


async def test_broken_documents_still_answer(client: LanguageClient):
    text = "\ufeffFROM\r\nRUN --mount=type=\r\nCOPY --from=\r\nONBUILD\r\nFOO bar $X\r\nRUN <<EOF\r\necho $Y\r\n"
    uri = await open_doc(client, text)
    for line, row in enumerate(text.split("\r\n")):
        for character in range(len(row) + 1):
            await hover(client, uri, line, character)  # any answer, never an error
    keyword = await hover(client, uri, 1, 1)
    assert keyword.contents.value.startswith("**RUN**")
    assert span(keyword) == ((1, 0), (1, 3))
    variable = await hover(client, uri, 6, 6)
    assert variable.contents.value.startswith("**`$Y`**")


# -- reference texts (pure) --------------------------------------------------------------------

def test_every_flag_the_parser_accepts_is_documented():
    for keyword, flags in FLAG_SPECS.items():
        assert set(reference.FLAGS[keyword]) == set(flags), keyword
    for doc in (*reference.INSTRUCTIONS.values(), *(d for f in reference.FLAGS.values() for d in f.values()),
                *reference.MOUNT_TYPES.values(), *reference.MOUNT_KEYS.values(), *reference.DIRECTIVES.values()):
        assert doc.url.startswith("https://docs.docker.com/reference/dockerfile/#"), doc.title
        assert doc.summary and doc.example, doc.title


def test_every_mount_key_is_documented():
    for key in MOUNT_KEYS:
        if key != "rbind":  # legacy, undocumented
            assert reference.mount_key_doc(key) is not None, key
    assert set(reference.MOUNT_TYPES) == {"bind", "cache", "tmpfs", "secret", "ssh"}
    assert set(reference.INSTRUCTIONS) == {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER",
        "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}


def _describe(text: str, line: int, column: int):
    doc = parse(text)
    return describe(Analysis("file:///w/Dockerfile", 1, text, doc, build_model(doc), None, Config()),
                    Pos(line, column))


def test_nested_reference_in_a_default_has_its_own_span():
    text = "ARG A=1\nARG B=2\nFROM alpine:${A:-$B}\n"
    outer = _describe(text, 2, 13)
    assert outer[0] == "**`$A`** = `1` (global ARG, line 1)"
    assert outer[1] == ((2, 12), (2, 15))
    inner = _describe(text, 2, 18)
    assert inner[0] == "**`$B`** = `2` (global ARG, line 2)"
    assert inner[1] == ((2, 17), (2, 19))


def test_escaped_and_single_quoted_dollars_are_not_variables():
    text = "FROM alpine:3.20\nENV A=1\nRUN echo \\$A '$A'\n"
    assert _describe(text, 2, 11)[0].startswith("**Cache:**")
    assert _describe(text, 2, 15)[0].startswith("**Cache:**")


def test_quoted_copy_heredoc_keeps_dollars_literal():
    text = "FROM alpine:3.20\nENV A=1\nCOPY <<'EOF' /x\n$A\nEOF\nCOPY <<EOF /y\n$A\nEOF\n"
    assert _describe(text, 3, 1)[0].startswith("**Cache:**")
    assert _describe(text, 6, 1) == ("**`$A`** = `1` (ENV, line 2)", ((6, 0), (6, 2)))
