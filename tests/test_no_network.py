"""layerlint never opens a network connection and never runs what a Dockerfile says.

The command line and the language server run in subprocesses whose Python loads a
`sitecustomize` (from PYTHONPATH) that records and refuses every Internet socket, connection
and name lookup, and records every program started. Dockerfiles full of URLs (remote ADD,
images on registries, `curl | sh`, Git contexts) are linted, the server is driven through a
JSON-RPC session over stdio (initialize, didOpen, hover, documentLink, shutdown, exit), and
the record must show no network attempt and no program other than ShellCheck. Unix socket
pairs (asyncio's event loop wakes itself through one) are local and allowed. A control run
proves that the guard does see a connection attempt.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

GUARD = '''
import errno, json, os, socket, subprocess, traceback

_LOG = os.environ["LAYERLINT_GUARD_LOG"]


def _record(kind, detail):
    stack = "".join(traceback.format_stack(limit=8))
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"kind": kind, "detail": repr(detail)[:300], "stack": stack}) + "\\n")


def _refuse(kind, detail):
    _record(kind, detail)
    raise OSError(errno.EACCES, f"network access is blocked in this test ({kind})")


_INET = (socket.AF_INET, socket.AF_INET6)
_Socket = socket.socket


class GuardedSocket(_Socket):
    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        if fileno is None and (family == -1 or family in _INET):
            _refuse("socket", (family, type))
        super().__init__(family, type, proto, fileno)

    def connect(self, address):
        if self.family in _INET:
            _refuse("connect", address)
        return super().connect(address)


socket.socket = GuardedSocket
for _name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr",
              "create_server"):
    setattr(socket, _name, (lambda name: lambda *a, **k: _refuse(name, a))(_name))

_Popen = subprocess.Popen


class RecordedPopen(_Popen):
    def __init__(self, args, *a, **k):
        _record("process", args)
        super().__init__(args, *a, **k)


subprocess.Popen = RecordedPopen
for _name in ("system", "execv", "execve", "execvp", "execvpe", "posix_spawn", "posix_spawnp"):
    if hasattr(os, _name):
        setattr(os, _name, (lambda name, real: lambda *a, **k: (_record("process", a), real(*a, **k))[1])(
            _name, getattr(os, _name)))
_record("guard", "loaded")
'''

DOCKERFILES = {
    "Dockerfile": (
        "# syntax=docker/dockerfile:1\n"
        "FROM registry.example.com:5000/team/base:1.0 AS base\n"
        "ADD https://example.com/releases/app.tar.gz /opt/\n"
        "ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 "
        "https://example.org/tool /usr/local/bin/tool\n"
        "ADD git@github.com:moby/buildkit.git#v0.13.0 /src\n"
        "RUN curl -fsSL https://get.example.com/install.sh | sh && touch /tmp/layerlint-was-run\n"
        "RUN <<EOF\n#!/bin/sh\nwget -qO- http://example.net/x | bash\ntouch /tmp/layerlint-was-run\nEOF\n"
        "FROM ghcr.io/owner/image@sha256:" + "a" * 64 + "\n"
        "COPY --from=docker.io/library/alpine:3.20 /etc/os-release /\n"
        "HEALTHCHECK CMD curl http://localhost:8080/health\n"),
    "web.Dockerfile": "FROM nginx\nADD http://example.com/index.html /usr/share/nginx/html/\nEXPOSE 80\n",
}
MARKER = Path("/tmp/layerlint-was-run")


def guarded_env(tmp_path: Path) -> tuple[dict, Path]:
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "guard.log"
    path = os.pathsep.join([str(guard_dir), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return dict(os.environ, PYTHONPATH=path, LAYERLINT_GUARD_LOG=str(log), NO_COLOR="1"), log


def records(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def assert_offline(log: Path) -> None:
    seen = records(log)
    assert any(r["kind"] == "guard" for r in seen), "the guard was not loaded: the test proves nothing"
    network = [r for r in seen if r["kind"] not in ("guard", "process")]
    assert not network, "network access attempted:\n" + "\n".join(f"{r['detail']}\n{r['stack']}" for r in network)
    programs = [r["detail"] for r in seen if r["kind"] == "process"]
    assert all("shellcheck" in p for p in programs), f"programs were started: {programs}"


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    for name, text in DOCKERFILES.items():
        (root / name).write_text(text)
    (root / "compose.yaml").write_text("services:\n  web:\n    image: team/web\n    build:\n      context: .\n"
                                       "      dockerfile: web.Dockerfile\n")
    MARKER.unlink(missing_ok=True)
    return root


def test_the_guard_sees_a_connection_attempt(tmp_path):
    env, log = guarded_env(tmp_path)
    code = "import urllib.request\ntry:\n    urllib.request.urlopen('http://127.0.0.1:9/', timeout=1)\nexcept OSError:\n    pass\n"
    subprocess.run([sys.executable, "-c", code], env=env, timeout=60, check=True)
    assert {r["kind"] for r in records(log)} - {"guard", "process"}, records(log)


def _shellcheck_available() -> bool:
    from layerlint.shellcheck import ShellCheckUnavailable, find_binary

    try:
        find_binary()
    except ShellCheckUnavailable:
        return False
    return True


def test_check_opens_no_connection_and_runs_nothing(tmp_path, project):
    env, log = guarded_env(tmp_path)
    args = [sys.executable, "-m", "layerlint", "check", "--format", "json", "--no-cache", "."]
    if _shellcheck_available():
        args.append("--shellcheck")
    p = subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    found = json.loads(p.stdout)
    codes = {f["code"] for f in found}
    assert {"LL2004", "LL5008", "DL3006"} <= codes, codes  # remote ADD unpinned, curl | sh, untagged image
    assert {f["file"] for f in found} == set(DOCKERFILES)
    assert_offline(log)
    assert not MARKER.exists(), "a RUN instruction was executed"
    if "--shellcheck" in args:  # ShellCheck only reads the scripts: it was started, and nothing else
        assert any(r["kind"] == "process" for r in records(log))


# -- the language server over stdio ---------------------------------------------------------------
class Client:
    """A minimal JSON-RPC client speaking LSP's Content-Length framing over pipes."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            headers = {}
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            if line == b"":
                return
            self.messages.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, method: str, params=None, *, request: bool = True) -> int | None:
        msg = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            msg["id"] = self.next_id
        body = json.dumps(msg).encode()
        self.proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        self.proc.stdin.flush()
        return msg.get("id")

    def wait_for(self, match, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            msg = self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
            if msg.get("method") in ("workspace/configuration", "client/registerCapability",
                                     "window/workDoneProgress/create") and "id" in msg:
                self._answer(msg)
            if match(msg):
                return msg

    def _answer(self, msg: dict) -> None:
        result = [None] * len(msg["params"]["items"]) if msg["method"] == "workspace/configuration" else None
        body = json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}).encode()
        self.proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        self.proc.stdin.flush()

    def request(self, method: str, params) -> dict:
        rid = self.send(method, params)
        return self.wait_for(lambda m: m.get("id") == rid and "method" not in m)


def test_server_opens_no_connection(tmp_path, project):
    env, log = guarded_env(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "layerlint", "server"], cwd=project, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        client = Client(proc)
        uri = (project / "Dockerfile").as_uri()
        init = client.request("initialize", {"processId": os.getpid(), "rootUri": project.as_uri(),
                                             "workspaceFolders": [{"uri": project.as_uri(), "name": "project"}],
                                             "capabilities": {"workspace": {"configuration": True}}})
        assert "capabilities" in init["result"]
        client.send("initialized", {}, request=False)
        client.send("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "dockerfile", "version": 1, "text": DOCKERFILES["Dockerfile"]}}, request=False)
        diagnostics = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                      and m["params"]["uri"] == uri)
        assert {d["code"] for d in diagnostics["params"]["diagnostics"]} >= {"LL2004", "LL5008"}
        hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                      "position": {"line": 2, "character": 1}})
        assert hover["result"] and "ADD" in json.dumps(hover["result"])
        links = client.request("textDocument/documentLink", {"textDocument": {"uri": uri}})
        assert "error" not in links
        assert client.request("shutdown", None)["result"] is None
        client.send("exit", None, request=False)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
    assert_offline(log)
    assert not MARKER.exists()
