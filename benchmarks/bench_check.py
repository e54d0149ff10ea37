#!/usr/bin/env python3
"""`layerlint check` over a corpus: the result cache cold vs warm, and -j 1 vs -j N.

    python benchmarks/bench_check.py [DIR] [--rounds N] [--json]

DIR defaults to ../shared/corpus/dockerfiles beside the repository. Every regular file
under it is passed on the command line (the corpus's names do not all match Dockerfile
discovery), in one invocation per run. Each configuration runs `--rounds` times,
interleaved (A, B, C, D, A, B, ...), so that a noisy minute hurts all of them alike:

    cache cold   --cache-dir <a new empty directory>       (lints and writes every entry)
    cache warm   --cache-dir <a directory filled first>     (reads every entry back)
    -j 1         --no-cache -j 1
    -j N         --no-cache -j <CPU count>

The process helpers here (`run_measured`: wall and CPU time, peak memory of the process
tree) are shared with bench_compare.py. Use the interpreter that has layerlint installed
(`.venv/bin/python`); the `layerlint` console script next to it is what runs.
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
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "dockerfiles"
WARM_SPEEDUP_TARGET = 10.0  # issue 6: a warm cache makes the run at least 10x faster
SAMPLE_INTERVAL_S = 0.05  # how often the memory of a running process tree is read

# Python's bytecode is cached for every measured command, as it is in an installed package,
# even where the environment sets PYTHONDONTWRITEBYTECODE (this machine's does): the .pyc
# files go to a directory of their own, not into the source tree.
BYTECODE_ENV = {"PYTHONDONTWRITEBYTECODE": None,
                "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "layerlint-bench-pycache")}


# -- running a command and measuring it -------------------------------------------------------
@dataclass
class Measured:
    wall_s: float
    cpu_s: float | None  # user + system of the process and every child it waited for
    max_rss_mb: float | None  # the largest single process of the tree (getrusage via wait4)
    tree_rss_mb: float | None  # the most the whole tree held at once (sampled sum of RSS)
    tree_pss_mb: float | None  # the same as PSS: pages shared by forked workers counted once
    returncode: int
    last_line: str  # the last line of stdout (layerlint's "Found ... problems" summary)
    output_lines: int
    stderr_tail: str


def _descendants(pid: int) -> list[int]:
    """pid and every process below it, from /proc/<pid>/task/<tid>/children (Linux)."""
    found, i = [pid], 0
    while i < len(found):
        p = found[i]
        i += 1
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    found += [int(c) for c in fh.read().split()]
        except OSError:
            pass  # the process ended meanwhile
    return found


def _rss_pss_kb(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


class TreeMemorySampler(threading.Thread):
    """Reads the summed RSS and PSS of a process tree every SAMPLE_INTERVAL_S; keeps the peaks.

    getrusage gives the peak of the largest single process only; with worker processes
    (or ShellCheck children) what the machine must hold is the sum, sampled here.
    """

    available = os.path.exists("/proc/self/smaps_rollup")

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            rss = pss = 0
            for p in _descendants(self.pid):
                r, s = _rss_pss_kb(p)
                rss, pss = rss + r, pss + s
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self._halt.wait(SAMPLE_INTERVAL_S)

    def finish(self) -> None:
        self._halt.set()
        self.join()


def command_env(overrides: dict[str, str | None] | None = None) -> dict[str, str]:
    """The environment of a measured command: BYTECODE_ENV, then overrides (None removes)."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("LAYERLINT_CACHE_DIR", None)  # the cache directory is whatever the command says, or cwd's
    for name, value in {**BYTECODE_ENV, **(overrides or {})}.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _gnu_time() -> str | None:
    """/usr/bin/time when it is GNU time (it writes the peak RSS of its child with -f %M -o FILE)."""
    try:
        ok = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", os.devnull, "true"],
                            capture_output=True).returncode == 0
    except OSError:
        return None
    return "/usr/bin/time" if ok else None


GNU_TIME = _gnu_time()


