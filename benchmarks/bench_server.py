#!/usr/bin/env python3
"""Latency of `layerlint server` as an editor sees it: JSON-RPC over the server's stdio.

    python benchmarks/bench_server.py [--repeat N] [--warmup N] [--spawns N] [--json] [--server CMD]

The method of ../shared/reference/language-server.md section 4 (the figures of the Node
reference server were taken the same way), extended to the other document requests:
a 20-line two-stage Dockerfile and a synthetic 2,000-line one (100 stages x 20 lines), a
few warm-up repetitions, then N measured repetitions per document. Each repetition opens
a fresh URI and measures, in order:

    didOpen -> the publishDiagnostics of version 1
    hover on the last RUN keyword
    completion after `CO` of the last COPY
    a full-text didChange (one comment line appended) -> the diagnostics of version 2
    an incremental didChange of one line -> the diagnostics of version 3
    documentSymbol, foldingRange, semanticTokens/full, formatting

and closes the document. Separately, `--spawns` fresh processes measure spawn -> the
initialize response. The client is written with asyncio alone, so what is timed is the
server plus the pipe; a received message is time-stamped as soon as its bytes are read.

Diagnostics are requested without debounce (`initializationOptions: {"settings":
{"debounceMs": 0}}`, and the same answer to `workspace/configuration`), as issue 5 asks.
A method the server does not advertise (or answers with MethodNotFound) is reported as
"n/a"; a request that fails otherwise is reported as an error and the run goes on.
Use the interpreter that has layerlint installed (`.venv/bin/python`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SETTINGS = {"debounceMs": 0}
REQUEST_TIMEOUT = 60.0  # seconds; far beyond any target, only there so a hung server ends the run
METHOD_NOT_FOUND = -32601

# What the Node reference server measured (language-server.md section 4, medians in ms) and
# the targets of issue 5, both keyed by (document, metric).
NODE = {
    ("small", "spawn"): 106, ("small", "open"): 0.98, ("small", "change_full"): 0.61,
    ("small", "hover"): 0.38, ("small", "completion"): 0.39, ("large", "open"): 30.2,
    ("large", "change_full"): 28.9, ("large", "hover"): 13.6, ("large", "completion"): 16.0,
    ("small", "symbols"): 0.32, ("large", "symbols"): 15.9, ("small", "folding"): 0.31,
    ("large", "folding"): 16.5, ("small", "formatting"): 0.56, ("large", "formatting"): 19.0,
    ("small", "semantic_tokens"): 0.74, ("large", "semantic_tokens"): 1471,
}
TARGETS = {
    ("small", "change_full"): 5, ("small", "change_line"): 5,
    ("large", "change_full"): 30, ("large", "change_line"): 30,
    ("large", "hover"): 10, ("large", "completion"): 10, ("large", "semantic_tokens"): 50,
}

# metric -> (label, LSP method, the server capability that announces it)
METRICS = {
    "open": ("didOpen -> diagnostics", None, None),
    "hover": ("hover (last RUN keyword)", "textDocument/hover", "hoverProvider"),
    "completion": ("completion (after `CO`)", "textDocument/completion", "completionProvider"),
    "change_full": ("full-text didChange -> diagnostics", None, None),
    "change_line": ("one-line didChange -> diagnostics", None, None),
    "symbols": ("documentSymbol", "textDocument/documentSymbol", "documentSymbolProvider"),
    "folding": ("foldingRange", "textDocument/foldingRange", "foldingRangeProvider"),
    "semantic_tokens": ("semanticTokens/full", "textDocument/semanticTokens/full", "semanticTokensProvider"),
    "formatting": ("formatting", "textDocument/formatting", "documentFormattingProvider"),
}

# The capabilities of a VS Code-like client, so that capability-dependent features are offered.
CLIENT_CAPABILITIES = {
    "workspace": {"configuration": True, "workspaceFolders": True, "applyEdit": True,
                  "didChangeConfiguration": {"dynamicRegistration": True}},
    "textDocument": {
        "synchronization": {"dynamicRegistration": False, "didSave": True},
        "publishDiagnostics": {"versionSupport": True, "relatedInformation": True,
                               "tagSupport": {"valueSet": [1, 2]}, "codeDescriptionSupport": True,
                               "dataSupport": True},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "completion": {"completionItem": {"snippetSupport": True, "documentationFormat": ["markdown", "plaintext"],
                                          "resolveSupport": {"properties": ["documentation", "detail"]}},
                       "contextSupport": True},
        "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
        "foldingRange": {"lineFoldingOnly": True},
        "formatting": {},
        "semanticTokens": {"requests": {"full": {"delta": True}, "range": True},
                           "tokenTypes": ["namespace", "type", "class", "parameter", "variable", "property",
                                          "function", "keyword", "comment", "string", "number", "operator",
                                          "macro", "modifier"],
                           "tokenModifiers": ["declaration", "definition", "readonly", "deprecated",
                                              "defaultLibrary"],
                           "formats": ["relative"], "multilineTokenSupport": False},
    },
    "general": {"positionEncodings": ["utf-16"]},
}


# -- documents --------------------------------------------------------------------------------
SMALL = """\
# syntax=docker/dockerfile:1
FROM golang:1.22 AS build
MAINTAINER dev@example.com
ARG VERSION=1.0.0
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \\
    CGO_ENABLED=0 go build -ldflags "-X main.version=${VERSION}" -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12 AS runtime
