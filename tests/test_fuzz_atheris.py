"""A bounded run of the atheris fuzz target (fuzz/fuzz_lint.py): the parser and the whole lint
path on inputs mutated from real Dockerfiles, for about a minute. `make fuzz` runs it for
longer. A crash is shown with its input; keep each as a regression fixture in
tests/fixtures/fuzz/ (see the README there).

When atheris cannot be imported (it needs a Python version it ships wheels for, or clang
to build), the run is skipped with the reason, and the same target is driven by hypothesis
instead, from seeds of the shared corpus, so the target itself is always exercised.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "fuzz" / "fuzz_lint.py"
FUZZ_SECONDS = int(os.environ.get("LAYERLINT_FUZZ_SECONDS", "45"))


def _load_target():
    spec = importlib.util.spec_from_file_location("fuzz_lint", TARGET)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fuzz_lint = _load_target()


def _atheris_problem() -> str | None:
    try:
        import atheris  # noqa: F401
    except ImportError as e:
        return (f"atheris is not importable here ({e}); install it with `pip install atheris` (wheels for "
                f"CPython 3.8-3.11 on Linux x86_64; other versions build from source and need clang/libFuzzer)")
    return None


@pytest.mark.skipif(_atheris_problem() is not None, reason=str(_atheris_problem()))
def test_bounded_atheris_run(tmp_path):
    corpus = tmp_path / "corpus"
    env = dict(os.environ, LAYERLINT_FUZZ_SEEDS="40")
    args = [sys.executable, str(TARGET), f"-max_total_time={FUZZ_SECONDS}", "-timeout=20", "-max_len=8192",
            "-rss_limit_mb=2048", "-print_final_stats=1", f"-artifact_prefix={tmp_path}/", str(corpus)]
    p = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=FUZZ_SECONDS + 120)
    crashes = sorted(tmp_path.glob("crash-*")) + sorted(tmp_path.glob("timeout-*")) + sorted(tmp_path.glob("oom-*"))
    shown = "\n".join(f"{c.name}: {c.read_bytes()[:2000]!r}" for c in crashes)
    assert p.returncode == 0 and not crashes, f"fuzzing found a crash:\n{shown}\n{p.stderr[-4000:]}"
    runs = [line for line in p.stderr.splitlines() if line.startswith("stat::number_of_executed_units:")]
    assert runs and int(runs[0].split(":")[-1]) > 100, p.stderr[-2000:]


def _seeds() -> list[bytes]:
    files = fuzz_lint.seed_files(30)
    fixtures = sorted(p for p in fuzz_lint.FIXTURES.iterdir() if p.suffix != ".md")
    return [p.read_bytes()[:4000] for p in files + fixtures] or [b"FROM debian:12\nRUN echo hi\n"]


@st.composite
def mutated(draw):
    """A seed with a few byte-level mutations: splices, insertions, deletions, repeats."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.integers(0, 3))
        if kind == 0:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == 1:
            del data[at:at + draw(st.integers(1, 64))]
        elif kind == 2:
            data[at:at] = draw(st.sampled_from([b"\\\n", b"<<EOF\n", b"\nEOF\n", b"${", b"}", b"$(", b"\x0b", b"\r\n",
                                                b"\"", b"'", b"\n# escape=`\n", b"ONBUILD ", b"--mount="]))
        else:
            other = draw(st.sampled_from(SEEDS))
            start = draw(st.integers(0, len(other)))
            data[at:at] = other[start:start + draw(st.integers(1, 200))]
    return bytes(data)


SEEDS = _seeds()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated())
def test_fuzz_target_with_hypothesis(data):
    """The atheris target's checks, driven by hypothesis (runs with or without atheris)."""
    fuzz_lint.check_input(data)
