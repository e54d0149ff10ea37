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
    c.add_argument("--format", "-f", default="tty", help="output format: tty (default) or json")
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


def main(argv: list[str] | None = None) -> int:
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
        found = find_config(start)
        key = str(found)
        if key not in cache:
            cache[key] = load(found) if found else Config()
            if args.verbose:
                print(f"layerlint: configuration: {found or 'defaults (no configuration file found)'}",
                      file=sys.stderr)
    base = cache[key]
    if any(k.startswith("HADOLINT_") for k in os.environ):
        from .config import with_hadolint_environment

        base = with_hadolint_environment(base, os.environ)
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

    if args.format not in FORMATS and args.format not in available_formats():
        parser.error(f"unknown format {args.format!r} (choose from {', '.join(available_formats())})")
    paths = args.paths or ["."]
    files, errors = discover(paths)
    cache: dict = {}
    jobs: list[Job] = []
    no_fail = False
    try:
        for path, err in errors:
            jobs.append(Job(path, path, None, "none", read_error=err))
        for path in files:
            name = (args.stdin_filename or "-") if path == "-" else path
            config = _config_for(name, args, cache)
            threshold = args.failure_threshold or config.failure_threshold
            if path == "-":
                src = decode(sys.stdin.buffer.read(), name)
                jobs.append(Job(name, None, config, threshold, text=src.text, read_error=src.error))
            else:
                jobs.append(Job(path, path, config, threshold))
            no_fail |= config.no_fail
    except ConfigError as e:
        print(f"layerlint: configuration error: {e}", file=sys.stderr)
        return 2
    outcomes = run(jobs)
    results = [o.result for o in outcomes]
    failed = any(o.failed for o in outcomes)
    problems = set().union(*(o.problems for o in outcomes)) if outcomes else set()
    no_color = args.no_color or "NO_COLOR" in os.environ
    options = Options(color=not no_color and sys.stdout.isatty(), show_source=not args.no_source)
    get(args.format).report(results, sys.stdout, options)
    sys.stdout.flush()
    for problem in sorted(problems):
        print(f"layerlint: {problem}", file=sys.stderr)
    if problems:
        return 2  # asked for a check that could not run: never pass a CI gate silently
    if args.exit_zero or no_fail:
        return 0
    return 1 if failed else 0


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
