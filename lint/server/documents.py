"""Lifecycle, document sync, settings and diagnostics handlers of the language server."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from .core import LayerlintServer
from .settings import Settings


def register(server: LayerlintServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: LayerlintServer, params: types.InitializeParams) -> None:
        # a client that pulls diagnostics gets them only that way: pushing too shows them twice
        text_caps = params.capabilities.text_document if params.capabilities else None
        ls.pull_diagnostics = bool(text_caps and text_caps.diagnostic)
        ls.settings = Settings.from_json(params.initialization_options)
        for problem in ls.settings.problems:
            ls.show_message_log(f"layerlint: {problem}", types.MessageType.Warning)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: LayerlintServer, params: types.InitializedParams) -> None:
        await pull_folder_settings(ls)
        await watch_project_files(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: LayerlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        # a configuration, .dockerignore, Compose file or parent Dockerfile changed on disk
        relint_all(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: LayerlintServer, params: types.DidChangeConfigurationParams) -> None:
        if isinstance(params.settings, dict) and params.settings:
            ls.settings = Settings.from_json(params.settings)
        await pull_folder_settings(ls)
        relint_all(ls)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LayerlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule_lint(params.text_document.uri, delay=0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LayerlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule_lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LayerlintServer, params: types.DidSaveTextDocumentParams) -> None:
        # files beside it (.dockerignore, Compose, parents) may have changed too: lint afresh
        ls.invalidate(params.text_document.uri)
        ls.schedule_lint(params.text_document.uri, delay=0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LayerlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.forget(uri)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC,
                    types.DiagnosticOptions(identifier="layerlint", inter_file_dependencies=False,
                                            workspace_diagnostics=False))
    async def pull_diagnostics(ls: LayerlintServer, params: types.DocumentDiagnosticParams):
        analysis = ls.analysis(params.text_document.uri)
        if analysis is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        # lint in the worker thread (usually already done after the edit's debounce)
        await asyncio.get_running_loop().run_in_executor(ls.executor, analysis.lint)
        return types.RelatedFullDocumentDiagnosticReport(items=ls.lsp_diagnostics(analysis))


async def pull_folder_settings(ls: LayerlintServer) -> None:
    """Ask a client that supports it for the `layerlint` settings of each workspace folder."""
    caps = ls.client_capabilities
    if not (caps and caps.workspace and caps.workspace.configuration):
        return
    folders = list(ls.workspace.folders.values())
    if not folders:
        return
    try:
        answers = await ls.workspace_configuration_async(types.ConfigurationParams(
            items=[types.ConfigurationItem(scope_uri=f.uri, section="layerlint") for f in folders]))
    except Exception as e:  # noqa: BLE001 - a client may refuse; pushed settings then apply
        ls.show_message_log(f"layerlint: workspace/configuration failed: {e}", types.MessageType.Warning)
        return
    for folder, answer in zip(folders, answers or []):
        if isinstance(answer, dict):
            settings = Settings.from_json(answer)
            ls.folder_settings[folder.uri] = settings
            for problem in settings.problems:
                ls.show_message_log(f"layerlint: {folder.name}: {problem}", types.MessageType.Warning)


# files whose change on disk changes the findings of open Dockerfiles
WATCHED = ("**/.layerlint.toml", "**/pyproject.toml", "**/.hadolint.yaml", "**/.hadolint.yml", "**/.dockerignore",
           "**/*.dockerignore", "**/compose.y*ml", "**/docker-compose*.y*ml", "**/.env", "**/Dockerfile*",
           "**/*.Dockerfile", "**/*.dockerfile", "**/Containerfile*")


async def watch_project_files(ls: LayerlintServer) -> None:
    caps = ls.client_capabilities
    watched = caps and caps.workspace and caps.workspace.did_change_watched_files
    if not (watched and watched.dynamic_registration):
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=g) for g in WATCHED])
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
            id="layerlint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options)]))
    except Exception as e:  # noqa: BLE001 - without watchers, saving the edited file still re-lints
        ls.show_message_log(f"layerlint: could not watch project files: {e}", types.MessageType.Warning)


def relint_all(ls: LayerlintServer) -> None:
    ls.clear_config_cache()
    for uri in list(ls.workspace.text_documents):
        ls.invalidate(uri)
        ls.schedule_lint(uri, delay=0)
    caps = ls.client_capabilities
    if ls.pull_diagnostics and caps and caps.workspace and caps.workspace.diagnostics \
            and caps.workspace.diagnostics.refresh_support:
        ls.workspace_diagnostic_refresh(None)  # ask the client to pull again
