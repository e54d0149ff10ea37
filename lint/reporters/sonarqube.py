"""`--format sonarqube`: SonarQube's generic external issue format (`sonar.externalIssuesReportPaths`).

The current format, introduced in SonarQube 10.3 and documented for SonarQube Server and
Cloud since: a `rules` array and an `issues` array. Each rule that has an issue in this run
is listed once with `engineId` "layerlint", its name, the "Why is this bad?" text as
description, a clean-code attribute and one impact:

- software quality: SECURITY for security and USER rules, RELIABILITY for rules whose default
  severity is error, MAINTAINABILITY otherwise;
- impact severity from the highest severity the rule has in this run: error -> HIGH,
  warning -> MEDIUM, info and style -> LOW.

Issues have `ruleId` and a `primaryLocation` with the file relative to the repository root and
a `textRange`: 1-based lines, 0-based columns in UTF-16 units (SonarQube counts Java chars), end
exclusive. SonarQube rejects empty or out-of-line ranges, so an empty range is widened to the
character it points at, and a range that still cannot be expressed falls back to its line.
Files that could not be read are left out: SonarQube can only attach an issue to a file it has
indexed.
"""

from __future__ import annotations

import json

from . import relative_path, root_of, rule_of, rule_rationale, utf16_column
from ..rule import SEVERITY_RANK

ENGINE = "layerlint"
IMPACTS = {"error": "HIGH", "warning": "MEDIUM", "info": "LOW", "style": "LOW"}


def report(results, stream, options) -> None:
    root = root_of(options)
    issues = []
    worst: dict[str, str] = {}  # code -> highest severity in this run
    names: dict[str, str] = {}
    for r in results:
        if r.error is not None:
            continue
        path = relative_path(r.path, root)
        for d in r.diagnostics:
            if d.code not in worst or SEVERITY_RANK[d.severity] > SEVERITY_RANK[worst[d.code]]:
                worst[d.code] = d.severity
            names.setdefault(d.code, d.name)
            issues.append({"ruleId": d.code,
                           "primaryLocation": {"message": d.message, "filePath": path,
                                               "textRange": text_range(r.lines, d.range)}})
    rules = [_rule(code, names[code], worst[code]) for code in sorted(worst)]
    json.dump({"rules": rules, "issues": issues}, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def text_range(lines: list[str], rng) -> dict:
    (sl, sc), (el, ec) = rng
    whole_line = {"startLine": sl + 1}
    if sl >= len(lines) or el >= len(lines):
        return whole_line if sl < len(lines) else {"startLine": max(len(lines), 1)}
    start, end = utf16_column(lines, sl, sc), utf16_column(lines, el, ec)
    if (el, end) <= (sl, start):  # empty: take the character under it, if there is one
        if sc >= len(lines[sl]):
            return whole_line
        el, end = sl, utf16_column(lines, sl, sc + 1)
    if end > utf16_column(lines, el, len(lines[el])):
        return whole_line
    return {"startLine": sl + 1, "startColumn": start, "endLine": el + 1, "endColumn": end}


def _rule(code: str, name: str, severity: str) -> dict:
    rule = rule_of(code)
    groups = rule.groups if rule is not None else ()
    if "security" in groups or "user" in groups:
        quality = "SECURITY"
    elif rule is not None and rule.severity == "error":
        quality = "RELIABILITY"
    else:
        quality = "MAINTAINABILITY"
    description = rule_rationale(rule) if rule is not None else f"ShellCheck {code}"
    return {"id": code, "name": name, "description": description, "engineId": ENGINE,
            "cleanCodeAttribute": _attribute(groups),
            "impacts": [{"softwareQuality": quality, "severity": IMPACTS.get(severity, "MEDIUM")}]}


def _attribute(groups) -> str:
    if "security" in groups or "user" in groups:
        return "TRUSTWORTHY"
    if "cache" in groups:
        return "EFFICIENT"
    if "style" in groups:
        return "CONVENTIONAL"
    return "LOGICAL"
