"""The `layerlint` command line: check, parse, rules, rule.

Exit codes: 0 nothing at or above the failure threshold; 1 findings at or above
it, or a file that cannot be read or parsed; 2 usage or configuration error.
Heavy modules (lark, rich, the rules) are imported only when a command needs them.
"""

from __future__ import annotations

import argparse
import os
import sys

THRESHOLD_CHOICES = ("error", "warning", "info", "style", "ignore", "none")


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(prog="layerlint", description="Lint Dockerfiles the way BuildKit reads them.")
    p.add_argument("--version", action="version", version=f"layerlint {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser("check", help="lint Dockerfiles (files, directories, or - for stdin)")
    c.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    # --format and --output share one list so that their order survives parsing: each --output
    # belongs to the --format before it (cmd_check pairs them)
    c.add_argument("--format", "-f", action="append", dest="reports", type=lambda v: ("format", v), metavar="FMT",
                   help="output format: tty (default), json, sarif, gitlab, checkstyle, junit, github, gnu, "
                        "sonarqube, codeclimate, hadolint-json; repeatable, each followed by --output FILE "
                        "or written to stdout (at most one)")
    c.add_argument("--output", "-o", action="append", dest="reports", type=lambda v: ("output", v), metavar="FILE",
                   help="write the report of the --format before it to FILE (atomically) instead of stdout")
    c.add_argument("--config", "-c", metavar="FILE",
                   help="configuration file: .layerlint.toml, pyproject.toml or a hadolint .hadolint.yaml")
    c.add_argument("--select", action="append", metavar="CODES", help="only these rules (codes, names, groups)")
    c.add_argument("--extend-select", action="append", metavar="CODES", help="add rules to the selection")
    c.add_argument("--ignore", action="append", metavar="CODES", help="rules to skip")
    c.add_argument("--failure-threshold", "-t", choices=THRESHOLD_CHOICES,
                   help="lowest severity that makes the exit code 1 (default: info)")
    c.add_argument("--exit-zero", "--no-fail", action="store_true", dest="exit_zero",
                   help="exit 0 even when there are findings")
    c.add_argument("--stdin-filename", metavar="NAME", help="file name to report for input read from stdin")
    c.add_argument("--no-color", action="store_true", help="no colour in tty output (NO_COLOR also works)")
    c.add_argument("--no-source", action="store_true", help="no code frame under findings")
    c.add_argument("--shellcheck", action="store_true",
                   help="also run ShellCheck on RUN instructions (pip install 'layerlint[shellcheck]')")
    c.add_argument("--verbose", "-V", action="store_true", help="say which configuration file applies")
    c.add_argument("--disable-ignore-pragmas", "--disable-ignore-pragma", action="store_true",
                   help="ignore all suppression comments (central CI policy)")
    c.add_argument("--fix", action="store_true",
                   help="apply safe fixes to the files, then report what remains (stdin: print the fixed text)")
    c.add_argument("--diff", action="store_true",
                   help="print the changes --fix would make as a unified diff and write nothing; "
                        "exit 1 when there is something to fix")
    c.add_argument("--unsafe-fixes", action="store_true",
                   help="with --fix or --diff, also apply fixes that may change what the build does")

    c.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="lint in N processes (default: the number of CPUs)")
    c.add_argument("--no-cache", action="store_true", help="lint every file again, ignoring cached results")
    c.add_argument("--cache-dir", metavar="DIR",
                   help="where results are cached (default: $LAYERLINT_CACHE_DIR or ./.layerlint_cache)")
    c.add_argument("--statistics", action="store_true",
                   help="print the number of findings per rule instead of each finding")

    ps = sub.add_parser("parse", help="print the syntax tree of a Dockerfile")
    ps.add_argument("path", metavar="FILE", help="a Dockerfile, or - for stdin")
    ps.add_argument("--format", default="json", choices=("json",))

    ch = sub.add_parser("cache", help="which cached layers a change to the build context rebuilds")
    ch.add_argument("path", metavar="FILE", help="a Dockerfile")
    ch.add_argument("--changed", nargs="+", required=True, metavar="PATH",
                    help="changed files or directories, relative to the build context")
    ch.add_argument("--format", default="tty", choices=("tty", "json"))

    sv = sub.add_parser("server", help="run the language server (LSP over stdio)")
    sv.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    sv.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP port instead (for debugging)")

    rs = sub.add_parser("rules", help="list every rule")
    rs.add_argument("--format", default="tty", choices=("tty", "json"))

    r = sub.add_parser("rule", help="print a rule's documentation")
    r.add_argument("code", help="rule code, name or BuildKit check name")
    return p


