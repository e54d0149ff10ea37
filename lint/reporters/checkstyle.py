"""`--format checkstyle`: Checkstyle XML, read by Jenkins Warnings NG, reviewdog, Danger and others.

One `<file>` per linted file (clean files too, as Checkstyle itself writes them), holding one
`<error>` per finding with its 1-based `line` and `column`, `severity` (Checkstyle's levels:
style findings are `info`), `message` and `source` (the rule code). Paths are as given on the
command line. A file that could not be read gets an `error` with source `IOERROR` at line 1.
"""

from __future__ import annotations

from . import UNREADABLE_CODE, position, xml_attribute

SEVERITIES = {"error": "error", "warning": "warning", "info": "info", "style": "info"}


def report(results, stream, options) -> None:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<checkstyle version="4.3">']
    for r in results:
        out.append(f"  <file name={xml_attribute(r.path)}>")
        if r.error is not None:
            out.append(f'    <error line="1" severity="error" message={xml_attribute(r.error)} '
                       f'source="{UNREADABLE_CODE}"/>')
        for d in r.diagnostics:
            p = position(d)
            out.append(f'    <error line="{p["line"]}" column="{p["column"]}" '
                       f'severity="{SEVERITIES.get(d.severity, "warning")}" message={xml_attribute(d.message)} '
                       f"source={xml_attribute(d.code)}/>")
        out.append("  </file>")
    out.append("</checkstyle>")
    stream.write("\n".join(out) + "\n")
