"""`--format hadolint-json`: the shape of `hadolint --format json`, for tools that read it.

One compact JSON array of `{"code", "column", "file", "level", "line", "message"}` objects
(keys in that order, as hadolint writes them), `level` one of hadolint's `error`, `warning`,
`info`, `style`. Unlike hadolint, whose column is always 1, `column` is the finding's real
1-based column. LL codes appear as they are; a file that could not be read is an `IOERROR`
error at line 1, column 1 (hadolint aborts the whole run instead).
"""

from __future__ import annotations

import json

from . import UNREADABLE_CODE, position


def report(results, stream, options) -> None:
    out = []
    for r in results:
        if r.error is not None:
            out.append(_item(UNREADABLE_CODE, 1, r.path, "error", 1, r.error))
            continue
        for d in r.diagnostics:
            p = position(d)
            out.append(_item(d.code, p["column"], r.path, d.severity, p["line"], d.message))
    stream.write(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n")


def _item(code, column, file, level, line, message) -> dict:
    return {"code": code, "column": column, "file": file, "level": level, "line": line, "message": message}