def tune_gc() -> None:
    """Collect young objects every 100,000 allocations instead of 700: a lint allocates many
    small objects that live as long as the file's tree, and the default spends a third of a
    large file's time in the collector (measured on a 10,000-line file: 5.7 s -> 3.9 s)."""
    import gc

    gc.set_threshold(100_000, 50, 50)


def entry() -> None:
    """The `layerlint` command: `main`, then out of the process without tearing the interpreter
    down. Freeing every object at exit took ~15 ms of a ~100 ms single-file check; what has to
    outlive the process (reports, fixed files, cache entries) is written and closed by then, and
    the standard streams are flushed here. (`main` itself returns: tests call it in process.)"""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away (`| head`), the server closed stdout
            pass
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    tune_gc()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return cmd_check(args, parser)
        if args.command == "parse":
            return cmd_parse(args)
        if args.command == "cache":
            return cmd_cache(args)
        if args.command == "server":
            from .server import main as serve

            return serve(args.tcp)
        if args.command == "rules":
            return cmd_rules(args)
        if args.command == "rule":
            return cmd_rule(args)
        parser.print_help()
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


# -- check -------------------------------------------------------------------------------
def _config_for(path: str, args, cache: dict):
    from .config import Config, ConfigError, find_config, load

    if args.config:
        key = ("explicit",)
        if key not in cache:
            cache[key] = load(args.config)
    else:
        start = os.path.dirname(os.path.abspath(path)) if path != "-" else os.getcwd()
        if ("dir", start) not in cache:  # files of one directory share the lookup
            cache[("dir", start)] = find_config(start)
        found = cache[("dir", start)]
        key = str(found)
        if key not in cache:
            cache[key] = load(found) if found else Config()
            if args.verbose:
                print(f"layerlint: configuration: {found or 'defaults (no configuration file found)'}",
                      file=sys.stderr)
    base = cache[key]
    if ("hadolint-env",) not in cache:
        cache[("hadolint-env",)] = any(k.startswith("HADOLINT_") for k in os.environ)
    if cache[("hadolint-env",)]:
        from .config import with_hadolint_environment

        if ("env", key) not in cache:  # one Config per configuration file, not per Dockerfile
            cache[("env", key)] = with_hadolint_environment(base, os.environ)
        base = cache[("env", key)]
    if not (args.select or args.extend_select or args.ignore or args.disable_ignore_pragmas or args.shellcheck):
        return base
    import copy

    cfg = copy.copy(base)
    try:
        from .config import _check_refs

        cli = "command line"
        if args.select:
            cfg.select = _check_refs(cli, "--select", _split(args.select))
        cfg.extend_select = list(base.extend_select) + _check_refs(cli, "--extend-select", _split(args.extend_select))
        cfg.ignore = list(base.ignore) + _check_refs(cli, "--ignore", _split(args.ignore))
    except ConfigError as e:
        raise ConfigError(str(e).replace("command line: ", "")) from None
    cfg.disable_ignore_pragmas = base.disable_ignore_pragmas or args.disable_ignore_pragmas
    cfg.shellcheck = base.shellcheck or args.shellcheck
    return cfg


