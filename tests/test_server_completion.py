"""Completion end to end (a real `layerlint server` over JSON-RPC) on documents being typed:
keywords and snippets, flags and `--mount` keys and values, stages, variables, rule
references in pragmas, parser directives, and robustness on any position."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from layerlint.ast import Pos
from layerlint.config import Config
from layerlint.model import build_model
from layerlint.parser import parse
from layerlint.server import create_server
from layerlint.server.completion import TRIGGER_CHARACTERS, complete
from layerlint.server.core import Analysis
from lsp_support import open_doc, server_fixture

client = server_fixture()

ALL_KEYWORDS = ["FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
                "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"]


def cursor(text: str) -> tuple[str, int, int]:
    """`text` without its `|` marker, and the marker's (line, character)."""
    at = text.index("|")
    before = text[:at]
    return text[:at] + text[at + 1:], before.count("\n"), len(before.split("\n")[-1])


async def complete_at(client: LanguageClient, text: str, trigger: str | None = None, files: dict | None = None):
    """Open `text` (with a `|` cursor) and ask for completions there: (items, (line, character))."""
    source, line, character = cursor(text)
    uri = await open_doc(client, source, files=files)
    context = types.CompletionContext(types.CompletionTriggerKind.TriggerCharacter, trigger) if trigger else \
        types.CompletionContext(types.CompletionTriggerKind.Invoked)
    result = await client.text_document_completion_async(types.CompletionParams(
        types.TextDocumentIdentifier(uri), types.Position(line, character), context=context))
    return (result.items if result else []), (line, character)


def labels(items) -> list[str]:
    return [i.label for i in items]


def edit_range(item: types.CompletionItem) -> tuple[tuple[int, int], tuple[int, int]]:
    r = item.text_edit.range
    return (r.start.line, r.start.character), (r.end.line, r.end.character)


def item(items, label: str) -> types.CompletionItem:
    return next(i for i in items if i.label == label)


# -- keywords -------------------------------------------------------------------------------

async def test_empty_file_offers_from_arg_and_directives(client: LanguageClient):
    items, _ = await complete_at(client, "|")
    assert labels(items) == ["FROM", "FROM image:tag AS name", "ARG", "ARG name=default",
                             "# syntax=docker/dockerfile:1", "# escape=`", "# check=skip="]
    from_ = item(items, "FROM")
    assert from_.text_edit.new_text == "FROM ${1:image}:${2:tag}"
    assert from_.insert_text_format == types.InsertTextFormat.Snippet
    assert from_.documentation.value.startswith("**FROM**: starts a new build stage")
    assert edit_range(from_) == ((0, 0), (0, 0))


async def test_before_the_first_from_only_from_and_arg(client: LanguageClient):
    items, _ = await complete_at(client, "ARG BASE=alpine:3.20\n|\nFROM $BASE\n")
    assert labels(items) == ["FROM", "FROM image:tag AS name", "ARG", "ARG name=default"]


async def test_keywords_replace_the_typed_prefix_with_exec_form_snippets(client: LanguageClient):
    items, _ = await complete_at(client, "FROM alpine:3.20\nCO|")
    assert [i.filter_text or i.label for i in items if i.kind == types.CompletionItemKind.Keyword] == ALL_KEYWORDS
    cmd = item(items, "CMD")
    assert cmd.text_edit.new_text == 'CMD ["${1:executable}", "${2:param}"]'
    assert edit_range(cmd) == ((1, 0), (1, 2))
    assert item(items, "ENTRYPOINT").text_edit.new_text == 'ENTRYPOINT ["${1:executable}", "${2:param}"]'
    none = item(items, "HEALTHCHECK NONE")
    assert (none.filter_text, none.text_edit.new_text) == ("HEALTHCHECK", "HEALTHCHECK NONE")


async def test_lower_case_prefix_gets_lower_case_keywords(client: LanguageClient):
    items, _ = await complete_at(client, "from alpine:3.20\nru|")
    run = item(items, "run")
    assert run.text_edit.new_text == "run ${1:command}"


