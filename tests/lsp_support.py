"""Shared pieces of the language-server tests: a pytest-lsp client that also records the
version of each published diagnostics list, and helpers to open documents and wait.

Use in a test module:

    from lsp_support import open_doc, server_fixture
    client = server_fixture()            # one server process per module

    async def test_x(client):
        uri = await open_doc(client, "FROM alpine:3.20\\n")
"""

from __future__ import annotations

import asyncio
import itertools
import sys

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, default_converter, register_lsp_features

SERVER = [sys.executable, "-m", "layerlint", "server"]
_names = itertools.count(1)


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.versions = {}

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams):
        client.diagnostics[params.uri] = params.diagnostics
        client.versions[params.uri] = params.version

    client.registrations = []

    def register_capability(client: LanguageClient, params: types.RegistrationParams):
        client.registrations.extend(params.registrations)  # as VS Code does: accepted

    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
                                   types.CLIENT_REGISTER_CAPABILITY: register_capability})
    return client


def server_fixture(settings: dict | None = None, capabilities: str = "visual-studio-code", pull: bool = False):
    """A module-scoped `client` fixture: one initialised server with a temporary workspace
    folder (`client.root`). With `pull`, the client announces pull diagnostics (and then gets
    no pushed ones)."""
    options = {"settings": {"debounceMs": 0, **(settings or {})}}

    @pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
    async def client(lsp_client: LanguageClient, tmp_path_factory):
        root = tmp_path_factory.mktemp("workspace")
        caps = client_capabilities(capabilities)
        if pull:
            caps.text_document.diagnostic = types.DiagnosticClientCapabilities(dynamic_registration=False)
        await lsp_client.initialize_session(types.InitializeParams(
            capabilities=caps, root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options=options))
        lsp_client.root = root
        yield
        await lsp_client.shutdown_session()

    return client


async def open_doc(client: LanguageClient, text: str, name: str = "Dockerfile", files: dict | None = None) -> str:
    """Open `text` as a new document (a fresh folder each time, with `files` beside it) and
    wait for its first diagnostics. Returns the URI."""
    folder = client.root / f"d{next(_names)}"
    folder.mkdir()
    for rel, content in (files or {}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(content, encoding="utf-8")
    uri = (folder / name).as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="dockerfile", version=1, text=text)))
    await wait_diagnostics(client, uri, 1)
    return uri


async def wait_diagnostics(client: LanguageClient, uri: str, version: int | None, timeout: float = 15.0):
    """The diagnostics published for `version` of `uri` (None: published without a version)."""
    async def wait():
        while not (uri in client.diagnostics and client.versions.get(uri) == version):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return client.diagnostics[uri]

    return await asyncio.wait_for(wait(), timeout)


def change(client: LanguageClient, uri: str, version: int, start: tuple[int, int], end: tuple[int, int],
           text: str) -> None:
    """An incremental didChange replacing the range start..end (line, character) by `text`."""
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        [types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(*start), types.Position(*end)), text=text)]))