def run_measured(cmd: list[str], cwd: str | Path, sample_tree: bool = True,
                 env: dict[str, str | None] | None = None, peak_rss: bool = True) -> Measured:
    """Runs cmd to the end (stdin empty, stdout and stderr to temporary files) and measures it;
    `env` overrides variables of command_env(). With `peak_rss=False` the command runs on its
    own, not under GNU time, whose start adds several ms to a command of a few tens of ms: the
    wall time is then the command's, and `max_rss_mb` is None.

    The peak RSS comes from GNU time wrapped around cmd when there is one: Linux starts the
    peak of a process that we fork (or vfork) and exec at this benchmark's own size, so the
    getrusage of our direct child would report at least that; GNU time is a small process,
    and what it reports is its child's. Without it, getrusage via wait4 is used (an upper
    bound for small commands). Either way it is the largest process of the tree: the
    kernel folds in the peaks of the children a process waited for.
    """
    env = command_env(env)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(prefix="layerlint-bench-rss-") as rss_file:
        wrapped = bool(GNU_TIME) and peak_rss
        full = [GNU_TIME, "-f", "%M", "-o", rss_file.name, *cmd] if wrapped else cmd
        start = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        sampler = TreeMemorySampler(proc.pid) if sample_tree and TreeMemorySampler.available else None
        if sampler is not None:
            sampler.start()
        cpu = max_rss = None
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
            # ru_maxrss: KiB on Linux, bytes on macOS
            max_rss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024) if peak_rss else None
        else:
            proc.wait()
            wall = time.perf_counter() - start
        if wrapped:
            # "Command exited with non-zero status N" comes first when the command fails
            reported = Path(rss_file.name).read_text().split()
            max_rss = int(reported[-1]) / 1024 if reported and reported[-1].isdigit() else None
        if sampler is not None:
            sampler.finish()
        out.seek(0)
        lines = out.read().decode("utf-8", "replace").splitlines()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace").strip()
    last = next((line for line in reversed(lines) if line.strip()), "")
    return Measured(wall, cpu, max_rss,
                    sampler.peak_rss_kb / 1024 if sampler and sampler.peak_rss_kb else None,
                    sampler.peak_pss_kb / 1024 if sampler and sampler.peak_pss_kb else None,
                    proc.returncode, last, len(lines), stderr[-500:])


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(runs: list[Measured]) -> dict:
    """Medians over repeated runs of one configuration (walls also listed, to show the spread)."""
    return {
        "runs": len(runs),
        "wall_s": [round(r.wall_s, 3) for r in runs],
        "median_wall_s": median(r.wall_s for r in runs),
        "min_wall_s": min(r.wall_s for r in runs),
        "median_cpu_s": median(r.cpu_s for r in runs),
        "median_max_rss_mb": median(r.max_rss_mb for r in runs),
        "median_tree_rss_mb": median(r.tree_rss_mb for r in runs),
        "median_tree_pss_mb": median(r.tree_pss_mb for r in runs),
        "returncodes": sorted({r.returncode for r in runs}),
        "last_line": runs[-1].last_line,
        "output_lines": runs[-1].output_lines,
        "stderr_tail": runs[-1].stderr_tail if runs[-1].returncode not in (0, 1) else "",
    }


# -- the corpus and the command ---------------------------------------------------------------
def corpus_files(directory: Path) -> list[Path]:
    """Every regular file under directory, sorted."""
    return sorted(p for p in directory.rglob("*") if p.is_file())


def layerlint_command() -> list[str]:
    script = Path(sys.executable).parent / ("layerlint.exe" if os.name == "nt" else "layerlint")
    if not script.exists():
        sys.exit(f"the layerlint console script is not next to {sys.executable}; run `make venv` and use "
                 f".venv/bin/python")
    return [str(script)]


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def mb_size(files: list[Path]) -> float:
    return sum(p.stat().st_size for p in files) / 1e6


