"""The language server: documents, settings, analysis cache and diagnostics.

One `LayerlintServer` (pygls) holds, per open document, the parse of its current
version and, once the linter has run, the lint result of that version. Every
feature module (hover, completion, navigation, ...) reads `server.analysis(uri)`
and never parses on its own, so a request after an edit costs one parse, shared.

Diagnostics are pushed after open, change (debounced) and save, always for the
version they were computed from, and pulled with `textDocument/diagnostic`.
Linting runs in one worker thread so that requests keep being answered during a
long lint; a result for a version that is no longer current is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..ast import Dockerfile, Pos, Range
from ..config import Config, ConfigError, _check_refs, find_config, load
from ..engine import LintResult, StageMemo, lint_dockerfile
from ..model import Model, build_model
from ..parser import InstructionCache, parse
from .settings import Settings

log = logging.getLogger("layerlint.server")

SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
            "info": types.DiagnosticSeverity.Information, "style": types.DiagnosticSeverity.Hint}
TAGS = {"deprecated": types.DiagnosticTag.Deprecated, "unnecessary": types.DiagnosticTag.Unnecessary}
# Beyond this a document is not analysed (an information diagnostic says so): real Dockerfiles are a
# few kB, and parsing 1 MB takes a quarter of a second, during which the editor waits.
MAX_DOCUMENT_BYTES = 1_000_000


@dataclass(slots=True, eq=False)
class Analysis:
    """One version of one document: its parse and model, and its lint result once computed."""

    uri: str
    version: int | None
    text: str
    dockerfile: Dockerfile
    model: Model
    path: str | None
    config: Config
    result: LintResult | None = None
    skipped: str | None = None  # why the document is not linted (too large, ...)
    memo: DocumentMemo | None = None  # shared by the versions of the document
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def lines(self) -> list[str]:
        return self.dockerfile.lines

    def lint(self) -> LintResult:
        """The lint result of this version, computed once (thread-safe)."""
        with self._lock:
            if self.result is None:
                if self.memo is None:
                    self.result = lint_dockerfile(self.dockerfile, self.path, self.config, model=self.model)
                else:
                    with self.memo.lock:
                        self.result = lint_dockerfile(self.dockerfile, self.path, self.config, self.memo.stages,
                                                      self.model)
            return self.result


@dataclass(slots=True, eq=False)
class DocumentMemo:
    """What one document's successive lints share: the findings of unchanged stages. Valid for
    one configuration and as long as the files beside the document are unchanged."""

    config: Config
    stages: StageMemo = field(default_factory=StageMemo)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _DiagnosticJSON:
    """The JSON form of each `types.Diagnostic` a document's last publish sent: the server reuses
    the LSP form of unchanged findings (`conversion_key`), and pygls would otherwise turn each into
    JSON again with cattrs on every publish (~1.5 ms for 700). Kept per document, for the objects
    of its last publish only."""

    def __init__(self) -> None:
        self._by_id: dict[int, dict] = {}
        self._retained: set[int] = set()  # ids of the objects of every document's last publish
        self._sent: dict[str, list[types.Diagnostic]] = {}  # URI -> those objects, referenced so
        # that no other object takes their ids

    def retain(self, uri: str, diagnostics: list[types.Diagnostic]) -> None:
        """`diagnostics` are what `uri` publishes now; what it published before is forgotten."""
        keep = {id(d) for d in diagnostics}
        for old in self._sent.get(uri, ()):
            if id(old) not in keep:
                self._by_id.pop(id(old), None)
                self._retained.discard(id(old))
        self._retained |= keep
        self._sent[uri] = diagnostics

    def forget(self, uri: str) -> None:
        self.retain(uri, [])
        self._sent.pop(uri, None)

    def converter(self):
        from pygls.protocol import default_converter

        converter = default_converter()
        plain = converter.get_unstructure_hook(types.Diagnostic)

        def unstructure(diagnostic: types.Diagnostic) -> dict:
            data = self._by_id.get(id(diagnostic))
            if data is None:
                data = plain(diagnostic)
                if id(diagnostic) in self._retained:  # not hover's or code actions' own objects
                    self._by_id[id(diagnostic)] = data
            return data

        converter.register_unstructure_hook(types.Diagnostic, unstructure)
        return converter


class LayerlintServer(LanguageServer):
    def __init__(self) -> None:
        self._json = _DiagnosticJSON()
        super().__init__("layerlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         converter_factory=self._json.converter)
        self.settings = Settings()  # editor settings, from initializationOptions or didChangeConfiguration
        self.folder_settings: dict[str, Settings] = {}  # workspace folder URI -> settings pulled for it
        self._analyses: dict[str, Analysis] = {}
        self._parse_caches: dict[str, InstructionCache] = {}  # per URI: unchanged instructions are reused
        self._memos: dict[str, DocumentMemo] = {}  # per URI: findings of unchanged stages are reused
        # per URI: the LSP form of each diagnostic last sent, by conversion_key (unchanged findings
        # are not converted again on each edit)
        self._converted: dict[str, dict] = {}
        self._configs: dict[str, tuple[tuple, Config]] = {}
        self._pending: dict[str, asyncio.Task] = {}
        # called with the URI of a closed document: feature modules drop what they keep of it
        self.on_forget: list = []
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="layerlint-lint")
        self.pull_diagnostics = False  # the client pulls (textDocument/diagnostic): do not push

    # -- documents and analysis ------------------------------------------------------------
    def analysis(self, uri: str) -> Analysis | None:
        """The parse of the document's current version (cached); None for unknown documents."""
        try:
            doc = self.workspace.get_text_document(uri)
        except Exception:  # noqa: BLE001 - pygls raises on malformed URIs
            return None
        if doc.uri not in self.workspace.text_documents:
            path = to_fs_path(uri)
            if not path or not os.path.isfile(path):
                return None
        cached = self._analyses.get(uri)
        if cached is not None and cached.version == doc.version and (doc.version is not None or
                                                                     cached.text == doc.source):
            return cached
        text = doc.source
        path = to_fs_path(uri)
        settings = self.settings_for(uri)
        skipped = None
        if len(text) > MAX_DOCUMENT_BYTES:
            skipped = f"not analysed: larger than {MAX_DOCUMENT_BYTES // 1_000_000} MB (run `layerlint check` on it)"
            text = ""
        dockerfile = parse(text, path, self._parse_caches.setdefault(uri, InstructionCache()))
        config = self.config_for(path, settings)
        memo = self._memos.get(uri)
        if memo is None or memo.config != config:
            memo = self._memos[uri] = DocumentMemo(config)
        result = Analysis(uri, doc.version, doc.source if skipped is None else text, dockerfile,
                          build_model(dockerfile), path, config, skipped=skipped, memo=memo)
        self._analyses[uri] = result
        return result

    def clear_config_cache(self) -> None:
        self._configs.clear()

    def invalidate(self, uri: str) -> None:
        """Analyse the document afresh at the next request (files beside it or settings changed)."""
        self._analyses.pop(uri, None)
        self._memos.pop(uri, None)

    def forget(self, uri: str) -> None:
        self._analyses.pop(uri, None)
        self._parse_caches.pop(uri, None)
        self._memos.pop(uri, None)
        self._converted.pop(uri, None)
        self._json.forget(uri)
        for drop in self.on_forget:
            drop(uri)
        task = self._pending.pop(uri, None)
        if task is not None:
            task.cancel()

    def settings_for(self, uri: str) -> Settings:
        """Editor settings of the workspace folder holding `uri` (the longest matching folder)."""
        best = None
        for folder, settings in self.folder_settings.items():
            if uri.startswith(folder.rstrip("/") + "/") and (best is None or len(folder) > len(best[0])):
                best = (folder, settings)
        return best[1] if best else self.settings

    def config_for(self, path: str | None, settings: Settings) -> Config:
        """The project configuration file of `path` (as the CLI finds it), under the editor settings."""
        base = Config()
        found = settings.config_path or (find_config(os.path.dirname(path)) if path else None)
        if found:
            try:
                st = os.stat(found)
                key = (found, st.st_mtime_ns, st.st_size)
                cached = self._configs.get(found)
                if cached is None or cached[0] != key:
                    cached = (key, load(found))
                    self._configs[found] = cached
                base = cached[1]
            except (OSError, ConfigError) as e:
                self.show_message_log(f"layerlint: configuration not used: {e}", types.MessageType.Error)
        return settings.apply(base, lambda where, refs: self._valid_refs(where, refs))

    def _valid_refs(self, where: str, refs: list[str]) -> list[str]:
        good = []
        for ref in refs:
            try:
                good += _check_refs("editor settings", where, [ref])
            except ConfigError as e:
                self.show_message_log(f"layerlint: {e}", types.MessageType.Warning)
        return good

    def show_message_log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        try:
            self.window_log_message(types.LogMessageParams(kind, message))
        except Exception:  # noqa: BLE001 - no client connected (unit use)
            log.info(message)

    # -- diagnostics ----------------------------------------------------------------------
    def schedule_lint(self, uri: str, delay: float | None = None) -> None:
        """Lint the current version after `delay` seconds (the debounce), replacing a pending run."""
        task = self._pending.pop(uri, None)
        if task is not None:
            task.cancel()
        delay = self.settings_for(uri).debounce_ms / 1000 if delay is None else delay
        self._pending[uri] = asyncio.ensure_future(self._lint_and_publish(uri, delay))

    async def _lint_and_publish(self, uri: str, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            analysis = self.analysis(uri)
            if analysis is None:
                return
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self.executor, analysis.lint)
            current = self.analysis(uri)
            if current is not analysis:
                return  # edited meanwhile: the newer version publishes
            if not self.pull_diagnostics:
                self.publish(analysis)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # noqa: BLE001 - a bug must not leave the editor waiting silently
            log.exception("linting %s failed", uri)
            self.show_message_log(f"layerlint: internal error while linting {uri}: {type(exc).__name__}: {exc}",
                                  types.MessageType.Error)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, version=self._version_of(uri), diagnostics=[types.Diagnostic(
                    types.Range(types.Position(0, 0), types.Position(0, 0)),
                    f"layerlint: internal error, this file was not linted ({type(exc).__name__}: {exc}); "
                    f"please report it", types.DiagnosticSeverity.Error, source="layerlint")]))
        finally:
            if self._pending.get(uri) is asyncio.current_task():
                self._pending.pop(uri, None)

    def _version_of(self, uri: str) -> int | None:
        try:
            return self.workspace.get_text_document(uri).version
        except Exception:  # noqa: BLE001 - not initialised or malformed URI
            return None

    def publish(self, analysis: Analysis) -> None:
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=analysis.uri, version=analysis.version, diagnostics=self.lsp_diagnostics(analysis)))

    def lsp_diagnostics(self, analysis: Analysis) -> list[types.Diagnostic]:
        if not self.settings_for(analysis.uri).enable:
            return []
        if analysis.skipped:
            return [types.Diagnostic(types.Range(types.Position(0, 0), types.Position(0, 0)),
                                     f"layerlint: {analysis.skipped}", types.DiagnosticSeverity.Information,
                                     source="layerlint")]
        result = analysis.lint()
        for code, error in result.rule_errors:
            self.show_message_log(f"layerlint: rule {code} failed on {analysis.uri} and was skipped: {error}",
                                  types.MessageType.Warning)
        for note in result.notes:
            self.show_message_log(f"layerlint: {analysis.uri}: {note}", types.MessageType.Info)
        previous = self._converted.get(analysis.uri, {})
        converted: dict = {}
        out = []
        lines, bom = analysis.lines, analysis.text.startswith("\ufeff")
        for d in result.diagnostics:
            key = conversion_key(d, lines, bom)
            lsp = previous.get(key) if key is not None else None
            if lsp is None:
                lsp = to_lsp_diagnostic(self, analysis, d)
            if key is not None:
                converted[key] = lsp
            out.append(lsp)
        self._converted[analysis.uri] = converted
        self._json.retain(analysis.uri, out)
        return out

    # -- positions ------------------------------------------------------------------------
    def to_lsp_range(self, analysis: Analysis, rng: Range) -> types.Range:
        return types.Range(self.to_lsp_position(analysis, rng.start), self.to_lsp_position(analysis, rng.end))

    def to_lsp_position(self, analysis: Analysis, pos: Pos) -> types.Position:
        """A layerlint position (code points, BOM excluded) in the client's position encoding."""
        lines = analysis.lines
        line, column = pos
        if line >= len(lines):
            return types.Position(len(lines), 0) if lines else types.Position(0, 0)
        text = lines[line]
        if line == 0 and analysis.text.startswith("\ufeff"):
            text, column = "\ufeff" + text, column + 1
        column = min(column, len(text))
        if text.isascii():  # one unit per character in every encoding: the common case, kept cheap
            return types.Position(line, column)
        codec = self.workspace.position_codec
        return types.Position(line, codec.client_num_units(text[:column]))

    def from_lsp_position(self, analysis: Analysis, pos: types.Position) -> Pos:
        """The client's position as a layerlint position, clamped into the document."""
        lines = analysis.lines
        if not lines:
            return Pos(0, 0)
        line = min(max(pos.line, 0), len(lines) - 1)
        text = lines[line]
        bom = line == 0 and analysis.text.startswith("\ufeff")
        if bom:
            text = "\ufeff" + text
        elif text.isascii():
            return Pos(line, min(max(pos.character, 0), len(text)))
        codec = self.workspace.position_codec
        units, column = 0, 0
        while column < len(text) and units < pos.character:
            units += codec.client_num_units(text[column])
            column += 1
        return Pos(line, max(column - 1, 0) if bom else column)