def cmd_check(args, parser) -> int:
    from .config import ConfigError
    from .discover import decode, discover
    from .reporters import FORMATS, Options, available_formats, get
    from .runner import Job, run

    reports: list[list] = []  # [format, output file or None for stdout], in command-line order
    for kind, value in args.reports or []:
        if kind == "format":
            if value not in FORMATS and value not in available_formats():
                parser.error(f"unknown format {value!r} (choose from {', '.join(available_formats())})")
            reports.append([value, None])
        elif reports and reports[-1][1] is None:
            reports[-1][1] = value
        elif reports:
            parser.error(f"two --output files for one --format {reports[-1][0] or 'tty'}: "
                         f"repeat --format FMT before each --output FILE")
        else:
            reports.append([None, value])  # before any --format: the default format's file
    if len(reports) > 1 and reports[0][0] is None:
        parser.error(f"--output {reports[0][1]} comes before any --format: write --format FMT --output FILE")
    on_stdout = [f for f, output in reports if output is None]
    if len(on_stdout) > 1:
        parser.error(f"only one format can go to stdout ({', '.join(on_stdout)}): give the others --output FILE")
    outputs = [os.path.abspath(output) for _, output in reports if output is not None]
    if len(set(outputs)) != len(outputs):
        parser.error("two --format reports would be written to the same --output file")
    args.reports = [(f or "tty", output) for f, output in reports] or [("tty", None)]
    paths = args.paths or ["."]
    files, errors = discover(paths)
    cache: dict = {}
    jobs: list[Job] = []
    no_fail = False
    config_errors: list[str] = []  # a broken configuration skips its files; the others are linted
    for path, err in errors:
        jobs.append(Job(path, path, None, "none", read_error=err))
    for path in files:
        name = (args.stdin_filename or "-") if path == "-" else path
        try:
            config = _config_for(name, args, cache)
        except ConfigError as e:
            if str(e) not in config_errors:
                config_errors.append(str(e))
            continue
        threshold = args.failure_threshold or config.failure_threshold
        fixing = dict(fix_mode=("unsafe" if args.unsafe_fixes else "safe") if args.fix or args.diff else None,
                      show_diff=args.diff)
        if path == "-":
            data = sys.stdin.buffer.read()
            src = decode(data, name)
            jobs.append(Job(name, None, config, threshold, text=src.text, read_error=src.error,
                            data=data if fixing["fix_mode"] else None, **fixing))
        else:
            jobs.append(Job(path, path, config, threshold, **fixing))
        no_fail |= config.no_fail
    for message in config_errors:
        print(f"layerlint: configuration error: {message}", file=sys.stderr)
    if config_errors and not jobs:
        return 2
    no_color = args.no_color or "NO_COLOR" in os.environ
    from .reporters import repository_root, write_report

    root = repository_root()  # CI formats report paths relative to it
    if args.reports == [("tty", None)] and not (args.statistics or args.fix or args.diff):
        # the default report is written file by file as the files are linted, and what is
        # written is not kept: memory stays flat however many files a run has
        return _check_streaming(args, jobs, root, no_color, config_errors, no_fail)
    outcomes = run(jobs, _workers(args), _result_cache(args), _progress_bar(len(jobs)))
    results = [o.result for o in outcomes]
    failed = any(o.failed for o in outcomes)
    problems = set().union(*(o.problems for o in outcomes)) if outcomes else set()
    # stdout belongs to the diff (--diff) or to the fixed text (--fix on stdin), as in ruff
    stdout_taken = args.diff or (args.fix and any(job.path is None for job in jobs))
    for fmt, output in args.reports:
        if output is None:
            if args.statistics:
                _print_statistics(results, sys.stdout)
            elif not stdout_taken:
                options = Options(color=not no_color and sys.stdout.isatty(), show_source=not args.no_source,
                                  root=root)
                get(fmt).report(results, sys.stdout, options)
            continue
        try:
            write_report(fmt, results, output, Options(show_source=not args.no_source, root=root))
        except OSError as e:  # the other reports are still written; the run then exits 2 (below)
            problems.add(f"cannot write the {fmt} report to {output}: {e.strerror or e}")
    sys.stdout.flush()
    if args.fix or args.diff:  # diffs (or stdin's fixed text) to stdout, a summary to stderr
        from .fix import report_fixes

        changes = report_fixes(outcomes, sys.stdout, sys.stderr, diff=args.diff, unsafe=args.unsafe_fixes)
        if args.diff and not problems and not config_errors:  # as ruff: 1 when there is something to fix
            something = changes or any(o.result.error for o in outcomes)
            return 1 if something and not (args.exit_zero or no_fail) else 0
    return _exit_code(args, problems, config_errors, no_fail, failed)


