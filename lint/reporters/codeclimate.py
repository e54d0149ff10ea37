"""`--format codeclimate`: issues as the Code Climate engine specification defines them.

Each issue is one JSON object terminated by a NUL character (then a newline), as the spec
asks of engines (`codeclimate/platform`, SPEC.md). The `gitlab` format puts the same
objects in one JSON array.

- `check_name` is the rule code; `description` is one line, "CODE: message".
- `categories` come from the rule's groups: security and user rules are "Security", cache
  rules "Performance", style rules "Style", everything else "Bug Risk".
- `location.positions` are 1-based lines and columns (characters); as in the spec, `end` is
  the last character of the finding (inclusive).
- `severity`: error -> blocker, warning -> major, info -> minor, style -> info.
- `fingerprint` stays the same when unrelated lines are added or removed (see `fingerprints`).
- `content.body` (Markdown): why the rule matters, and a link to its documentation.
- A file that could not be read is an issue `IOERROR` at line 1.

Unlike a Code Climate engine, `layerlint check` keeps its exit code (1 on findings), so the
same run can gate CI.
"""

from __future__ import annotations

import hashlib
import json

from . import UNREADABLE_CODE, fingerprints, last_character, relative_path, root_of, rule_of, rule_rationale

SEVERITIES = {"error": "blocker", "warning": "major", "info": "minor", "style": "info"}
CATEGORIES = {"security": "Security", "user": "Security", "cache": "Performance", "style": "Style"}


def report(results, stream, options) -> None:
    for issue in issues(results, options):
        stream.write(json.dumps(issue, ensure_ascii=False))
        stream.write("\0\n")


def issues(results, options) -> list[dict]:
    root = root_of(options)
    out = []
    for r in results:
        path = relative_path(r.path, root)
        if r.error is not None:
            out.append({"type": "issue", "check_name": UNREADABLE_CODE,
                        "description": _one_line(f"{UNREADABLE_CODE}: {r.error}"), "categories": ["Bug Risk"],
                        "location": {"path": path, "lines": {"begin": 1, "end": 1}}, "severity": "blocker",
                        "fingerprint": hashlib.sha256(f"{UNREADABLE_CODE}\0{path}".encode()).hexdigest()[:32]})
            continue
        for d, fingerprint in zip(r.diagnostics, fingerprints(r, path)):
            (sl, sc), _ = d.range
            last_line, last_column = last_character(r.lines, d.range)
            issue = {"type": "issue", "check_name": d.code, "description": _one_line(f"{d.code}: {d.message}"),
                     "categories": _categories(d.code),
                     "location": {"path": path,
                                  "positions": {"begin": {"line": sl + 1, "column": sc + 1},
                                                "end": {"line": last_line + 1, "column": last_column + 1}}},
                     "severity": SEVERITIES.get(d.severity, "major"), "fingerprint": fingerprint}
            body = _content(d)
            if body:
                issue["content"] = {"body": body}
            out.append(issue)
    return out


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _categories(code: str) -> list[str]:
    rule = rule_of(code)
    groups = rule.groups if rule is not None else ()
    found = [CATEGORIES[g] for g in groups if g in CATEGORIES]
    return list(dict.fromkeys(found)) or ["Bug Risk"]


def _content(d) -> str:
    rule = rule_of(d.code)
    why = rule_rationale(rule) if rule is not None else ""
    link = f"[{d.code} {d.name}]({d.url})" if d.url else ""
    return "\n\n".join(part for part in (why, link) if part)
