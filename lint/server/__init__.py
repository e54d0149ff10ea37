"""`layerlint server`: the language server, an adapter over the same engine and configuration
as the CLI (pygls, stdio; `--tcp HOST:PORT` for debugging).

`core` holds documents, settings and diagnostics; each other module registers one
group of LSP features with `register(server)`.
"""

from __future__ import annotations

import importlib

from .core import LayerlintServer

# feature modules, each with register(server); listed here so the server's surface is visible
FEATURES = ("documents", "code_actions", "hover", "completion", "navigation", "symbols", "semantic_tokens",
            "formatting")


def create_server() -> LayerlintServer:
    server = LayerlintServer()
    for name in FEATURES:
        importlib.import_module(f"{__name__}.{name}").register(server)
    return server


def main(tcp: str | None = None) -> int:
    server = create_server()
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0