LABEL org.opencontainers.image.source="https://example.com/app"
COPY --from=build --chown=65532:65532 /out/app /usr/local/bin/app
ENV APP_ENV=production
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=3s CMD ["/usr/local/bin/app", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/app"]
CMD ["serve"]
"""

STAGE = """\
# stage {i}: the app{i} service
FROM debian:12-slim AS app{i}
ARG APP_VERSION=1.{i}.0 \\
    BUILD_DATE=2024-01-01
ENV APP_HOME=/opt/app{i} \\
    PATH=/opt/app{i}/bin:$PATH
LABEL org.opencontainers.image.title="app{i}" org.opencontainers.image.version="${{APP_VERSION}}"
WORKDIR app{i}
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
    apt-get update \\
    && apt-get install -y --no-install-recommends ca-certificates curl \\
    && rm -rf /var/lib/apt/lists/*
COPY --chown=app{i}:app{i} requirements.txt ${{APP_HOME}}/
ADD --chmod=644 https://example.com/releases/app-{i}.tar.gz /opt/app{i}/
RUN useradd --system --home-dir /opt/app{i} app{i} && chown -R app{i} /opt/app{i}
EXPOSE {port}
USER app{i}
HEALTHCHECK --interval=30s --timeout=5s CMD curl -fsS http://localhost:{port}/health || exit 1
ENTRYPOINT ["/opt/app{i}/bin/start"]
CMD ["--port", "{port}"]
"""


def large_dockerfile(stages: int = 100) -> str:
    """100 stages x 20 lines: ARG/ENV with continuations, LABEL, RUN with --mount and &&
    chains, COPY --chown, ADD --chmod of a URL, EXPOSE, USER, HEALTHCHECK, ENTRYPOINT/CMD,
    and a relative WORKDIR per stage (one finding each, as in the reference measurement)."""
    return "".join(STAGE.format(i=i, port=8000 + i) for i in range(stages))


@dataclass
class Document:
    name: str  # "small" / "large"
    text: str
    hover_at: tuple[int, int]  # inside the last RUN keyword
    complete_at: tuple[int, int]  # after `CO` of the last COPY
    edit_line: int  # the line the incremental change rewrites
    edit_text: str

    @classmethod
    def make(cls, name: str, text: str) -> Document:
        lines = text.splitlines()
        last_run = max(i for i, line in enumerate(lines) if line.startswith("RUN "))
        last_copy = max(i for i, line in enumerate(lines) if line.startswith("COPY "))
        expose = [i for i, line in enumerate(lines) if line.startswith("EXPOSE ")]
        edit_line = expose[len(expose) // 2]
        return cls(name, text, (last_run, 1), (last_copy, 2), edit_line, "EXPOSE 9999/tcp")

    @property
    def line_count(self) -> int:
        return len(self.text.splitlines())


# -- a minimal LSP client ---------------------------------------------------------------------
class ServerError(Exception):
    def __init__(self, error: dict):
        super().__init__(error.get("message", "error"))
        self.code = error.get("code")


class Client:
    """JSON-RPC with Content-Length framing over a server subprocess's stdin/stdout."""

    def __init__(self, proc: asyncio.subprocess.Process, stderr_path: str):
        self.proc = proc
        self.stderr_path = stderr_path
        self._next_id = 0
        self._waiting: dict[int, asyncio.Future] = {}
        self.diagnostics: dict[str, tuple[int | None, list, float]] = {}  # uri -> (version, list, received at)
        self._diag_event = asyncio.Event()
        self.capabilities: dict = {}
        self.server_info: dict = {}
        self.closed = False  # the server's output ended
        self._reader = asyncio.ensure_future(self._read_loop())

    @classmethod
    async def spawn(cls, command: list[str], stderr_path: str) -> Client:
        with open(stderr_path, "ab") as err:
            proc = await asyncio.create_subprocess_exec(
                *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=err)
        return cls(proc, stderr_path)

    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}, separators=(",", ":")).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params) -> None:
        self._send({"method": method, "params": params})

    async def request(self, method: str, params) -> tuple[object, float]:
        """Sends a request; returns (result, perf_counter when the response was read)."""
        if self.closed:
            raise ConnectionError("the server closed its output")
        self._next_id += 1
        future = asyncio.get_running_loop().create_future()
        self._waiting[self._next_id] = future
        try:
            self._send({"id": self._next_id, "method": method, "params": params})
            await self.proc.stdin.drain()
        except (ConnectionError, BrokenPipeError):
            self._waiting.pop(self._next_id, None)
            future.cancel()
            raise
        try:
            return await asyncio.wait_for(future, REQUEST_TIMEOUT)
        except asyncio.TimeoutError:
            raise asyncio.TimeoutError(f"no answer to {method} within {REQUEST_TIMEOUT:.0f} s") from None

    async def wait_diagnostics(self, uri: str, version: int) -> tuple[list, float]:
        """The diagnostics published for `version` of `uri`, and when they were read."""
        async def wait():
            while True:
                got = self.diagnostics.get(uri)
                if got is not None and got[0] == version:
                    return got[1], got[2]
                self._diag_event.clear()
                await self._diag_event.wait()

        try:
            return await asyncio.wait_for(wait(), REQUEST_TIMEOUT)
        except asyncio.TimeoutError:
            raise asyncio.TimeoutError(f"no diagnostics for version {version} of {uri} within "
                                       f"{REQUEST_TIMEOUT:.0f} s") from None

    async def _read_loop(self) -> None:
        reader = self.proc.stdout
        try:
            while True:
                header = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":", 1)[1]) for line in header.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                body = await reader.readexactly(length)
                received = time.perf_counter()
                self._dispatch(json.loads(body), received)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, StopIteration) as e:
            self.closed = True
            failure = ConnectionError(f"the server closed its output ({type(e).__name__})")
            for future in self._waiting.values():
                if not future.done():
                    future.set_exception(failure)
            self._waiting.clear()

    def _dispatch(self, message: dict, received: float) -> None:
        if "method" not in message:  # a response to one of our requests
            future = self._waiting.pop(message.get("id"), None)
            if future is not None and not future.done():
                if "error" in message:
                    future.set_exception(ServerError(message["error"]))
                else:
                    future.set_result((message.get("result"), received))
            return
        method, params = message["method"], message.get("params") or {}
        if method == "textDocument/publishDiagnostics":
            self.diagnostics[params["uri"]] = (params.get("version"), params.get("diagnostics", []), received)
            self._diag_event.set()
        elif "id" in message:  # a request from the server: answer as an editor would
            result = None
            if method == "workspace/configuration":
                result = [dict(SETTINGS) for _ in params.get("items", [])]
            self._send({"id": message["id"], "result": result})

    def stderr_tail(self, limit: int = 2000) -> str:
        try:
            return Path(self.stderr_path).read_text(errors="replace")[-limit:].strip() or "(empty)"
        except OSError:
            return "(unreadable)"

    async def initialize(self, root: Path) -> float:
        """initialize + initialized; returns when the initialize response was read."""
        result, received = await self.request("initialize", {
            "processId": os.getpid(), "clientInfo": {"name": "layerlint-bench"},
            "rootUri": root.as_uri(), "workspaceFolders": [{"uri": root.as_uri(), "name": "bench"}],
            "capabilities": CLIENT_CAPABILITIES, "initializationOptions": {"settings": dict(SETTINGS)}})
        self.capabilities = (result or {}).get("capabilities", {})
        self.server_info = (result or {}).get("serverInfo") or {}
        self.notify("initialized", {})
        return received

    async def close(self) -> None:
        try:
            if self.proc.returncode is None:
                await asyncio.wait_for(self.request("shutdown", None), 5)
                self.notify("exit", None)
                await asyncio.wait_for(self.proc.wait(), 5)
        except (asyncio.TimeoutError, ConnectionError, ServerError, BrokenPipeError):
            pass
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
            self._reader.cancel()


# -- measuring --------------------------------------------------------------------------------
@dataclass
class Series:
    samples: list[float] = field(default_factory=list)  # ms
    empty: int = 0  # answers that were null or empty (the timing then says little)
    status: str = "ok"  # ok, n/a (not offered), or an error message

    def summary(self) -> dict:
        out: dict = {"status": self.status, "n": len(self.samples)}
        if self.samples:
            out["median_ms"] = round(statistics.median(self.samples), 3)
            out["p90_ms"] = round(percentile(self.samples, 90), 3)
            out["min_ms"] = round(min(self.samples), 3)
            if self.empty:
                out["empty_answers"] = self.empty
        return out


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile by linear interpolation between closest ranks."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def offered(capabilities: dict, key: str | None) -> bool:
    if key is None:
        return True
    value = capabilities.get(key)
    if key == "semanticTokensProvider":
        return isinstance(value, dict) and bool(value.get("full"))
    return bool(value)


def is_empty(result) -> bool:
    if result is None:
        return True
    if isinstance(result, dict):
        for key in ("items", "data", "contents"):  # completion list, semantic tokens, hover
            if key in result:
                return not result[key]
        return False
    return isinstance(result, list) and not result


class Run:
    """The repetitions over one document against one server process."""

    def __init__(self, client: Client, doc: Document, folder: Path):
        self.client = client
        self.doc = doc
        self.folder = folder
        self.series = {metric: Series() for metric in METRICS}
        for metric, (_, _, capability) in METRICS.items():
            if not offered(client.capabilities, capability):
                self.series[metric].status = "n/a"
        self.count = 0
        self.diagnostic_count: int | None = None

    async def repetition(self, record: bool) -> None:
        self.count += 1
        client, doc = self.client, self.doc
        path = self.folder / f"r{self.count}" / "Dockerfile"  # on disk too, as an editor's file is
        path.parent.mkdir()
        path.write_text(doc.text, encoding="utf-8")
        uri = path.as_uri()
        ident = {"uri": uri}

        async def timed_notification(metric: str, send, version: int) -> list:
            start = time.perf_counter()
            send()
            await client.proc.stdin.drain()
            diags, received = await client.wait_diagnostics(uri, version)
            if record:
                self.series[metric].samples.append((received - start) * 1000)
            return diags

        async def timed_request(metric: str, params: dict) -> None:
            series = self.series[metric]
            if series.status != "ok":
                return
            method = METRICS[metric][1]
            start = time.perf_counter()
            try:
                result, received = await client.request(method, params)
            except ServerError as e:
                series.status = "n/a" if e.code == METHOD_NOT_FOUND else f"error: {e}"
                return
            except asyncio.TimeoutError as e:
                series.status = f"error: {e}"
                return
            if record:
                series.samples.append((received - start) * 1000)
                series.empty += is_empty(result)

        diags = await timed_notification("open", lambda: client.notify("textDocument/didOpen", {
            "textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": doc.text}}), 1)
        self.diagnostic_count = len(diags)
        await timed_request("hover", {"textDocument": ident, "position": position(doc.hover_at)})
        await timed_request("completion", {"textDocument": ident, "position": position(doc.complete_at),
                                           "context": {"triggerKind": 1}})
        await timed_notification("change_full", lambda: client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"text": doc.text + "# edited\n"}]}), 2)
        line = doc.text.splitlines()[doc.edit_line]
        await timed_notification("change_line", lambda: client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": [{"range": {"start": position((doc.edit_line, 0)),
                                          "end": position((doc.edit_line, len(line)))},
                                "text": doc.edit_text}]}), 3)
        await timed_request("symbols", {"textDocument": ident})
        await timed_request("folding", {"textDocument": ident})
        await timed_request("semantic_tokens", {"textDocument": ident})
        await timed_request("formatting", {"textDocument": ident,
                                           "options": {"tabSize": 4, "insertSpaces": True}})
        client.notify("textDocument/didClose", {"textDocument": ident})
        await client.proc.stdin.drain()


def position(at: tuple[int, int]) -> dict:
    return {"line": at[0], "character": at[1]}


async def measure_spawn(command: list[str], runs: int, root: Path, stderr_path: str) -> Series:
    """spawn -> initialize response, one fresh process per run after one unrecorded warm-up
    (which fills bytecode and grammar caches)."""
    series = Series()
    for i in range(runs + 1):
        start = time.perf_counter()
        try:
            client = await Client.spawn(command, stderr_path)
        except OSError as e:
            series.status = f"error: {e}"
            break
        try:
            received = await client.initialize(root)
        except (ConnectionError, ServerError, asyncio.TimeoutError) as e:
            series.status = f"error: {e}"
            await client.close()
            break
        if i:
            series.samples.append((received - start) * 1000)
        await client.close()
    return series


async def benchmark(args) -> dict:
    command = shlex.split(args.server) if args.server else [sys.executable, "-m", "layerlint", "server"]
    docs = [Document.make("small", SMALL), Document.make("large", large_dockerfile())]
    with tempfile.TemporaryDirectory(prefix="layerlint-bench-") as tmp:
        root = Path(tmp)
        stderr_path = str(root / "server-stderr.log")
        spawn = await measure_spawn(command, args.spawns, root, stderr_path)
        if spawn.status != "ok":
            raise SystemExit(f"the server did not start: {spawn.status}\ncommand: {shlex.join(command)}\n"
                             f"server stderr: {Path(stderr_path).read_text(errors='replace')[-2000:]}")
        client = await Client.spawn(command, stderr_path)
        runs = []
        try:
            await client.initialize(root)
            for doc in docs:
                folder = root / doc.name
                folder.mkdir()
                run = Run(client, doc, folder)
                for _ in range(args.warmup):
                    await run.repetition(record=False)
                for _ in range(args.repeat):
                    await run.repetition(record=True)
                runs.append(run)
        except (ConnectionError, asyncio.TimeoutError) as e:
            raise SystemExit(f"the server failed: {e}\nserver stderr: {client.stderr_tail()}") from None
        finally:
            await client.close()
    return {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "server": {"command": command, **client.server_info,
                   "sync": client.capabilities.get("textDocumentSync")},
        "repeat": args.repeat, "warmup": args.warmup,
        "spawn": spawn.summary(),
        "documents": {run.doc.name: {"lines": run.doc.line_count, "diagnostics": run.diagnostic_count,
                                     "metrics": {m: s.summary() for m, s in run.series.items()}}
                      for run in runs},
        "targets_ms": {f"{doc}.{metric}": ms for (doc, metric), ms in TARGETS.items()},
        "node_reference_ms": {f"{doc}.{metric}": ms for (doc, metric), ms in NODE.items()},
    }


# -- reporting --------------------------------------------------------------------------------
def cell(summary: dict, key: str) -> str:
    if summary["status"] == "n/a":
        return "n/a"
    if summary["status"] != "ok" and not summary.get("n"):
        return "error"
    value = f"{summary[key]:.2f}" if summary[key] < 100 else f"{summary[key]:.0f}"
    return value + ("†" if summary.get("empty_answers") == summary["n"] else "")


def verdict(report: dict, metric: str) -> str:
    parts = []
    for doc in ("small", "large"):
        target = TARGETS.get((doc, metric))
        if target is None:
            continue
        summary = report["documents"][doc]["metrics"][metric]
        label = "20" if doc == "small" else "2,000"
        if summary["status"] == "n/a" or "median_ms" not in summary:
            parts.append(f"{label}: <= {target} ms (not measured)")
        else:
            met = "met" if summary["median_ms"] <= target else "MISSED"
            parts.append(f"{label}: <= {target} ms {met}")
    return "; ".join(parts) or "-"


def node_cell(metric: str) -> str:
    small, large = NODE.get(("small", metric)), NODE.get(("large", metric))
    if small is None and large is None:
        return "-"
    return f"{small if small is not None else '-'} / {large if large is not None else '-'}"


def markdown(report: dict) -> str:
    small, large = report["documents"]["small"], report["documents"]["large"]
    server = report["server"]
    lines = [
        f"layerlint server {server.get('version', '?')} - {report['machine']['cpus']} CPUs, "
        f"Python {report['machine']['python']}, {report['machine']['platform']}",
        f"{report['warmup']} warm-up + {report['repeat']} measured repetitions per document; "
        f"20 lines: {small['diagnostics']} diagnostics, 2,000 lines ({large['lines']}): "
        f"{large['diagnostics']} diagnostics; times in ms",
        "",
        "| Metric | 20 lines median | p90 | 2,000 lines median | p90 | Node ref. median (20 / 2,000) | Target |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    spawn = report["spawn"]
    lines.append(f"| spawn -> initialize response (n={spawn['n']}) | {cell(spawn, 'median_ms')} | "
                 f"{cell(spawn, 'p90_ms')} | | | {NODE[('small', 'spawn')]} | - |")
    for metric, (label, _, _) in METRICS.items():
        s, g = small["metrics"][metric], large["metrics"][metric]
        lines.append(f"| {label} | {cell(s, 'median_ms')} | {cell(s, 'p90_ms')} | {cell(g, 'median_ms')} | "
                     f"{cell(g, 'p90_ms')} | {node_cell(metric)} | {verdict(report, metric)} |")
    notes = []
    for doc in ("small", "large"):
        for metric, summary in report["documents"][doc]["metrics"].items():
            if summary["status"] not in ("ok", "n/a"):
                notes.append(f"- {doc} {metric}: {summary['status']}")
    if any("†" in line for line in lines):
        notes.append("- †: every answer was null or empty (formatting: nothing to change; other requests: "
                     "the feature does not answer at that position yet)")
    if any("n/a" in line for line in lines):
        notes.append("- n/a: the server does not offer that method (yet)")
    return "\n".join(lines + ([""] + notes if notes else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="measured repetitions per document (30)")
    parser.add_argument("--warmup", type=int, default=5, help="unrecorded repetitions first (5)")
    parser.add_argument("--spawns", type=int, default=5, help="processes for spawn -> initialize (5)")
    parser.add_argument("--server", help="the server command (default: this Python -m layerlint server)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or args.spawns < 1:
        parser.error("--repeat and --spawns must be >= 1, --warmup >= 0")
    report = asyncio.run(benchmark(args))
    print(json.dumps(report, indent=2) if args.json else markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
