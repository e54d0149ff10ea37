"""Editor settings and project configuration in the language server."""

from __future__ import annotations

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lsp_support import SERVER, make_client, open_doc, wait_diagnostics
from layerlint.server.settings import Settings

BAD = "FROM debian:12\nMAINTAINER someone\nRUN apt-get install -y curl\n"


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def client(lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("settings")
    (root / "strict").mkdir()
    (root / "relaxed").mkdir()
    # the client answers workspace/configuration per folder: the "relaxed" folder ignores DL3008
    lsp_client.set_configuration({"layerlint": {"ignore": ["DL3008"]}}, scope_uri=(root / "relaxed").as_uri())
    lsp_client.set_configuration({"layerlint": {}}, scope_uri=(root / "strict").as_uri())
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=(root / "strict").as_uri(), name="strict"),
                           types.WorkspaceFolder(uri=(root / "relaxed").as_uri(), name="relaxed")],
        initialization_options={"settings": {"debounceMs": 0, "severity": {"DL4000": "info"},
                                             "debounce": "oops"}}))
    lsp_client.root = root
    yield
    await lsp_client.shutdown_session()


async def test_initialization_options_apply(client: LanguageClient):
    uri = await open_doc(client, BAD)
    maintainer = next(d for d in client.diagnostics[uri] if d.code == "DL4000")
    assert maintainer.severity == types.DiagnosticSeverity.Information


async def test_folder_settings_pulled_per_workspace_folder(client: LanguageClient):
    for folder, expect_dl3008 in (("strict", True), ("relaxed", False)):
        path = client.root / folder / "Dockerfile"
        uri = path.as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="dockerfile", version=1, text=BAD)))
        diags = await wait_diagnostics(client, uri, 1)
        assert any(d.code == "DL3008" for d in diags) == expect_dl3008, folder


async def test_project_configuration_file_applies(client: LanguageClient):
    uri = await open_doc(client, BAD, files={".layerlint.toml": 'ignore = ["DL3015"]\n'})
    codes = {d.code for d in client.diagnostics[uri]}
    assert "DL3015" not in codes and "DL3008" in codes


async def test_broken_configuration_is_reported_not_fatal(client: LanguageClient):
    uri = await open_doc(client, BAD, files={".layerlint.toml": "select = 3\n"})
    assert any(d.code == "DL4000" for d in client.diagnostics[uri])  # defaults apply
    assert any("configuration not used" in m.message for m in client.log_messages)


def test_settings_keep_defaults_for_missing_or_wrong_keys():
    s = Settings.from_json({"settings": {"select": ["DL"], "debounceMs": "soon", "severity": {"DL3008": "loud"}}})
    assert s.select == ["DL"] and s.enable is True and s.debounce_ms == 150
    assert s.severity == {}
    assert any("debounceMs" in p for p in s.problems) and any("DL3008" in p for p in s.problems)
    pushed = Settings.from_json({"layerlint": {"enable": False}})
    assert pushed.enable is False and pushed.select is None


async def test_configuration_change_on_disk_relints_open_documents(client: LanguageClient):
    assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in client.registrations)
    uri = await open_doc(client, BAD)
    assert any(d.code == "DL3008" for d in client.diagnostics[uri])
    folder = client.root / uri.rsplit("/", 2)[-2]
    (folder / ".layerlint.toml").write_text('ignore = ["DL3008"]\n')
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=(folder / ".layerlint.toml").as_uri(), type=types.FileChangeType.Created)]))
    for _ in range(20):
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if not any(d.code == "DL3008" for d in client.diagnostics[uri]):
            break
    assert not any(d.code == "DL3008" for d in client.diagnostics[uri])
