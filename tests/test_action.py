"""The composite GitHub Action (action.yml) and the CI snippets of docs/ci.md.

GitHub is not needed: the steps' scripts are taken from action.yml and run with bash as the
runner runs them (`bash --noprofile --norc -eo pipefail`), with the `${{ }}` expressions of
their `env:` blocks filled in from the inputs the way GitHub fills them. The lint step runs
the dev venv's layerlint; the install step really installs layerlint into a virtual
environment, offline from the wheelhouse `make venv` fills (skipped without it).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from layerlint.reporters import FORMATS

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
DOCS = ROOT / "docs" / "ci.md"
WHEELHOUSE = Path(os.environ.get("LAYERLINT_WHEELHOUSE", Path(sys.prefix) / "wheelhouse"))
DEV_LAYERLINT = Path(sys.executable).parent / "layerlint"

BAD = "FROM debian:12.5-slim\nMAINTAINER someone@example.com\nRUN apt-get update && apt-get install curl\n"
GOOD = (
    "FROM debian:12.5-slim\n"
    "RUN apt-get update \\\n"
    " && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 \\\n"
    " && rm -rf /var/lib/apt/lists/*\n"
    "USER nobody\n"
    'CMD ["curl", "--version"]\n'
)
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def step(step_id: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


# -- the action's structure -------------------------------------------------------------------


def test_metadata():
    assert ACTION["name"] == "layerlint"
    assert ACTION["description"] and len(ACTION["description"]) <= 125  # the Marketplace's limit
    assert set(ACTION["branding"]) == {"icon", "color"}
    assert set(ACTION["inputs"]) == {"paths", "format", "failure-threshold", "config", "sarif-file", "args",
                                     "version", "python-version"}
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), f"input {name} has no description"
        assert spec.get("required") is False and "default" in spec, name
    assert ACTION["inputs"]["paths"]["default"] == "."
    assert ACTION["inputs"]["format"]["default"] == "github"
    assert ACTION["outputs"]["exit-code"]["value"] == "${{ steps.lint.outputs.exit-code }}"
    assert ACTION["outputs"]["sarif-file"]["value"] == "${{ steps.lint.outputs.sarif-file }}"
    for name, spec in ACTION["outputs"].items():
        assert spec.get("description"), f"output {name} has no description"


def test_steps():
    assert ACTION["runs"]["using"] == "composite"
    steps = ACTION["runs"]["steps"]
    assert [s.get("id") for s in steps] == ["python", "install", "lint"]
    for s in steps:
        assert s.get("name"), s
        if "run" in s:
            assert s.get("shell") == "bash", f"step {s['id']} has no shell (a composite action needs one)"
            # inputs reach scripts only through env: `${{ }}` inside a script is a script injection
            assert "${{" not in s["run"], f"step {s['id']} expands an expression inside its script"
        else:
            assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", s["uses"]), s["uses"]
    python = step("python")
    assert python["uses"].startswith("actions/setup-python@")
    assert python["if"] == "inputs.python-version != ''"
    assert python["with"] == {"python-version": "${{ inputs.python-version }}", "update-environment": False}


def test_every_input_is_used_and_every_reference_exists():
    used = set()
    for s in ACTION["runs"]["steps"]:
        for value in [*s.get("env", {}).values(), *s.get("with", {}).values(), s.get("if", "")]:
            used |= set(re.findall(r"inputs\.([\w-]+)", str(value)))
    assert used == set(ACTION["inputs"])


# -- running the steps' scripts ---------------------------------------------------------------


def github_env(s: dict, inputs: dict[str, str], context: dict[str, str]) -> dict[str, str]:
    """The step's `env:` with its `${{ }}` expressions evaluated as GitHub would."""
    values = {f"inputs.{name}": spec["default"] for name, spec in ACTION["inputs"].items()}
    values.update({f"inputs.{name}": value for name, value in inputs.items()})
    values.update(context)

    def evaluate(match: re.Match) -> str:
        expr = match.group(1)
        if expr.startswith("steps."):  # outputs of skipped steps are empty
            return values.get(expr, "")
        assert expr in values, f"expression not understood by this test: {expr}"
        return str(values[expr])

    return {k: EXPRESSION.sub(evaluate, str(v)) for k, v in s.get("env", {}).items()}


@dataclass
class StepRun:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]  # what the step wrote to $GITHUB_OUTPUT

    @property
    def log(self) -> str:
        return self.stdout + self.stderr