async def test_editing_an_existing_keyword_replaces_the_word_only(client: LanguageClient):
    items, _ = await complete_at(client, "FROM alpine:3.20\nRU|N echo hi\n")
    run = item(items, "RUN")
    assert run.text_edit.new_text == "RUN"
    assert run.insert_text_format in (None, types.InsertTextFormat.PlainText)
    assert edit_range(run) == ((1, 0), (1, 3))


async def test_onbuild_offers_the_allowed_triggers(client: LanguageClient):
    items, pos = await complete_at(client, "FROM alpine:3.20\nONBUILD |", trigger=" ")
    keywords = [i.label for i in items if i.kind == types.CompletionItemKind.Keyword]
    assert keywords == [k for k in ALL_KEYWORDS if k not in ("FROM", "MAINTAINER", "ONBUILD")]
    assert edit_range(items[0]) == (pos, pos)


def test_without_snippet_support_keywords_are_plain_text():
    text = "FROM alpine:3.20\nCO"
    doc = parse(text)
    analysis = Analysis("file:///w/Dockerfile", 1, text, doc, build_model(doc), None, Config())
    items = complete(analysis, Pos(1, 2), snippets=False)
    assert [i.label for i in items] == ALL_KEYWORDS
    cmd = next(i for i in items if i.label == "CMD")
    assert (cmd.text_edit.new_text, cmd.insert_text_format) == ("CMD ", None)  # plain text


# -- flags ---------------------------------------------------------------------------------

async def test_flags_of_the_instruction_after_dashes(client: LanguageClient):
    items, (line, character) = await complete_at(client, "FROM alpine:3.20\nCOPY --link --|", trigger="-")
    assert labels(items) == ["--from", "--chown", "--chmod", "--parents", "--exclude"]  # --link is given
    assert item(items, "--from").text_edit.new_text == "--from="
    assert item(items, "--parents").text_edit.new_text == "--parents"  # a boolean flag
    assert item(items, "--chown").documentation.value.startswith("**COPY --chown**")
    assert edit_range(items[0]) == ((line, character - 2), (line, character))


async def test_repeatable_flags_on_a_continuation_line(client: LanguageClient):
    items, (line, character) = await complete_at(
        client, "FROM alpine:3.20\nRUN --mount=type=cache,target=/root/.cache \\\n    --m|", trigger="-")
    assert labels(items) == ["--mount", "--network", "--security", "--device"]
    assert edit_range(item(items, "--mount")) == ((2, 4), (2, 7))


async def test_flag_names_of_every_instruction(client: LanguageClient):
    add, _ = await complete_at(client, "FROM alpine:3.20\nADD --|")
    assert labels(add) == ["--chown", "--chmod", "--link", "--keep-git-dir", "--checksum", "--unpack", "--exclude"]
    health, _ = await complete_at(client, "FROM alpine:3.20\nHEALTHCHECK --interval=30s --|")
    assert labels(health) == ["--timeout", "--start-period", "--start-interval", "--retries"]
    from_, _ = await complete_at(client, "FROM --|")
    assert labels(from_) == ["--platform"]


async def test_flag_values(client: LanguageClient):
    network, pos = await complete_at(client, "FROM alpine:3.20\nRUN --network=|", trigger="=")
    assert labels(network) == ["default", "none", "host"]
    assert edit_range(network[0]) == (pos, pos)
    security, _ = await complete_at(client, "FROM alpine:3.20\nRUN --security=s|")
    assert labels(security) == ["sandbox", "insecure"]
    assert edit_range(security[0]) == ((1, 15), (1, 16))
    platform, _ = await complete_at(client, "FROM --platform=|", trigger="=")
    assert labels(platform)[:4] == ["$BUILDPLATFORM", "$TARGETPLATFORM", "linux/amd64", "linux/arm64"]


