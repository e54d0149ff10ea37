"""`--format github`: GitHub Actions workflow commands, shown as annotations on the run and the diff.

`::error`, `::warning` or `::notice` (info and style) per finding, with the file relative to
the repository root, `line`/`endLine`, `col`/`endColumn` (1-based, UTF-16 units as in SARIF,
end exclusive; left out when a finding spans several lines, which GitHub cannot show), and
`title=layerlint (CODE)`. Values are escaped as actions/toolkit does: `%`, CR and LF in the
message, and also `:` and `,` in properties. GitHub shows at most 10 error and 10 warning
annotations per step; use SARIF (code scanning) for the full list.
"""

from __future__ import annotations

from . import UNREADABLE_CODE, relative_path, root_of, utf16_column

COMMANDS = {"error": "error", "warning": "warning", "info": "notice", "style": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict, message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}"


def report(results, stream, options) -> None:
    root = root_of(options)
    for r in results:
        path = relative_path(r.path, root)
        if r.error is not None:
            stream.write(command("error", {"file": path, "title": f"layerlint ({UNREADABLE_CODE})"}, r.error) + "\n")
            continue
        for d in r.diagnostics:
            (sl, sc), (el, ec) = d.range
            props: dict = {"file": path, "line": sl + 1, "endLine": el + 1}
            if sl == el:
                props["col"] = utf16_column(r.lines, sl, sc) + 1
                props["endColumn"] = utf16_column(r.lines, el, ec) + 1
            props["title"] = f"layerlint ({d.code})"
            stream.write(command(COMMANDS.get(d.severity, "warning"), props, d.message) + "\n")
