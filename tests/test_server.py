"""The language server end to end: a real `layerlint server` process over stdio (pytest-lsp)."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_support import change, open_doc, server_fixture, wait_diagnostics

BAD = "from debian:12\nMAINTAINER someone\nRUN apt-get install curl\n"

client = server_fixture()


async def test_open_publishes_positioned_diagnostics_with_codes_and_links(client: LanguageClient):
    uri = await open_doc(client, BAD)
    diags = {d.code: d for d in client.diagnostics[uri]}
    assert {"DL4000", "DL3014", "DL3015", "LL8003"} <= set(diags)  # MAINTAINER, -y, recommends, FROM casing
    maintainer = diags["DL4000"]
    assert maintainer.range.start == types.Position(1, 0)
    assert maintainer.severity == types.DiagnosticSeverity.Error
    assert maintainer.source == "layerlint"
    assert maintainer.code_description.href.endswith("/DL4000")
    assert types.DiagnosticTag.Deprecated in (maintainer.tags or [])


async def test_change_relints_the_new_version_only(client: LanguageClient):
    uri = await open_doc(client, BAD)
    change(client, uri, 2, (1, 0), (2, 0), "")  # drop the MAINTAINER line
    diags = await wait_diagnostics(client, uri, 2)
    assert "DL4000" not in {d.code for d in diags}
    assert any(d.code == "DL3014" and d.range.start.line == 1 for d in diags)  # the RUN moved up


async def test_close_clears_diagnostics(client: LanguageClient):
    uri = await open_doc(client, BAD)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    await wait_diagnostics(client, uri, None)
    assert list(client.diagnostics[uri]) == []


async def test_pull_diagnostics(client: LanguageClient):
    uri = await open_doc(client, BAD)
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        types.TextDocumentIdentifier(uri)))
    assert {d.code for d in report.items} == {d.code for d in client.diagnostics[uri]}


async def test_quick_fix_from_diagnostic_data_and_suppression(client: LanguageClient):
    uri = await open_doc(client, BAD)
    maintainer = next(d for d in client.diagnostics[uri] if d.code == "DL4000")
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), maintainer.range,
        types.CodeActionContext(diagnostics=[maintainer], only=[types.CodeActionKind.QuickFix])))
    titles = [a.title for a in actions]
    fix = next(a for a in actions if a.title.startswith("DL4000"))
    edit = fix.edit.changes[uri][0]
    assert "LABEL" in edit.new_text and edit.range.start.line == 1
    suppress = next(a for a in actions if a.title == "Suppress DL4000 for this instruction")
    assert suppress.edit.changes[uri][0].new_text == "# layerlint: ignore=DL4000\n", titles


async def test_fix_all_applies_every_safe_fix(client: LanguageClient):
    uri = await open_doc(client, BAD)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), types.Range(types.Position(0, 0), types.Position(0, 0)),
        types.CodeActionContext(diagnostics=[], only=["source.fixAll.layerlint"])))
    (action,) = actions
    (edit,) = action.edit.changes[uri]
    assert "FROM debian:12" in edit.new_text and "MAINTAINER" not in edit.new_text
    assert "apt-get install -y curl" in edit.new_text  # DL3014; DL3015 has no safe fix


async def test_utf16_positions(client: LanguageClient):
    # the emoji is one code point but two UTF-16 units: the package after it is one column further
    uri = await open_doc(client, 'FROM alpine:3.20\nRUN echo "\U0001F600" && apt-get install -y --no-install-recommends curl\n')
    (unpinned,) = [d for d in client.diagnostics[uri] if d.code == "DL3008"]
    assert unpinned.range.start == types.Position(1, 60)  # code point column 59


async def test_unknown_documents_and_bad_positions_do_not_crash(client: LanguageClient):
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        types.TextDocumentIdentifier("file:///nonexistent/Dockerfile")))
    assert list(report.items) == []
    uri = await open_doc(client, BAD)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), types.Range(types.Position(999, 5), types.Position(999, 9)),
        types.CodeActionContext(diagnostics=[types.Diagnostic(
            types.Range(types.Position(999, 5), types.Position(999, 9)), "x", source="layerlint", code="DL3000")])))
    assert actions is not None


async def test_huge_document_is_declined_without_blocking(client: LanguageClient):
    huge = "FROM alpine:3.20\n" + "RUN echo " + "x" * 100 + "\n" * 0
    huge = huge + ("RUN echo " + "x" * 100 + "\n") * 100_000  # about 11 MB
    uri = await open_doc(client, huge)
    (note,) = client.diagnostics[uri]
    assert note.severity == types.DiagnosticSeverity.Information and "not analysed" in note.message
    other = await open_doc(client, BAD)  # the server still answers promptly for other documents
    assert any(d.code == "DL4000" for d in client.diagnostics[other])


async def test_burst_of_edits_ends_with_the_last_version(client: LanguageClient):
    uri = await open_doc(client, "FROM alpine:3.20\n")
    for version in range(2, 52):
        change(client, uri, version, (1, 0), (1, 0), "RUN echo hi\n")
    diags = await wait_diagnostics(client, uri, 51)
    assert sum(d.code == "DL3059" for d in diags) == 49  # 50 consecutive RUNs: all but the first


async def test_binary_content_does_not_crash(client: LanguageClient):
    uri = await open_doc(client, "\x00\x01\x02FROM\x00 alpine\n\udcff\n\x7f" * 50)
    assert isinstance(client.diagnostics[uri], (list, tuple))
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        types.TextDocumentIdentifier(uri)))
    assert len(report.items) == len(client.diagnostics[uri])


def test_an_internal_error_is_published_not_swallowed(monkeypatch):
    """A bug while linting shows up in the editor as one error diagnostic and a log message."""
    import asyncio

    from layerlint.server import create_server, core

    server = create_server()
    published, logged = [], []
    monkeypatch.setattr(server, "text_document_publish_diagnostics", published.append)
    monkeypatch.setattr(server, "show_message_log", lambda message, kind=None: logged.append(message))

    monkeypatch.setattr(server, "_version_of", lambda uri: 3)

    def broken(uri):
        raise RuntimeError("boom")

    monkeypatch.setattr(server, "analysis", broken)
    asyncio.run(server._lint_and_publish("file:///x/Dockerfile", 0))
    (params,) = published
    assert params.version == 3 and "internal error" in params.diagnostics[0].message and "boom" in logged[0]
    assert core.LayerlintServer is type(server)


pull_client = server_fixture(pull=True)


async def test_a_client_that_pulls_gets_no_pushed_diagnostics(pull_client: LanguageClient):
    uri = (pull_client.root / "Dockerfile").as_uri()
    pull_client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="dockerfile", version=1, text=BAD)))
    report = await pull_client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        types.TextDocumentIdentifier(uri)))
    assert any(d.code == "DL4000" for d in report.items)
    assert uri not in pull_client.diagnostics  # nothing pushed: VS Code would list each finding twice
