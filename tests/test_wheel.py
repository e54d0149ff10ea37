"""The built wheel, installed into a fresh virtual environment, works on its own.

Builds the wheel from a copy of the source tree (so that `build/` and `*.egg-info` are not
written into the work tree and no stale `build/lib` leaks into the wheel), installs it with
its dependencies from the package index into a new venv, and runs the `layerlint` console
script from a foreign working directory, so neither the repository nor the editable install
is on `sys.path`. Takes some 20 seconds: an isolated build and a dependency install.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VERSION = re.search(r'(?m)^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text()).group(1)
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
    ".hypothesis", ".benchmarks", "node_modules", "bundled", ".layerlint_cache",
)


def _venv_unavailable() -> str | None:
    try:
        import ensurepip  # noqa: F401  (Debian's python3 without python3-venv lacks it)
        import venv  # noqa: F401
    except ImportError as exc:
        return f"`python -m venv` is not possible here ({exc}); install the venv module"
    return None


_NO_VENV = _venv_unavailable()
pytestmark = pytest.mark.skipif(_NO_VENV is not None, reason=str(_NO_VENV))


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(NO_COLOR="1", COLUMNS="200", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def _run(cmd: list, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=_clean_env(), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout)


def _output(proc: subprocess.CompletedProcess) -> str:
    return f"exit code {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


@pytest.fixture(scope="module")
def venv_dir(tmp_path_factory) -> Path:
    """A fresh, empty virtual environment (created first: no point building if this fails)."""
    path = tmp_path_factory.mktemp("wheel-venv") / "venv"
    proc = _run([sys.executable, "-m", "venv", path], cwd=path.parent)
    if proc.returncode != 0:
        pytest.skip(f"`{sys.executable} -m venv` failed, cannot test the wheel:\n{_output(proc)}")
    return path


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("wheel-src") / "layerlint"
    shutil.copytree(ROOT, src, ignore=COPY_IGNORE)
    return src


@pytest.fixture(scope="module")
def wheel(source, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel-dist")
    try:
        import build  # noqa: F401

        cmd = [sys.executable, "-m", "build", "--wheel", "--outdir", out, source]
    except ImportError:
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", out, source]
    proc = _run(cmd, cwd=out)
    assert proc.returncode == 0, f"building the wheel failed: {' '.join(map(str, cmd))}\n{_output(proc)}"
    wheels = sorted(out.glob("layerlint-*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {out}, found {wheels}"
    return wheels[0]


@pytest.fixture(scope="module")
def installed(venv_dir, wheel) -> Path:
    """The venv with the wheel and its dependencies installed; returns the venv."""
    proc = _run([_bin(venv_dir, "python"), "-m", "pip", "install", "--progress-bar", "off", wheel],
                cwd=venv_dir.parent)
    assert proc.returncode == 0, f"pip install of {wheel.name} failed\n{_output(proc)}"
    return venv_dir


@pytest.fixture
def layerlint(installed, tmp_path):
    """Runs the installed console script in tmp_path; a Python traceback always fails the test."""

    def run(*args: str) -> subprocess.CompletedProcess:
        proc = _run([_bin(installed, "layerlint"), *args], cwd=tmp_path, timeout=120)
        assert "Traceback (most recent call last)" not in proc.stderr, _output(proc)
        return proc

    return run


def _json(proc: subprocess.CompletedProcess):
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        pytest.fail(f"stdout is not JSON ({exc})\n{_output(proc)}")


# -- what the wheel contains ------------------------------------------------------------


def test_wheel_contents(wheel, source):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "layerlint/grammar/dockerfile.lark" in names
    assert "layerlint/py.typed" in names
    assert "layerlint/cli.py" in names
    rule_modules = {f"layerlint/rules/{p.name}" for p in (source / "rules").glob("*.py")}
    assert rule_modules and rule_modules <= names, f"rule modules missing: {sorted(rule_modules - names)}"
    assert "layerlint/reporters/__init__.py" in names, "the layerlint.reporters package is not in the wheel"


def test_wheel_ships_only_layerlint(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names}
    assert top == {"layerlint", f"layerlint-{VERSION}.dist-info"}, f"unexpected top-level entries: {sorted(top)}"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_wheel_entry_point(wheel):
    with zipfile.ZipFile(wheel) as zf:
        entry_points = zf.read(f"layerlint-{VERSION}.dist-info/entry_points.txt").decode()
    assert re.search(r"(?m)^layerlint\s*=\s*layerlint\.cli:entry\s*$", entry_points), entry_points


# -- the installed console script -------------------------------------------------------


def test_imports_from_the_venv_not_the_repo(installed, tmp_path):
    code = "import layerlint, layerlint.rules, layerlint.grammar; print(layerlint.__file__)"
    proc = _run([_bin(installed, "python"), "-c", code], cwd=tmp_path)
    assert proc.returncode == 0, _output(proc)
    where = Path(proc.stdout.strip()).resolve()
    assert installed.resolve() in where.parents, f"layerlint imported from {where}, not from the wheel's venv"
    proc = _run([_bin(installed, "python"), "-c", "import lint"], cwd=tmp_path)
    assert proc.returncode != 0, "the wheel must not install a top-level `lint` package"


def test_version(layerlint):
    proc = layerlint("--version")
    assert proc.returncode == 0, _output(proc)
    assert VERSION in proc.stdout, _output(proc)


def test_rules_json(layerlint, source):
    proc = layerlint("rules", "--format", "json")
    assert proc.returncode == 0, _output(proc)
    codes = {rule["code"] for rule in _json(proc)}
    assert "DL1000" in codes
    # every rule module shipped is found (pkgutil discovery works from site-packages)
    expected = {m.group(1).upper() for p in (source / "rules").glob("*.py")
                if (m := re.match(r"([a-z]{2}\d{4})_", p.name))}
    assert expected <= codes, f"rules missing from `layerlint rules`: {sorted(expected - codes)}"


def test_check_untagged_image(layerlint, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM debian\n")
    proc = layerlint("check", "--format", "json", "Dockerfile")
    assert proc.returncode == 1, _output(proc)
    assert [d["code"] for d in _json(proc)] == ["DL3006"], _output(proc)


def test_parse_heredoc(layerlint, tmp_path):
    (tmp_path / "Dockerfile").write_text(
        "# syntax=docker/dockerfile:1\n"
        "FROM alpine:3.20\n"
        "RUN <<EOF\n"
        "echo hello from a heredoc\n"
        "EOF\n"
    )
    proc = layerlint("parse", "--format", "json", "Dockerfile")
    assert proc.returncode == 0, _output(proc)
    instructions = _json(proc)["instructions"]
    assert [i["instruction"] for i in instructions] == ["FROM", "RUN"], _output(proc)
    heredocs = instructions[1]["heredocs"]
    assert [(h["name"], h["content"]) for h in heredocs] == [("EOF", "echo hello from a heredoc\n")], _output(proc)
