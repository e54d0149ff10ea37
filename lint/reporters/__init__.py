"""Output formats. A reporter is a module with `report(results, stream, options)`.

Built-in formats are listed in `FORMATS`; third-party packages can add one through
the entry-point group `layerlint.reporters` (name -> module). Each reporter module
is imported only when its format is used, so start-up stays cheap.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field

from ..rule import Diagnostic

FORMATS = {
    "tty": "layerlint.reporters.tty",
    "json": "layerlint.reporters.json",
    "sarif": "layerlint.reporters.sarif",
    "gitlab": "layerlint.reporters.gitlab",
    "checkstyle": "layerlint.reporters.checkstyle",
    "junit": "layerlint.reporters.junit",
    "github": "layerlint.reporters.github",
    "gnu": "layerlint.reporters.gnu",
    "sonarqube": "layerlint.reporters.sonarqube",
    "codeclimate": "layerlint.reporters.codeclimate",
    "hadolint-json": "layerlint.reporters.hadolint_json",
}


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # source lines, for code frames and columns: those a finding or its fix covers; "" for the others
    lines: list[str] = field(default_factory=list)
    error: str | None = None  # the file could not be read or linted


@dataclass
class Options:
    color: bool = False
    show_source: bool = True
    root: str | None = None  # directory report paths are relative to; None: `repository_root()`


def available_formats() -> dict[str, str]:
    formats = dict(FORMATS)
    try:
        from importlib.metadata import entry_points

        for ep in entry_points(group="layerlint.reporters"):
            formats.setdefault(ep.name, ep.value)
    except Exception:  # broken third-party metadata must not break the CLI
        pass
    return formats


def get(name: str):
    target = FORMATS.get(name) or available_formats()[name]
    return importlib.import_module(target)


def position(d: Diagnostic) -> dict:
    """1-based line/column numbers, end exclusive, as every text format reports them."""
    (sl, sc), (el, ec) = d.range
    return {"line": sl + 1, "column": sc + 1, "end_line": el + 1, "end_column": ec + 1}


# -- helpers for the CI formats -------------------------------------------------------------
# A file-level problem (unreadable file, internal error) has no rule; formats that need a rule
# id for it use this one, as the json format does.
UNREADABLE_CODE = "IOERROR"


def repository_root(start: str | None = None) -> str:
    """The git work tree containing `start` (default: the current directory), else `start` itself.

    CI systems (GitHub code scanning, GitLab, SonarQube) match findings to files by paths
    relative to the repository root, whatever directory the linter ran in.
    """
    here = os.path.abspath(start or os.getcwd())
    directory = here
    while True:
        if os.path.exists(os.path.join(directory, ".git")):  # a directory, or a file in a worktree
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return here
        directory = parent


def root_of(options: Options) -> str:
    return options.root or repository_root()


def relative_path(path: str, root: str) -> str:
    """`path` relative to `root` with `/` separators; stdin (`-`) as is; a file outside `root` absolute."""
    if path == "-":
        return path
    absolute = os.path.abspath(path)
    for candidate, base in ((os.path.realpath(absolute), os.path.realpath(root)), (absolute, os.path.abspath(root))):
        rel = os.path.relpath(candidate, base)
        if rel != os.pardir and not rel.startswith(os.pardir + os.sep):
            return rel.replace(os.sep, "/")
    return absolute.replace(os.sep, "/")


def utf16_column(lines: list[str], line: int, column: int) -> int:
    """A 0-based code-point column as a 0-based count of UTF-16 code units (SARIF, GitHub, Java)."""
    if line >= len(lines):
        return column
    prefix = lines[line][:column]
    return column + sum(1 for ch in prefix if ord(ch) > 0xFFFF)  # astral characters take two units


def fingerprints(result: FileResult, path: str) -> list[str]:
    """A stable identity for each finding of `result` (in order), for SARIF, GitLab and Code Climate.

    Built from the rule, the reported `path`, the whitespace-normalised text of the lines the
    finding covers, the flagged text itself, and how many identical findings came before it in
    the file. Line numbers are left out, so adding or removing unrelated lines above a finding
    keeps its fingerprint; editing the flagged instruction changes it.
    """
    import hashlib

    seen: dict[str, int] = {}
    out = []
    for d in result.diagnostics:
        (sl, sc), (el, ec) = d.range
        covered = result.lines[sl:el + 1]
        context = " ".join(" ".join(covered).split())
        flagged = " ".join(_text_in_range(result.lines, d.range).split())
        key = "\0".join((d.code, path, context, flagged))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        out.append(hashlib.sha256(f"{key}\0{occurrence}".encode()).hexdigest()[:32])
    return out


def _text_in_range(lines: list[str], rng) -> str:
    (sl, sc), (el, ec) = rng
    if sl >= len(lines):
        return ""
    if sl == el:
        return lines[sl][sc:ec]
    return "\n".join([lines[sl][sc:], *lines[sl + 1:el], lines[el][:ec] if el < len(lines) else ""])


def write_report(name: str, results: list[FileResult], path: str, options: Options) -> None:
    """Write format `name` to the file `path` atomically: a reader never sees half a report.

    The report goes to a temporary file in the same directory (created if missing), which then
    replaces `path`. Raises OSError when that fails; an existing `path` is then left as it was.
    """
    import tempfile

    reporter = get(name)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:  # "\n" stays "\n" on Windows too
            reporter.report(results, stream, options)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 would hide the report from CI uploaders
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def rule_of(code: str):
    """The registered rule class for `code`, or None (ShellCheck's SCxxxx codes are not rules here)."""
    from ..rule import all_rules

    return all_rules().get(code)


def rule_rationale(rule) -> str:
    """The text under the `## Why is this bad?` heading of a rule's documentation, on one line."""
    doc = rule.documentation()
    start = doc.find("## Why is this bad?")
    if start < 0:
        return rule.summary()
    body = doc[start + len("## Why is this bad?"):]
    end = body.find("\n## ")
    return " ".join((body if end < 0 else body[:end]).split())


def last_character(lines: list[str], rng) -> tuple[int, int]:
    """The 0-based (line, column) of the last character a range covers, for formats whose end is inclusive.

    An empty range gives its start; a range ending at the start of a line ends on the line break before it.
    """
    (sl, sc), (el, ec) = rng
    if (el, ec) <= (sl, sc):
        return sl, sc
    if ec > 0:
        return el, ec - 1
    return el - 1, len(lines[el - 1]) if el - 1 < len(lines) else 0


def xml_attribute(value: str) -> str:
    """`value` as a double-quoted XML attribute; characters XML 1.0 cannot hold become U+FFFD."""
    value = _xml_safe(value)
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("\n", "&#10;"),
                        ("\r", "&#13;"), ("\t", "&#9;")):
        value = value.replace(raw, entity)
    return f'"{value}"'


def xml_text(value: str) -> str:
    value = _xml_safe(value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_safe(value: str) -> str:
    return "".join(ch if ch in "\t\n\r" or "\x20" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd"
                   or ch >= "\U00010000" else "\ufffd" for ch in value)