def run_step(step_id: str, workspace: Path, inputs: dict[str, str] | None = None, *,
             context: dict[str, str] | None = None, extra_env: dict[str, str] | None = None) -> StepRun:
    """Run a step's script in `workspace` as the runner would."""
    s = step(step_id)
    github_output = workspace.parent / f"github-output-{step_id}"
    github_output.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "LAYERLINT_"))}
    env.update(PATH=os.pathsep.join([str(DEV_LAYERLINT.parent), env.get("PATH", "")]), NO_COLOR="1",
               GITHUB_ACTIONS="true", GITHUB_OUTPUT=str(github_output), GITHUB_ACTION_PATH=str(ROOT),
               GITHUB_WORKSPACE=str(workspace), RUNNER_TEMP=str(workspace.parent / "runner-temp"))
    env.update(extra_env or {})
    env.update(github_env(s, inputs or {}, {"github.action_path": env["GITHUB_ACTION_PATH"], **(context or {})}))
    script = workspace.parent / f"{step_id}.sh"
    script.write_text(s["run"])
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace,
                          env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    outputs = dict(line.split("=", 1) for line in github_output.read_text().splitlines() if "=" in line)
    return StepRun(proc.returncode, proc.stdout, proc.stderr, outputs)


def lint(workspace: Path, **inputs: str) -> StepRun:
    """The lint step, with the dev venv's layerlint as the install step's output."""
    return run_step("lint", workspace, inputs, context={"steps.install.outputs.layerlint": str(DEV_LAYERLINT)})


@pytest.fixture
def workspace(tmp_path) -> Path:
    ws = tmp_path / "workspace"
    (ws / "sub").mkdir(parents=True)
    (ws / "Dockerfile").write_text(BAD)
    (ws / "sub" / "Dockerfile.prod").write_text(GOOD)
    return ws