def conversion_key(d, lines: list[str], bom: bool) -> tuple | None:
    """Everything the LSP form of `d` is made from: its fields, and the text of each line its
    ranges (and its fix's) start or end on, which positions are converted against. None when a
    range lies past the end of the document (converted against the line count)."""
    ranges = (d.range,) + (tuple(e.range for e in d.fix.edits) if d.fix is not None else ())
    n = len(lines)
    texts = []
    for (start, _), (end, _) in ranges:
        if start >= n or end >= n:
            return None
        texts.append(lines[start])
        texts.append(lines[end])
    return (d.code, d.name, d.severity, d.message, d.url, d.tags, d.fix, ranges, tuple(texts),
            bom and any(r.start.line == 0 or r.end.line == 0 for r in ranges))


def to_lsp_diagnostic(server: LayerlintServer, analysis: Analysis, d) -> types.Diagnostic:
    data: dict = {"name": d.name}
    if d.fix is not None:
        data["fix"] = {"title": d.fix.title, "safe": d.fix.safe,
                       "edits": [{"range": _range_json(server.to_lsp_range(analysis, e.range)),
                                  "newText": e.new_text} for e in d.fix.edits]}
    return types.Diagnostic(
        range=server.to_lsp_range(analysis, d.range),
        message=d.message,
        severity=SEVERITY.get(d.severity, types.DiagnosticSeverity.Warning),
        code=d.code,
        code_description=types.CodeDescription(href=d.url) if d.url else None,
        source="layerlint",
        tags=[TAGS[t] for t in d.tags if t in TAGS] or None,
        data=data,
    )


def _range_json(r: types.Range) -> dict:
    return {"start": {"line": r.start.line, "character": r.start.character},
            "end": {"line": r.end.line, "character": r.end.character}}