async def test_healthcheck_type_and_from_as(client: LanguageClient):
    health, _ = await complete_at(client, "FROM alpine:3.20\nHEALTHCHECK --retries=3 |", trigger=" ")
    assert labels(health) == ["CMD", "NONE"]
    as_, pos = await complete_at(client, "FROM alpine:3.20 |", trigger=" ")
    assert [(i.label, i.text_edit.new_text) for i in as_] == [("AS", "AS ")]
    assert edit_range(as_[0]) == (pos, pos)


# -- RUN --mount ---------------------------------------------------------------------------

async def test_mount_keys_follow_the_mount_type(client: LanguageClient):
    bind, pos = await complete_at(client, "FROM alpine:3.20\nRUN --mount=|", trigger="=")
    assert labels(bind)[:5] == ["type", "target", "source", "from", "readwrite"]
    assert item(bind, "type").text_edit.new_text == "type="
    assert item(bind, "readwrite").text_edit.new_text == "readwrite"  # may be given without a value
    assert edit_range(bind[0]) == (pos, pos)
    cache, _ = await complete_at(client, "FROM alpine:3.20\nRUN --mount=type=cache,target=/root/.cache,|", trigger=",")
    assert labels(cache)[:8] == ["id", "sharing", "from", "source", "readonly", "mode", "uid", "gid"]
    assert "target" not in labels(cache) and "dst" not in labels(cache)  # given, also under its aliases
    secret, _ = await complete_at(client, "FROM alpine:3.20\nRUN --mount=type=secret,i|")
    assert labels(secret)[:7] == ["id", "target", "env", "required", "mode", "uid", "gid"]
    assert edit_range(item(secret, "id")) == ((1, 24), (1, 25))
    assert item(secret, "env").documentation.value.startswith("**--mount env**")


async def test_mount_values(client: LanguageClient):
    types_, pos = await complete_at(client, "FROM alpine:3.20\nRUN --mount=type=|", trigger="=")
    assert labels(types_) == ["bind", "cache", "tmpfs", "secret", "ssh"]
    assert item(types_, "cache").documentation.value.startswith("**type=cache**")
    sharing, _ = await complete_at(client, "FROM alpine:3.20\nRUN --mount=type=cache,target=/x,sharing=lo|")
    assert labels(sharing) == ["shared", "private", "locked"]
    assert edit_range(sharing[0]) == ((1, 41), (1, 43))
    stages, _ = await complete_at(client, "FROM golang:1.22 AS build\nFROM alpine:3.20\nRUN --mount=from=|",
                                  trigger="=")
    assert labels(stages) == ["build"]  # a mount takes stage names, not indexes


# -- stages --------------------------------------------------------------------------------

async def test_copy_from_offers_earlier_stages_and_indexes(client: LanguageClient):
    text = "FROM golang:1.22 AS build\nFROM alpine:3.20 AS assets\nFROM alpine:3.20 AS final\nCOPY --from=|"
    items, pos = await complete_at(client, text, trigger="=")
    assert labels(items) == ["build", "0", "assets", "1"]  # not the stage the COPY is in
    assert item(items, "build").detail == "stage 0: FROM golang:1.22"
    assert edit_range(items[0]) == (pos, pos)


async def test_copy_from_offers_named_build_contexts(client: LanguageClient):
    items, _ = await complete_at(client, "FROM alpine:3.20\nCOPY --from=|", trigger="=",
                                 files={".layerlint.toml": 'build-contexts = ["shared"]\n'})
    assert labels(items) == ["shared"]


async def test_from_offers_earlier_stage_names(client: LanguageClient):
    items, pos = await complete_at(client, "FROM golang:1.22 AS build\nFROM alpine:3.20\nFROM b|")
    assert labels(items) == ["build"]
    assert edit_range(items[0]) == ((2, 5), pos)


# -- variables -----------------------------------------------------------------------------

