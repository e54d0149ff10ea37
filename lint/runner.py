"""Linting many files for `layerlint check`: read, configure, lint, and judge each file.

The command line builds a `Job` per file and hands the list to `run`; each job gives one
`Outcome` (its `FileResult` for the reporters, and whether it fails the run). Per-file
work lives in `lint_job` so that it can also run in worker processes or be served from a
result cache.
"""

from __future__ import annotations

import copy
import gc
import sys
from collections.abc import Iterator
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
    fix_mode: str | None = None  # "safe" or "unsafe": apply fixes (see layerlint.fix) before linting
    show_diff: bool = False  # with fix_mode: compute the diff, write nothing
    data: bytes | None = None  # stdin's bytes, for fix_mode (the fixed bytes keep their BOM)


@dataclass(slots=True)
class Outcome:
    result: FileResult
    failed: bool
    problems: set[str] = field(default_factory=set)  # tool problems to report once (ShellCheck missing)
    messages: list[str] = field(default_factory=list)  # for stderr (internal errors in a rule)
    fixed: int = 0  # fixes applied (with show_diff: that would be applied)
    unsafe_left: int = 0  # fixes not applied because they are unsafe
    diff: str | None = None  # unified diff of the fixes, when they change the file
    output: bytes | None = None  # stdin with fix_mode: the fixed text, for stdout


def lint_job(job: Job) -> Outcome:
    from .discover import read_source

    if job.read_error is not None:
        return Outcome(FileResult(job.name, error=job.read_error), True)
    text = job.text
    fixing, crash = None, None
    if job.fix_mode is not None and (job.path is not None or job.data is not None):
        from .fix import fix_file

        try:
            fixing = fix_file(job.path, job.name, job.config, data=job.data, unsafe=job.fix_mode == "unsafe",
                              write=not job.show_diff)
        except Exception as e:  # a bug must not hide the file's findings: it is linted unfixed
            crash = f"layerlint: {job.name}: internal error while fixing: {type(e).__name__}: {e} (please report it)"
        else:
            if fixing.error is not None:
                return Outcome(FileResult(job.name, error=fixing.error), True)
            text = fixing.original if job.show_diff else fixing.text  # the report describes the file as it is
    if text is None:
        src = read_source(job.path)
        if src.error is not None:
            return Outcome(FileResult(job.name, error=src.error), True)
        text = src.text
    outcome = _lint_text(text, job.name, job.config)
    if crash is not None:
        outcome.messages.insert(0, crash)
    if fixing is not None:
        outcome.messages[:0] = fixing.messages
        outcome.fixed, outcome.unsafe_left, outcome.diff = fixing.applied, fixing.unsafe_left, fixing.diff
    if job.fix_mode is not None and job.path is None and job.data is not None and not job.show_diff:
        outcome.output = fixing.data if fixing is not None else job.data  # stdin --fix: the text for stdout
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
                for code, error in res.rule_errors] + [f"layerlint: {name}: {note}" for note in res.notes]
    return Outcome(FileResult(name, res.diagnostics, report_lines(res.dockerfile.lines, res.diagnostics)),
                   unparsable or bool(res.rule_errors), problems, messages)


def report_lines(lines: list[str], diagnostics) -> list[str]:
    """The file's lines as reports read them: each line a finding or its fix covers, and "" for
    the others (the list keeps its length). A corpus run held 6 MB of lines no report shows,
    in the main process and in every cache entry."""
    needed: set[int] = set()
    for d in diagnostics:
        for (sl, _), (el, _) in (d.range, *(e.range for e in d.fix.edits)) if d.fix else (d.range,):
            needed.update(range(sl, el + 1))
    return [line if n in needed else "" for n, line in enumerate(lines)]


def run(jobs: list[Job], workers: int = 1, cache=None, progress=None) -> list[Outcome]:
    """Lint every job; outcomes in the order of `jobs` (see `run_in_order`)."""
    return list(run_in_order(jobs, workers, cache, progress))


def run_in_order(jobs: list[Job], workers: int = 1, cache=None, progress=None) -> Iterator[Outcome]:
    """Lint every job, yielding outcomes in the order of `jobs`, each as soon as it and those
    before it are done (a report can then be written, and its results dropped, as it goes).

    `cache` (a `ResultCache`) serves files whose bytes, configuration and looked-at inputs are
    unchanged; the others are linted in `workers` processes (in this process when there are
    few). `progress(done, total)` is called as files finish.
    """
    ready: dict[int, Outcome] = {}
    keys: dict[int, str] = {}
    todo: list[int] = []
    for i, job in enumerate(jobs):
        cached = _from_cache(job, cache, keys, i)
        if cached is not None:
            ready[i] = cached
        else:
            todo.append(i)
    done = len(jobs) - len(todo)
    if progress is not None:
        progress(done, len(jobs))
    following = 0  # the next outcome to yield
    while following in ready:
        yield ready.pop(following)
        following += 1
    for i, (outcome, looked_at) in _lint_all([jobs[i] for i in todo], todo, workers):
        for message in outcome.messages:
            print(message, file=sys.stderr)
        if cache is not None and i in keys and not (outcome.problems or outcome.messages or outcome.result.error):
            cache.put(keys[i], outcome.result, outcome.failed, looked_at)
        done += 1
        if progress is not None:
            progress(done, len(jobs))
        ready[i] = outcome
        while following in ready:
            yield ready.pop(following)
            following += 1


def _from_cache(job: Job, cache, keys: dict[int, str], index: int) -> Outcome | None:
    if cache is None or job.path is None or job.read_error is not None or getattr(job, "fix_mode", None):
        return None
    try:
        with open(job.path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None  # lint_job reports it
    keys[index] = key = cache.key(job.name, data, job.config)
    hit = cache.get(key)
    if hit is None:
        return None
    result, failed = hit
    limit = SEVERITY_RANK[job.threshold]  # the threshold may differ from the run that filled the cache
    failed = failed or any(SEVERITY_RANK[d.severity] >= max(limit, 1) for d in result.diagnostics)
    return Outcome(result, failed)


def _lint_recording(job: Job) -> tuple[Outcome, dict[str, str]]:
    from . import inputs

    with inputs.recording() as looked_at:
        outcome = lint_job(job)
    return outcome, looked_at


# Below this many files a process pool costs more than it saves (start-up, pickling).
_MIN_FILES_PER_WORKER = 8


def _lint_all(jobs: list[Job], indexes: list[int], workers: int):
    """(index, (outcome, looked-at inputs)) for each job, as they finish (in order when serial)."""
    workers = min(workers, len(jobs) // _MIN_FILES_PER_WORKER)
    if workers <= 1:
        for i, job in zip(indexes, jobs):
            yield i, _lint_recording(job)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from .parser import parse
    from .rule import all_rules

    all_rules()  # imported once here, before the fork, instead of once per worker
    parse("FROM scratch\n")
    # what exists now (modules, rules, grammar) is never collected in the workers: without this
    # their collector writes to every object's header and each worker copies the pages it shares
    gc.collect()
    gc.freeze()

    # fork shares the already imported rules and parsed grammar with the workers (Linux);
    # elsewhere the platform's default start method is used
    context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_lint_recording, job): i for i, job in zip(indexes, jobs)}
        for future in as_completed(futures):
            # popped: a finished future holds its outcome, which the caller may be done with
            yield futures.pop(future), future.result()