# -- the measurement --------------------------------------------------------------------------
def measure(files: list[Path], rounds: int = 3, log=None) -> dict:
    """Cold vs warm result cache (default jobs) and -j 1 vs -j N (no cache) over `files`."""
    cpus = os.cpu_count() or 1
    layerlint = layerlint_command()
    paths = [str(p) for p in files]
    log = log or (lambda message: None)
    with tempfile.TemporaryDirectory(prefix="layerlint-bench-check-") as tmp:
        work = Path(tmp)
        warm_dir = work / "warm-cache"
        log("  filling the warm cache")
        fill = run_measured([*layerlint, "check", "--cache-dir", str(warm_dir), *paths], work, sample_tree=False)
        if fill.returncode not in (0, 1):
            raise SystemExit(f"layerlint check failed (exit {fill.returncode}): {fill.stderr_tail}")
        configs = {
            "cache_cold": lambda r: [*layerlint, "check", "--cache-dir", str(work / f"cold-{r}"), *paths],
            "cache_warm": lambda r: [*layerlint, "check", "--cache-dir", str(warm_dir), *paths],
            "jobs_1": lambda r: [*layerlint, "check", "--no-cache", "-j", "1", *paths],
            f"jobs_{cpus}": lambda r: [*layerlint, "check", "--no-cache", "-j", str(cpus), *paths],
        }
        runs: dict[str, list[Measured]] = {name: [] for name in configs}
        for r in range(rounds):
            for name, command in configs.items():
                log(f"  round {r + 1}/{rounds}: {name}")
                runs[name].append(run_measured(command(r), work))
    results = {name: summarize(rs) for name, rs in runs.items()}
    cold, warm = results["cache_cold"], results["cache_warm"]
    one, many = results["jobs_1"], results[f"jobs_{cpus}"]
    speedup = cold["median_wall_s"] / warm["median_wall_s"]
    return {
        "files": len(files),
        "mb": mb_size(files),
        "rounds": rounds,
        "cpus": cpus,
        "configs": results,
        "warm_speedup": speedup,
        "warm_speedup_target": WARM_SPEEDUP_TARGET,
        "warm_target_met": speedup >= WARM_SPEEDUP_TARGET,
        "same_summary": cold["last_line"] == warm["last_line"],
        "jobs_speedup": one["median_wall_s"] / many["median_wall_s"],
    }


# -- reporting --------------------------------------------------------------------------------
def fmt(value: float | None, spec: str = ".2f", unit: str = "") -> str:
    return "n/a" if value is None else f"{value:{spec}}{unit}"


def met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def markdown(res: dict) -> str:
    cpus, c = res["cpus"], res["configs"]
    labels = {
        "cache_cold": "cache cold (empty `--cache-dir`, default jobs)",
        "cache_warm": "cache warm (filled `--cache-dir`, default jobs)",
        "jobs_1": "`--no-cache -j 1`",
        f"jobs_{cpus}": f"`--no-cache -j {cpus}`",
    }
    lines = [
        f"{res['files']} files ({res['mb']:.1f} MB), one `layerlint check` invocation per run, "
        f"median of {res['rounds']} interleaved runs.",
        "",
        "| Run | Median wall | Files/s | Runs (s) | CPU (user+sys) | Peak RSS, largest process | "
        "Peak PSS, all processes |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for name, label in labels.items():
        r = c[name]
        lines.append(f"| {label} | {r['median_wall_s']:.2f} s | {res['files'] / r['median_wall_s']:.0f} | "
                     f"{', '.join(f'{w:.2f}' for w in r['wall_s'])} | {fmt(r['median_cpu_s'], '.1f', ' s')} | "
                     f"{fmt(r['median_max_rss_mb'], '.0f', ' MB')} | {fmt(r['median_tree_pss_mb'], '.0f', ' MB')} |")
    lines += [
        "",
        "| Ratio | Value | Target | |",
        "| --- | ---: | --- | --- |",
        f"| cache cold / warm | {res['warm_speedup']:.1f}x | warm >= {res['warm_speedup_target']:g}x faster "
        f"(issue 6) | {met(res['warm_target_met'])} |",
        f"| `-j 1` / `-j {cpus}` | {res['jobs_speedup']:.2f}x | - | - |",
        "",
        f"Cold and warm runs print the same summary: {'yes' if res['same_summary'] else '**no**'} "
        f"(`{c['cache_warm']['last_line']}`).",
    ]
    for name, r in c.items():
        if r["stderr_tail"]:
            lines.append(f"\n{labels.get(name, name)} failed: {r['stderr_tail']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", type=Path, default=DEFAULT_CORPUS, help=f"default: {DEFAULT_CORPUS}")
    ap.add_argument("--rounds", type=int, default=3, help="runs per configuration (default: 3)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    if not args.dir.is_dir():
        ap.error(f"not a directory: {args.dir}")
    files = corpus_files(args.dir)
    if not files:
        ap.error(f"no files under {args.dir}")
    start = machine()
    res = measure(files, args.rounds, log=lambda m: print(m, file=sys.stderr, flush=True))
    res["machine"] = start
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        load = start["loadavg"]
        print(f"{start['cpus']} CPUs, load average at start {' '.join(f'{x:.2f}' for x in load) if load else 'n/a'}, "
              f"Python {start['python']}, {start['platform']}\n")
        print(markdown(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
