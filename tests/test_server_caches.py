"""The language server's per-document caches: what a closed document leaves behind, and the
reuse of converted diagnostics (in process, no client)."""

from __future__ import annotations

from lsprotocol import types

from layerlint.server import create_server, symbol_index
from layerlint.server.core import conversion_key

URI = "file:///work/Dockerfile"


def _diagnostic(line: int, message: str = "m") -> types.Diagnostic:
    return types.Diagnostic(types.Range(types.Position(line, 0), types.Position(line, 3)), message,
                            types.DiagnosticSeverity.Warning, code="DL3000", source="layerlint")


def test_closing_a_document_drops_every_cache_of_it():
    server = create_server()
    sentinel = object()
    symbol_index._cache[URI] = (sentinel, symbol_index.SymbolIndex())
    server._json.retain(URI, [_diagnostic(0)])
    server.forget(URI)
    assert URI not in symbol_index._cache
    assert server._json._sent == {} and server._json._by_id == {} and server._json._retained == set()


def test_json_of_a_published_diagnostic_is_made_once_and_equals_cattrs():
    server = create_server()
    converter = server.protocol._converter
    sent = [_diagnostic(0), _diagnostic(1, "other")]
    server._json.retain(URI, sent)
    first = converter.unstructure(sent[0])
    assert converter.unstructure(sent[0]) is first  # reused
    assert first == {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 3}},
                     "message": "m", "severity": 2, "code": "DL3000", "source": "layerlint"}
    # a diagnostic not published (a code action's, a hover's) is converted every time, not kept
    loose = _diagnostic(2)
    assert converter.unstructure(loose) == converter.unstructure(loose)
    assert id(loose) not in server._json._by_id
    # the next publish of the document forgets what is not sent again
    server._json.retain(URI, [sent[1]])
    assert id(sent[0]) not in server._json._by_id


def test_conversion_key_changes_with_the_text_positions_are_converted_against():
    from layerlint.ast import Pos, Range
    from layerlint.rule import Diagnostic

    finding = Diagnostic("DL3003", "cd-instead-of-workdir", "warning", "m", Range(Pos(1, 4), Pos(1, 9)))
    ascii_lines, other_lines = ["FROM a", "RUN cd /xy"], ["FROM a", "RUN cd /\U0001f600"]  # UTF-16 columns differ
    assert conversion_key(finding, ascii_lines, False) != conversion_key(finding, other_lines, False)
    assert conversion_key(finding, ascii_lines, False) == conversion_key(finding, list(ascii_lines), False)
    assert conversion_key(finding, ["FROM a"], False) is None  # past the end: converted every time