def test_lint_step_annotations_and_sarif(workspace):
    r = lint(workspace, **{"sarif-file": "reports/layerlint.sarif"})
    assert r.code == 1, r.log
    assert r.stdout.startswith(
        f"Running: {DEV_LAYERLINT} check --format github --format sarif --output reports/layerlint.sarif -- .\n")
    assert re.search(r"(?m)^::error file=Dockerfile,line=2,endLine=2,col=1,endColumn=11,title=layerlint \(DL4000\)::",
                     r.stdout), r.log
    assert re.search(r"(?m)^::warning file=Dockerfile,line=3,.*title=layerlint \(DL3014\)::", r.stdout), r.log
    assert "sub/Dockerfile.prod" not in r.log  # clean
    assert r.outputs == {"exit-code": "1", "sarif-file": "reports/layerlint.sarif"}
    sarif = json.loads((workspace / "reports" / "layerlint.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {res["ruleId"] for res in results} >= {"DL4000", "DL3014"}
    assert {res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for res in results} == {"Dockerfile"}


def test_lint_step_passes_every_input(workspace):
    (workspace / "ci.toml").write_text('ignore = ["DL3008"]\n')
    r = lint(workspace, paths="sub\n  Dockerfile", format="json", **{
        "failure-threshold": "error", "config": "ci.toml", "args": "--no-cache  --ignore DL3009,DL3015"})
    command, report = r.stdout.split("\n", 1)
    assert command == (f"Running: {DEV_LAYERLINT} check --format json --failure-threshold error --config ci.toml "
                       f"--no-cache --ignore DL3009,DL3015 -- sub Dockerfile")
    # DL3008 ignored by the configuration, DL3009 and DL3015 by the args
    assert sorted(f["code"] for f in json.loads(report)) == ["DL3014", "DL4000"], r.log
    assert r.code == 1 and r.outputs == {"exit-code": "1"}, r.log  # DL4000 is an error


def test_lint_step_clean_and_threshold(workspace):
    r = lint(workspace, paths="sub")
    assert r.code == 0 and r.outputs == {"exit-code": "0"}, r.log
    assert "::" not in r.stdout
    (workspace / "Dockerfile").write_text("FROM debian:12.5-slim\nRUN apt-get update && apt-get install curl\n")
    r = lint(workspace, **{"failure-threshold": "error"})  # warnings and infos only
    assert r.code == 0 and r.outputs == {"exit-code": "0"}, r.log
    assert "::warning file=Dockerfile" in r.stdout, r.log


def test_lint_step_usage_error(workspace):
    r = lint(workspace, format="nonsense")
    assert r.code == 2 and r.outputs == {"exit-code": "2"}, r.log
    assert "nonsense" in r.stderr, r.log


def test_lint_step_neither_expands_globs_nor_runs_inputs(workspace):
    r = lint(workspace, paths="Docker* $(touch pwned)")
    assert not (workspace / "pwned").exists()
    assert r.code == 1, r.log
    assert "::error file=Docker*,title=layerlint (IOERROR)::No such file or directory" in r.stdout, r.log


# -- the install step, offline ----------------------------------------------------------------


def _copy_worktree(dest: Path) -> Path:
    """The files of the working tree that git would commit (tracked and untracked, not ignored)."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True)
    if listing.returncode != 0:
        pytest.skip(f"{ROOT} is not a git work tree")
    for name in set(listing.stdout.decode().split("\0")) - {""}:
        if os.path.isfile(ROOT / name):
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


@pytest.fixture
def offline_pip() -> dict[str, str]:
    if not (WHEELHOUSE / ".complete").is_file():
        pytest.skip(f"no wheelhouse at {WHEELHOUSE}: run `make venv`, which fetches layerlint's build backend and "
                    f"dependencies there so that the install step can be tested without the network")
    return {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(WHEELHOUSE),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def test_install_step_then_lint(workspace, offline_pip, tmp_path):
    action_path = _copy_worktree(tmp_path / "action-checkout")
    env = {**offline_pip, "GITHUB_ACTION_PATH": str(action_path)}
    r = run_step("install", workspace, extra_env=env)
    assert r.code == 0, r.log
    assert f"Installing layerlint from {action_path}\n" in r.stdout, r.log
    version = re.search(r"(?m)^layerlint (\S+)$", r.stdout).group(1)
    installed = Path(r.outputs["layerlint"])
    assert installed == tmp_path / "runner-temp" / "layerlint-action" / "bin" / "layerlint"
    assert installed.is_file() and installed.parent != DEV_LAYERLINT.parent

    # the lint step runs what the install step reported
    r = run_step("lint", workspace, context={"steps.install.outputs.layerlint": str(installed)})
    assert r.code == 1, r.log
    assert r.stdout.startswith(f"Running: {installed} check") and "title=layerlint (DL4000)" in r.stdout, r.log

    # a second run in the same job reuses the environment
    r = run_step("install", workspace, extra_env=env)
    assert r.code == 0 and "Installing" not in r.log, r.log

    # versions become pip requirements (satisfied offline by the layerlint already installed);
    # `v0.1.0` is the same requirement as `0.1.0`, so the environment is kept
    for given, spec in [(version, f"layerlint=={version}"), (f"v{version}", None),
                        ("layerlint>=0.0.1", "layerlint>=0.0.1")]:
        r = run_step("install", workspace, {"version": given}, extra_env=env)
        assert r.code == 0, r.log
        assert ("Installing" not in r.stdout) if spec is None else f"Installing layerlint from {spec}\n" in r.stdout, \
            r.log


def test_install_step_refuses_old_python(workspace, tmp_path):
    old = tmp_path / "python3.8"
    old.write_text("#!/bin/sh\nexit 1\n")  # as `sys.exit(sys.version_info < (3, 10))` would on 3.8
    old.chmod(0o755)
    r = run_step("install", workspace, context={"steps.python.outputs.python-path": str(old)})
    assert r.code == 2, r.log
    assert "::error title=layerlint action::layerlint needs Python 3.10 or newer" in r.stdout, r.log


# -- docs/ci.md -------------------------------------------------------------------------------


def yaml_blocks() -> list:
    return [yaml.safe_load(block) for block in re.findall(r"```ya?ml\n(.*?)```", DOCS.read_text(), re.S)]


def test_docs_github_workflows_use_real_inputs():
    uses = []
    for block in yaml_blocks():
        for job in (block.get("jobs") or {}).values() if isinstance(block, dict) else ():
            for s in job["steps"]:
                if re.search(r"layerlint@|^\./?$", s.get("uses", "")):
                    uses.append(s)
                    assert set(s.get("with", {})) <= set(ACTION["inputs"]), s
                if "upload-sarif" in s.get("uses", ""):
                    # also when layerlint failed the job, but only when there is a report
                    assert "!cancelled()" in s.get("if", "") and "outputs.sarif-file" in s["if"], s
    assert uses, "docs/ci.md shows no workflow that uses the action"


def _gitlab_job() -> dict:
    for block in yaml_blocks():
        for job in block.values() if isinstance(block, dict) else ():
            if isinstance(job, dict) and "codequality" in job.get("artifacts", {}).get("reports", {}):
                return job
    pytest.fail("docs/ci.md has no GitLab job with a codequality report")


def test_docs_gitlab_job(tmp_path):
    job = _gitlab_job()
    [line] = [line for line in job["script"] if line.startswith("layerlint check")]
    words = shlex.split(line)
    reports, i = {}, 2
    while i < len(words):
        if words[i] in ("-f", "--format"):
            fmt, i = words[i + 1], i + 2
            output = None
            if i < len(words) and words[i] in ("-o", "--output"):
                output, i = words[i + 1], i + 2
            reports[fmt] = output
        else:
            i += 1
    assert set(reports) <= set(FORMATS), reports
    assert job["artifacts"]["reports"] == {"codequality": reports["gitlab"], "junit": reports["junit"]}
    assert job["artifacts"]["when"] == "always"  # the reports matter most when the job fails

    # the command works as written
    (tmp_path / "Dockerfile").write_text(BAD)
    proc = subprocess.run([str(DEV_LAYERLINT), *words[1:]], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    issues = json.loads((tmp_path / reports["gitlab"]).read_text())
    assert "DL4000" in {issue["check_name"] for issue in issues}
    suites = ET.parse(tmp_path / reports["junit"]).getroot()
    assert list(suites.iter("failure")), "no failing testcase in the JUnit report"