async def test_variables_in_scope_after_dollar_brace(client: LanguageClient):
    text = "ARG GLOBAL=1\nFROM alpine:3.20\nARG VERSION=1.2\nARG NODEFAULT\nENV HOME_DIR=/srv\nRUN echo ${|"
    items, pos = await complete_at(client, text, trigger="{")
    assert labels(items)[:3] == ["VERSION", "NODEFAULT", "HOME_DIR"]
    assert "GLOBAL" not in labels(items)  # not redeclared in the stage
    assert "HTTP_PROXY" in labels(items)  # predefined
    version = item(items, "VERSION")
    assert (version.detail, version.text_edit.new_text) == ("ARG = 1.2", "VERSION}")
    assert item(items, "NODEFAULT").detail == "ARG (no default)"
    assert item(items, "HOME_DIR").detail == "ENV = /srv"
    assert edit_range(version) == (pos, pos)


async def test_variables_in_from_are_the_global_and_platform_args(client: LanguageClient):
    items, pos = await complete_at(client, "ARG TAG=3.20\nFROM alpine:$T|", trigger=None)
    assert labels(items)[0] == "TAG"
    assert "TARGETARCH" in labels(items) and "HTTP_PROXY" not in labels(items)
    assert item(items, "TAG").text_edit.new_text == "TAG"
    assert edit_range(items[0]) == ((1, 13), pos)


async def test_brace_already_closed_is_not_doubled(client: LanguageClient):
    items, _ = await complete_at(client, "FROM alpine:3.20\nENV A=1\nRUN echo ${|}")
    assert item(items, "A").text_edit.new_text == "A"


async def test_onbuild_trigger_variables_leave_out_this_files_args(client: LanguageClient):
    items, _ = await complete_at(client, "FROM alpine:3.20\nARG V=1\nENV E=2\nONBUILD RUN echo $|", trigger="$")
    assert labels(items)[0] == "E" and "V" not in labels(items)


async def test_arg_redeclaration_offers_global_and_platform_args(client: LanguageClient):
    items, _ = await complete_at(client, "ARG VERSION=1\nFROM alpine:3.20\nARG |", trigger=" ")
    assert labels(items)[:2] == ["VERSION", "BUILDPLATFORM"]
    assert item(items, "VERSION").detail == "global ARG = 1"


# -- comments ------------------------------------------------------------------------------

async def test_rule_references_in_ignore_pragmas(client: LanguageClient):
    items, pos = await complete_at(client, "FROM alpine:3.20\n# layerlint: ignore=DL3008,|\nRUN true", trigger=",")
    assert "DL3008" not in labels(items) and "apt-unpinned-package" not in labels(items)
    dl3009 = item(items, "DL3009")
    assert (dl3009.detail, dl3009.documentation.value) == (
        "apt-lists-not-deleted", "`apt-get update` without removing /var/lib/apt/lists in the same RUN.")
    assert item(items, "apt-lists-not-deleted").detail == "DL3009"
    assert edit_range(dl3009) == (pos, pos)
    hadolint, _ = await complete_at(client, "FROM alpine:3.20\n# hadolint ignore=DL30|\nRUN true")
    assert "DL3008" in labels(hadolint)
    assert edit_range(item(hadolint, "DL3008")) == ((1, 18), (1, 22))
    keys, _ = await complete_at(client, "FROM alpine:3.20\n# layerlint:|\nRUN true", trigger=":")
    assert labels(keys) == ["ignore=", "ignore-file="]


