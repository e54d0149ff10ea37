#!/usr/bin/env python3
"""Parse and lint throughput, and the cold start of `layerlint check`.

    python benchmarks/bench_parse.py [DIR] [--rounds N] [--runs N] [--json]

DIR defaults to ../shared/corpus/dockerfiles beside the repository, else examples/.
Use the interpreter that has layerlint installed (`make bench` uses .venv/bin/python).
See benchmarks/README.md for what is measured and how to read the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "dockerfiles"
FALLBACK = ROOT / "examples"

PARSE_TARGET_MBS = 3.0  # parse throughput, MB/s, at least
COLD_START_TARGET_MS = 80.0  # `layerlint check` on one small file, ms, at most
SMALL_DOCKERFILE = "FROM debian:12-slim\nRUN echo hello\nCMD [\"bash\"]\n"

try:
    import layerlint
except ImportError:
    sys.exit(f"layerlint is not importable from {sys.executable}; run `make venv` and use "
             f".venv/bin/python (or `make bench`)")


def find_dockerfiles(directory: Path) -> list[Path]:
    """Files whose name contains "dockerfile" or "containerfile" (any case), recursively."""
    return sorted(p for p in directory.rglob("*")
                  if p.is_file() and any(k in p.name.lower() for k in ("dockerfile", "containerfile")))


def load(files: list[Path]) -> list[tuple[str, str, int]]:
    """(path, text, size in bytes) for each file, read once."""
    out = []
    for p in files:
        data = p.read_bytes()
        out.append((str(p), data.decode("utf-8", errors="replace"), len(data)))
    return out


def throughput(func, docs: list[tuple[str, str, int]], rounds: int) -> dict:
    """Calls func(text, path) on every document, `rounds` times after one warm-up round.

    The warm-up builds the grammar and imports the rules; a document that raises there is
    counted as failed and left out of the timed rounds.
    """
    ok, failed = [], []
    for doc in docs:
        try:
            func(doc[1], doc[0])
            ok.append(doc)
        except Exception as exc:  # noqa: BLE001 - a benchmark reports, it doesn't stop
            failed.append(f"{doc[0]}: {type(exc).__name__}: {exc}")
    total = sum(size for _, _, size in ok)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for path, text, _ in ok:
            func(text, path)
        times.append(time.perf_counter() - start)
    mbs = [total / t / 1e6 for t in times if t > 0] or [0.0]
    return {
        "files": len(ok),
        "failed": len(failed),
        "failures": failed[:10],
        "bytes": total,
        "rounds": rounds,
        "median_s": statistics.median(times),
        "best_s": min(times),
        "median_mb_s": statistics.median(mbs),
        "best_mb_s": max(mbs),
    }


def wall_times(cmd: list[str], runs: int, cwd: str) -> tuple[list[float], subprocess.CompletedProcess]:
    """Wall time in ms of `runs` runs of cmd, after one untimed warm-up run."""
    env = {**os.environ, "NO_COLOR": "1"}
    last = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, stdin=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        last = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, stdin=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return times, last


def cold_start(runs: int) -> dict:
    script = Path(sys.executable).parent / ("layerlint.exe" if os.name == "nt" else "layerlint")
    if not script.exists():
        return {"error": f"console script not found at {script} (is layerlint installed in this interpreter?)"}
    with tempfile.TemporaryDirectory(prefix="layerlint-bench-") as tmp:
        (Path(tmp) / "Dockerfile").write_text(SMALL_DOCKERFILE)
        cli_ms, proc = wall_times([str(script), "check", "Dockerfile"], runs, tmp)
        if proc.returncode not in (0, 1):
            err = proc.stderr.decode(errors="replace").strip().splitlines()
            return {"error": f"`layerlint check` exited {proc.returncode}: {err[-1] if err else ''}"}
        py_ms, _ = wall_times([sys.executable, "-c", "pass"], runs, tmp)
    return {
        "command": f"{script} check Dockerfile",
        "runs": runs,
        "median_ms": statistics.median(cli_ms),
        "min_ms": min(cli_ms),
        "python_pass_median_ms": statistics.median(py_ms),
        "python_pass_min_ms": min(py_ms),
    }


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def markdown(res: dict) -> str:
    p, l, c, m = res["parse"], res["lint"], res["cold_start"], res["machine"]
    size = f"{p['files']} files, {p['bytes'] / 1e6:.2f} MB"
    rows = [
        "| Measure | Median | Best | Target |",
        "| --- | --- | --- | --- |",
        f"| parse throughput ({size}) | {p['median_mb_s']:.2f} MB/s | {p['best_mb_s']:.2f} MB/s "
        f"| >= {PARSE_TARGET_MBS:g} MB/s ({verdict(p['median_mb_s'] >= PARSE_TARGET_MBS)}) |",
        f"| lint throughput ({l['files']} files, {l['bytes'] / 1e6:.2f} MB) | {l['median_mb_s']:.2f} MB/s "
        f"| {l['best_mb_s']:.2f} MB/s | - |",
    ]
    if "error" in c:
        rows.append(f"| cold start `layerlint check` | n/a | n/a | <= {COLD_START_TARGET_MS:g} ms ({c['error']}) |")
    else:
        rows += [
            f"| cold start `layerlint check` ({c['runs']} runs) | {c['median_ms']:.1f} ms | {c['min_ms']:.1f} ms "
            f"| <= {COLD_START_TARGET_MS:g} ms ({verdict(c['median_ms'] <= COLD_START_TARGET_MS)}) |",
            f"| `python -c pass`, for comparison | {c['python_pass_median_ms']:.1f} ms "
            f"| {c['python_pass_min_ms']:.1f} ms | - |",
        ]
    lines = [
        f"Corpus: {res['corpus']}",
        "",
        *rows,
        "",
        f"Machine: {m['cpus']} CPUs, Python {m['python']} ({m['implementation']}), {m['platform']}; "
        f"throughput over {p['rounds']} rounds after a warm-up.",
    ]
    for name, r in (("parse", p), ("lint", l)):
        if r["failed"]:
            lines.append(f"{name}: {r['failed']} file(s) raised and were left out, e.g. {r['failures'][0]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", type=Path,
                    help=f"directory of Dockerfiles (default: {DEFAULT_CORPUS}, else {FALLBACK})")
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds over all files (default: 5)")
    ap.add_argument("--runs", type=int, default=15, help="timed runs of the CLI cold start (default: 15)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)
    if args.rounds < 1 or args.runs < 1:
        ap.error("--rounds and --runs must be at least 1")

    directory = args.dir
    if directory is None:
        directory = DEFAULT_CORPUS if DEFAULT_CORPUS.is_dir() else FALLBACK
        if directory is FALLBACK:
            print(f"note: {DEFAULT_CORPUS} not found, using {FALLBACK}", file=sys.stderr)
    if not directory.is_dir():
        ap.error(f"not a directory: {directory}")
    docs = load(find_dockerfiles(directory))
    if not docs:
        ap.error(f"no Dockerfiles (names containing 'dockerfile' or 'containerfile') under {directory}")

    res = {
        "corpus": str(directory),
        "parse": throughput(lambda text, path: layerlint.parse(text, path), docs, args.rounds),
        "lint": throughput(lambda text, path: layerlint.lint_text(text, path=path), docs, args.rounds),
        "cold_start": cold_start(args.runs),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "layerlint": layerlint.__version__,
        },
        "targets": {"parse_mb_s_min": PARSE_TARGET_MBS, "cold_start_ms_max": COLD_START_TARGET_MS},
    }
    print(json.dumps(res, indent=2) if args.json else markdown(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