def _exit_code(args, problems: set[str], config_errors, no_fail: bool, failed: bool) -> int:
    for problem in sorted(problems):
        print(f"layerlint: {problem}", file=sys.stderr)
    if problems or config_errors:
        return 2  # a check asked for could not run, or files were skipped: never pass a CI gate silently
    if args.exit_zero or no_fail:
        return 0
    return 1 if failed else 0


def _check_streaming(args, jobs, root, no_color: bool, config_errors, no_fail: bool) -> int:
    from .reporters import Options, get
    from .runner import run_in_order

    seen = {"failed": False, "problems": set()}

    def results():
        # a terminal showing the findings as they come needs no progress bar under them
        progress = None if sys.stdout.isatty() else _progress_bar(len(jobs))
        for outcome in run_in_order(jobs, _workers(args), _result_cache(args), progress):
            seen["failed"] |= outcome.failed
            seen["problems"] |= outcome.problems
            yield outcome.result

    options = Options(color=not no_color and sys.stdout.isatty(), show_source=not args.no_source, root=root)
    get("tty").report(results(), sys.stdout, options)
    sys.stdout.flush()
    return _exit_code(args, seen["problems"], config_errors, no_fail, seen["failed"])


def _print_statistics(results, stream) -> None:
    """`--statistics`: findings per rule, most frequent first (`*`: a safe fix is available)."""
    import collections

    counts: collections.Counter = collections.Counter()
    names: dict[str, str] = {}
    fixable: set[str] = set()
    for r in results:
        if r.error is not None:
            counts["IOERROR"] += 1
            names["IOERROR"] = "unreadable-file"
        for d in r.diagnostics:
            counts[d.code] += 1
            names[d.code] = d.name
            if d.fix is not None and d.fix.safe:
                fixable.add(d.code)
    width = len(str(max(counts.values(), default=0)))
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = "*" if code in fixable else " "
        stream.write(f"{n:>{width}}  {code:<8} {mark} {names[code]}\n")


def _workers(args) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise SystemExit("layerlint: --jobs must be at least 1")
    return args.jobs or os.cpu_count() or 1


def _result_cache(args):
    if args.no_cache:
        return None
    from .result_cache import DEFAULT_DIR, ResultCache

    return ResultCache(args.cache_dir or os.environ.get("LAYERLINT_CACHE_DIR") or DEFAULT_DIR)


def _progress_bar(total: int):
    """A progress bar on stderr for long runs on a terminal; None otherwise."""
    if total < 200 or not sys.stderr.isatty():
        return None
    from rich.progress import Progress

    bar = Progress(transient=True, console=None)
    task = bar.add_task("linting", total=total)
    bar.start()

    def advance(done: int, all_: int) -> None:
        bar.update(task, completed=done)
        if done >= all_:
            bar.stop()

    return advance


