"""`--format sarif`: SARIF 2.1.0, one run, as GitHub code scanning and SARIF viewers read it.

- `tool.driver.rules` lists every rule with a result in this run (id, name, short and full
  description, help text and Markdown, helpUri, default level, group tags; security rules
  also get a `security-severity`); each result points at its rule by `ruleId` and `ruleIndex`.
- File URIs are relative to the repository root (the git work tree around the current
  directory, else the current directory) with `uriBaseId` `%SRCROOT%`, which
  `originalUriBaseIds` resolves to that root.
- Regions are 1-based with an exclusive end column. Columns count UTF-16 code units, the
  SARIF default, which `columnKind` also states: they differ from characters only after an
  astral character such as an emoji, and match what GitHub (JavaScript) highlights.
- `partialFingerprints.primaryLocationLineHash`, the one key GitHub reads, holds layerlint's
  own stable hash (see `fingerprints`): GitHub uses a value that is present as it is, so
  alerts survive lines being added above them also when uploaded through the REST API.
- A finding with a fix carries it as `fixes` (artifact changes with replacements).
- A file that could not be read or linted is a `toolExecutionNotification` of the invocation,
  which then is not `executionSuccessful`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from . import fingerprints, relative_path, root_of, rule_of, rule_rationale, utf16_column

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
INFORMATION_URI = "https://layerlint.dev"
LEVELS = {"error": "error", "warning": "warning", "info": "note", "style": "note"}
# GitHub's scale: 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.5", "info": "3.0", "style": "1.0"}
GITHUB_TEXT_LIMIT = 1024  # GitHub's limit for short and full descriptions


def report(results, stream, options) -> None:
    json.dump(sarif_log(results, options), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def sarif_log(results, options) -> dict:
    from .. import __version__

    root = root_of(options)
    codes = sorted({d.code for r in results for d in r.diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    out = []
    notifications = []
    for r in results:
        uri = _artifact(relative_path(r.path, root))
        if r.error is not None:
            notifications.append({"level": "error", "message": {"text": f"{r.path}: {r.error}"},
                                  "locations": [{"physicalLocation": {"artifactLocation": uri}}]})
            continue
        for d, fingerprint in zip(r.diagnostics, fingerprints(r, relative_path(r.path, root))):
            result = {"ruleId": d.code, "ruleIndex": index[d.code], "level": LEVELS.get(d.severity, "warning"),
                      "message": {"text": d.message},
                      "locations": [{"physicalLocation": {"artifactLocation": uri,
                                                          "region": _region(r.lines, d.range)}}],
                      "partialFingerprints": {"primaryLocationLineHash": fingerprint}}
            if d.fix is not None:
                result["fixes"] = [_fix(d.fix, uri, r.lines)]
            out.append(result)
    driver = {"name": "layerlint", "version": __version__, "semanticVersion": __version__,
              "informationUri": INFORMATION_URI, "rules": [_descriptor(code, results) for code in codes]}
    invocation = {"executionSuccessful": not notifications, "toolExecutionNotifications": notifications,
                  "workingDirectory": {"uri": _directory_uri(".")}}
    run = {"tool": {"driver": driver}, "invocations": [invocation],
           "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(root)}},
           "columnKind": "utf16CodeUnits", "results": out}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def _artifact(path: str) -> dict:
    if os.path.isabs(path):  # outside the repository: an absolute file URI, no base
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": SRCROOT}


def _directory_uri(path: str) -> str:
    uri = Path(os.path.abspath(path)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _region(lines, rng) -> dict:
    (sl, sc), (el, ec) = rng
    return {"startLine": sl + 1, "startColumn": utf16_column(lines, sl, sc) + 1,
            "endLine": el + 1, "endColumn": utf16_column(lines, el, ec) + 1}


def _fix(fix, uri, lines) -> dict:
    replacements = [{"deletedRegion": _region(lines, e.range), "insertedContent": {"text": e.new_text}}
                    for e in fix.edits]
    title = fix.title or "Apply the fix"
    description = title if fix.safe else f"{title} (unsafe: it may change what the build does)"
    return {"description": {"text": description},
            "artifactChanges": [{"artifactLocation": uri, "replacements": replacements}]}


def _descriptor(code: str, results) -> dict:
    rule = rule_of(code)
    if rule is None:  # ShellCheck's codes: describe them from the finding itself
        d = next(d for r in results for d in r.diagnostics if d.code == code)
        text = f"ShellCheck {code}"
        return {"id": code, "name": d.name, "shortDescription": {"text": text},
                "fullDescription": {"text": f"{text}; see {d.url}" if d.url else text},
                "help": {"text": f"See {d.url}" if d.url else text}, **({"helpUri": d.url} if d.url else {}),
                "defaultConfiguration": {"level": "warning"}, "properties": {"tags": ["shellcheck"]}}
    documentation = rule.documentation()
    properties: dict = {"tags": list(rule.groups)}
    if "security" in rule.groups:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    return {"id": code, "name": rule.name,
            "shortDescription": {"text": _limit(rule.summary())},
            "fullDescription": {"text": _limit(rule_rationale(rule))},
            "help": {"text": documentation, "markdown": documentation},
            "helpUri": rule.url,
            "defaultConfiguration": {"enabled": rule.enabled_by_default, "level": LEVELS[rule.severity]},
            "properties": properties}


def _limit(text: str) -> str:
    return text if len(text) <= GITHUB_TEXT_LIMIT else text[:GITHUB_TEXT_LIMIT - 3] + "..."