async def test_check_names_after_check_skip(client: LanguageClient):
    items, pos = await complete_at(client, "# check=skip=JSONArgsRecommended,|\nFROM alpine:3.20\n", trigger=",")
    assert "JSONArgsRecommended" not in labels(items)
    assert labels(items)[:2] == ["ConsistentInstructionCasing", "CopyIgnoredFile"]
    assert item(items, "MultipleInstructionsDisallowed").detail == "DL3012, DL4003, DL4004"
    assert labels(items)[-1] == "all"
    assert edit_range(items[0]) == (pos, pos)
    keys, _ = await complete_at(client, "# check=skip=StageNameCasing;|\nFROM alpine:3.20\n")
    assert labels(keys) == ["skip=", "error=", "experimental="]
    above, _ = await complete_at(client, "FROM alpine:3.20\n# check=|\nCMD echo hi\n", trigger="=")
    assert labels(above) == ["skip="]  # above an instruction only skip applies


async def test_parser_directives_at_the_top(client: LanguageClient):
    names, pos = await complete_at(client, "# syntax=docker/dockerfile:1\n# |\nFROM alpine:3.20\n", trigger=" ")
    assert labels(names) == ["escape=", "check="]
    assert edit_range(names[0]) == (pos, pos)
    escape, _ = await complete_at(client, "# escape=|\nFROM alpine:3.20\n", trigger="=")
    assert labels(escape) == ["\\", "`"]
    syntax, _ = await complete_at(client, "# syntax=|\nFROM alpine:3.20\n", trigger="=")
    assert labels(syntax) == ["docker/dockerfile:1", "docker/dockerfile:1-labs"]
    late, _ = await complete_at(client, "FROM alpine:3.20\n# |\n", trigger=" ")
    assert late == []  # directives only count at the very top


# -- robustness -----------------------------------------------------------------------------

async def test_nothing_to_offer_gives_null(client: LanguageClient):
    shell, _ = await complete_at(client, "FROM alpine:3.20\nRUN echo hi |", trigger=" ")
    assert shell == []
    comment, _ = await complete_at(client, "FROM alpine:3.20\n# a note |", trigger=" ")
    assert comment == []
    copy, _ = await complete_at(client, "FROM alpine:3.20\nCOPY |", trigger=" ")
    assert copy == []


async def test_positions_past_the_end_and_unknown_documents(client: LanguageClient):
    uri = await open_doc(client, "FROM alpine:3.20\n")
    after_last_newline = await client.text_document_completion_async(types.CompletionParams(
        types.TextDocumentIdentifier(uri), types.Position(1, 0)))
    assert "RUN" in [i.label for i in after_last_newline.items]
    assert after_last_newline.items[0].text_edit.range.start == types.Position(1, 0)
    beyond = await client.text_document_completion_async(types.CompletionParams(
        types.TextDocumentIdentifier(uri), types.Position(7, 3)))
    assert beyond is None
    unknown = await client.text_document_completion_async(types.CompletionParams(
        types.TextDocumentIdentifier((client.root / "nowhere" / "Dockerfile").as_uri()), types.Position(0, 0)))
    assert unknown is None


async def test_every_position_of_broken_crlf_heredoc_documents_answers(client: LanguageClient):
    text = ("\ufeff# escape=`\r\nFROM --platform=$\r\nRUN --mount=type=cache,sharing=`\r\n  --mount=\r\n"
            "ONBUILD COPY --from=\r\nCOPY <<EOF /x\r\n${A\r\nEOF\r\nHEALTHCHECK --\r\nFOO $\r\n")
    uri = await open_doc(client, text)
    for line, row in enumerate(text.lstrip("\ufeff").split("\r\n")):
        for character in range(len(row) + 2):
            await client.text_document_completion_async(types.CompletionParams(
                types.TextDocumentIdentifier(uri), types.Position(line, character)))  # never an error
    continued = await client.text_document_completion_async(types.CompletionParams(
        types.TextDocumentIdentifier(uri), types.Position(3, 10)))
    assert [i.label for i in continued.items][:2] == ["type", "target"]  # the `--mount=` after the backtick


def test_trigger_characters_are_advertised():
    options = create_server().protocol.fm.feature_options[types.TEXT_DOCUMENT_COMPLETION]
    assert options.trigger_characters == TRIGGER_CHARACTERS == ["-", "=", "$", "{", " ", ":", ","]
