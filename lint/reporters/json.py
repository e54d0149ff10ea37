"""`--format json`: one JSON array of findings for all files."""

from __future__ import annotations

import json

from . import position


def fix_to_json(fix):
    if fix is None:
        return None
    return {
        "safe": fix.safe,
        "title": fix.title,
        "edits": [{**_pos(e.range), "new_text": e.new_text} for e in fix.edits],
    }


def _pos(rng):
    (sl, sc), (el, ec) = rng
    return {"line": sl + 1, "column": sc + 1, "end_line": el + 1, "end_column": ec + 1}


def report(results, stream, options) -> None:
    out = []
    for r in results:
        if r.error is not None:
            out.append({"file": r.path, "code": "IOERROR", "name": "unreadable-file", "severity": "error",
                        "message": r.error, "line": None, "column": None, "end_line": None, "end_column": None,
                        "fix": None, "url": None})
            continue
        for d in r.diagnostics:
            out.append({"file": r.path, "code": d.code, "name": d.name, "severity": d.severity,
                        "message": d.message, **position(d), "fix": fix_to_json(d.fix), "url": d.url})
    # one finding per line: readable, and encoded by json's C encoder (indent= is pure Python
    # and several times slower on large runs)
    if not out:
        stream.write("[]\n")
        return
    stream.write("[\n")
    stream.write(",\n".join("  " + json.dumps(item, ensure_ascii=False) for item in out))
    stream.write("\n]\n")