# -- parse / rules / rule -------------------------------------------------------------------
def cmd_parse(args) -> int:
    import json

    from .discover import decode, read_source
    from .dump import dockerfile_to_json
    from .parser import parse
    from .runner import PARSER_ERRORS

    if args.path == "-":
        src = decode(sys.stdin.buffer.read(), "-")
    else:
        src = read_source(args.path)
    if src.error is not None:
        print(f"layerlint: {args.path}: {src.error}", file=sys.stderr)
        return 1
    doc = parse(src.text, args.path)
    json.dump(dockerfile_to_json(doc), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 1 if any(i.kind in PARSER_ERRORS for i in doc.all_issues) else 0


def cmd_cache(args) -> int:
    import json

    from .discover import read_source
    from .layers import invalidated
    from .model import build_model
    from .parser import parse

    src = read_source(args.path)
    if src.error is not None:
        print(f"layerlint: {args.path}: {src.error}", file=sys.stderr)
        return 1
    doc = parse(src.text, args.path)
    states = invalidated(doc, build_model(doc), args.changed)
    rebuilt = sum(s.rebuilt for s in states)
    after = _rebuilt_after_reordering(src.text, args.path, args.changed)
    if args.format == "json":
        json.dump({"file": args.path, "changed": args.changed, "rebuilt": rebuilt, "steps": len(states),
                   "rebuilt_after_reordering": after,
                   "layers": [{"line": s.instruction.start_line, "stage": s.stage.label,
                               "instruction": s.instruction.keyword, "rebuilt": s.rebuilt, "reason": s.reason}
                              for s in states]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    for s in states:
        text = s.instruction.original.split("\n")[0]
        text = text if len(text) <= 60 else text[:57] + "..."
        mark = "REBUILT" if s.rebuilt else "cached "
        print(f"{s.instruction.start_line:>4}  {mark}  {text}" + (f"   <- {s.reason}" if s.rebuilt else ""))
    print(f"{rebuilt} of {len(states)} steps rebuilt.")
    if after is not None:
        print(f"After the reordering LL2001 suggests (manifests first, install, then the rest): {after[0]} of "
              f"{after[1]} steps rebuilt.")
    return 0


def _rebuilt_after_reordering(text: str, path: str, changed: list[str]):
    """(rebuilt, steps) once LL2001's reorderings are applied, or None when it suggests none."""
    from .config import _from_table
    from .engine import lint_text
    from .fix import fix_text
    from .layers import invalidated
    from .model import build_model
    from .parser import parse

    config = _from_table("cache", {"select": ["LL2001"]})
    fixed, applied = fix_text(text, lambda t: lint_text(t, path, config).diagnostics, unsafe=True)
    if not applied or fixed == text:
        return None
    doc = parse(fixed, path)
    states = invalidated(doc, build_model(doc), changed)
    return sum(s.rebuilt for s in states), len(states)


def cmd_rules(args) -> int:
    from .rule import all_rules

    rules = all_rules()
    if args.format == "json":
        import json

        json.dump([{"code": c, "name": r.name, "aliases": list(r.aliases), "groups": list(r.groups),
                    "severity": r.severity, "enabled": r.enabled_by_default, "fixable": r.fixable,
                    "summary": r.summary(), "url": r.url} for c, r in rules.items()], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max(len(r.name) for r in rules.values())
    for c, r in rules.items():
        flags = ("fix " if r.fixable != "never" else "    ") + ("" if r.enabled_by_default else "(off) ")
        print(f"{c}  {r.name:<{width}}  {r.severity:<7}  {flags}{r.summary()}")
    return 0


def cmd_rule(args) -> int:
    from .rule import all_rules, resolve

    codes = sorted(resolve(args.code))
    rules = all_rules()
    if len(codes) != 1:
        print(f"layerlint: unknown rule {args.code!r} (see `layerlint rules`)", file=sys.stderr)
        return 2
    r = rules[codes[0]]
    meta = [f"{r.code} {r.name}", f"severity: {r.severity}" + ("" if r.enabled_by_default else " (off by default)"),
            f"groups: {', '.join(r.groups)}", f"fix: {r.fixable}"]
    if r.aliases:
        meta.append(f"aliases: {', '.join(r.aliases)}")
    print("\n".join(meta) + "\n")
    print(r.documentation())
    return 0


if __name__ == "__main__":
    sys.exit(main())
