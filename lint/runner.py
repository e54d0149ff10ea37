"""Linting many files for `layerlint check`: read, configure, lint, and judge each file.

The command line builds a `Job` per file and hands the list to `run`; each job gives one
`Outcome` (its `FileResult` for the reporters, and whether it fails the run). Per-file
work lives in `lint_job` so that it can also run in worker processes or be served from a
result cache.
"""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass, field

from .config import Config
from .reporters import FileResult
from .rule import SEVERITY_RANK

# issue kinds for which BuildKit's parser itself fails: the file "cannot be parsed"
PARSER_ERRORS = ("syntax", "directive")


@dataclass(slots=True)
class Job:
    name: str  # the path reported (the --stdin-filename for stdin)
    path: str | None  # the file to read; None when `text` is given (stdin)
    config: Config
    threshold: str  # failure threshold for this file
    text: str | None = None
    read_error: str | None = None


@dataclass(slots=True)
class Outcome:
    result: FileResult
    failed: bool
    problems: set[str] = field(default_factory=set)  # tool problems to report once (ShellCheck missing)
    messages: list[str] = field(default_factory=list)  # for stderr (internal errors in a rule)


def lint_job(job: Job) -> Outcome:
    from .discover import read_source

    if job.read_error is not None:
        return Outcome(FileResult(job.name, error=job.read_error), True)
    text = job.text
    if text is None:
        src = read_source(job.path)
        if src.error is not None:
            return Outcome(FileResult(job.name, error=src.error), True)
        text = src.text
    outcome = _lint_text(text, job.name, job.config)
    limit = SEVERITY_RANK[job.threshold]
    if any(SEVERITY_RANK[d.severity] >= max(limit, 1) for d in outcome.result.diagnostics):
        outcome.failed = True
    return outcome


def _lint_text(text: str, name: str, config: Config) -> Outcome:
    from .engine import lint_text

    problems: set[str] = set()
    path = None if name == "-" else name
    try:
        try:
            res = lint_text(text, path=path, config=config)
        except Exception as e:
            from .shellcheck import ShellCheckUnavailable

            if not isinstance(e, ShellCheckUnavailable):
                raise
            problems.add(str(e))  # reported once; the other rules still run
            config = copy.copy(config)
            config.shellcheck = False
            res = lint_text(text, path=path, config=config)
    except Exception as e:  # a bug must not hide the other files' results
        return Outcome(FileResult(name, error=f"internal error while linting: {type(e).__name__}: {e}"), True,
                       problems)
    unparsable = any(i.kind in PARSER_ERRORS for i in res.dockerfile.all_issues)
    messages = [f"layerlint: internal error in rule {code} on {name}: {error} (please report it)"
                for code, error in res.rule_errors]
    return Outcome(FileResult(name, res.diagnostics, res.dockerfile.lines), unparsable or bool(res.rule_errors),
                   problems, messages)


def run(jobs: list[Job]) -> list[Outcome]:
    """Lint every job, in order."""
    outcomes = []
    for job in jobs:
        outcome = lint_job(job)
        for message in outcome.messages:
            print(message, file=sys.stderr)
        outcomes.append(outcome)
    return outcomes
