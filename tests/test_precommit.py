"""The pre-commit hooks of .pre-commit-hooks.yaml, run by the real pre-commit.

`pre-commit try-repo` installs a hook repository the way users get it: it clones a commit of
it and runs `pip install .` in a fresh virtualenv. It ignores untracked files, so the tests
first commit a snapshot of the working tree (what `git add -A` would commit) into a temporary
repository; the hooks then run in a temporary consumer repository holding Dockerfiles under
several of the names layerlint discovers.

No network: pip installs the build backend and layerlint's dependencies from the wheelhouse
that `make venv` fills (.venv/wheelhouse), with the index turned off; without the wheelhouse
these tests skip. Every try-repo run installs a new environment (some 15 seconds), so each
of the two runs checks both hooks at once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from layerlint.discover import is_dockerfile_name

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
WHEELHOUSE = Path(os.environ.get("LAYERLINT_WHEELHOUSE", Path(sys.prefix) / "wheelhouse"))

BAD = "FROM debian:12.5-slim\nMAINTAINER someone@example.com\nRUN apt-get update && apt-get install curl\n"
GOOD = (
    "FROM debian:12.5-slim\n"
    "RUN apt-get update \\\n"
    " && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 \\\n"
    " && rm -rf /var/lib/apt/lists/*\n"
    "USER nobody\n"
    'CMD ["curl", "--version"]\n'
)
# Clean Dockerfiles under four of the names layerlint discovers (`tools/ci.dockerfile` is one
# that identify's `dockerfile` tag misses), a README that would fail if it were linted, and
# the bad Dockerfile, staged or not.
GOOD_FILES = ("Dockerfile", "Containerfile", "sub/app.Dockerfile", "tools/ci.dockerfile")
NOT_A_DOCKERFILE = "README.md"
BAD_FILE = "legacy/Dockerfile"


def _hooks() -> dict[str, dict]:
    from pre_commit.clientlib import load_manifest  # validates as pre-commit does

    return {hook["id"]: hook for hook in load_manifest(str(MANIFEST))}


# -- the manifest ---------------------------------------------------------------------------


def test_manifest_validates():
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hooks():
    hooks = _hooks()
    assert set(hooks) == {"layerlint", "layerlint-fix"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["entry"].startswith("layerlint check")
        assert hook["require_serial"] is False
        assert hook["minimum_pre_commit_version"] != "0"
        assert hook["files"] == hooks["layerlint"]["files"]
    assert "--fix" not in hooks["layerlint"]["entry"].split()
    assert "--fix" in hooks["layerlint-fix"]["entry"].split()


NAMES = [
    ("Dockerfile", True), ("sub/Dockerfile", True), ("Dockerfile.dev", True), ("a/b/Dockerfile.prod.arm64", True),
    ("Dockerfile.", True), ("app.Dockerfile", True), ("svc/build.dockerfile", True), (".dockerfile", True),
    ("Containerfile", True), ("x/Containerfile.rhel9", True),
    ("Dockerfile-prod", False), ("dockerfile", False), ("Dockerfiles", False), ("MyDockerfile", False),
    ("Dockerfile/notes.txt", False), ("app.Dockerfile.bak", False), (".Dockerfile.swp", False),
    ("x.DOCKERFILE", False), ("Containerfiles/a", False), ("README.md", False), ("docker-compose.yml", False),
]


@pytest.mark.parametrize("path,expected", NAMES)
def test_files_pattern(path, expected):
    pattern = _hooks()["layerlint"]["files"]
    assert bool(re.search(pattern, path)) == expected
    assert is_dockerfile_name(path.rsplit("/", 1)[-1]) == expected  # the same set as discovery


@given(st.lists(st.sampled_from(["Dockerfile", "Containerfile", "dockerfile", "docker", "file", "app",
                                 ".", "-", "/", "x"]), min_size=1, max_size=6))
def test_files_pattern_equals_discovery(parts):
    """pre-commit selects a path by `re.search(files, path)`; discovery by the base name."""
    path = "".join(parts)
    pattern = _hooks()["layerlint"]["files"]
    assert bool(re.search(pattern, path)) == is_dockerfile_name(path.rsplit("/", 1)[-1]), path


# -- the real pre-commit --------------------------------------------------------------------


def _env(tmp: Path) -> dict[str, str]:
    """Offline pip from the wheelhouse; private git identity and configuration."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "VIRTUALENV_", "PRE_COMMIT", "GIT_"))
           and k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(
        # the dev venv's bin first: pre-commit's default Python is the `python3.X` found there,
        # which matches the wheels in the wheelhouse
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(WHEELHOUSE),
        PIP_DISABLE_PIP_VERSION_CHECK="1", VIRTUALENV_NO_PERIODIC_UPDATE="1",
        PRE_COMMIT_HOME=str(tmp / "pre-commit-home"), PRE_COMMIT_COLOR="never",
        GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="layerlint tests", GIT_AUTHOR_EMAIL="tests@layerlint.invalid",
        GIT_COMMITTER_NAME="layerlint tests", GIT_COMMITTER_EMAIL="tests@layerlint.invalid",
        NO_COLOR="1",
    )
    return env


def _git(env: dict, cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def snapshot_worktree(dest: Path, env: dict) -> Path:
    """Commit the working tree, untracked files included and ignored ones left out, into `dest`."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True)
    if listing.returncode != 0:
        pytest.skip(f"{ROOT} is not a git work tree: {listing.stderr.decode(errors='replace').strip()}")
    for name in sorted(set(listing.stdout.decode().split("\0")) - {""}):
        src = ROOT / name
        if not os.path.lexists(src):  # tracked but deleted in the working tree
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), target)
        else:
            shutil.copy2(src, target)
    _git(env, dest, "init", "-q")
    _git(env, dest, "add", "-A")
    _git(env, dest, "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", "snapshot of the working tree")
    return dest


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    if not (WHEELHOUSE / ".complete").is_file():
        pytest.skip(f"no wheelhouse at {WHEELHOUSE}: run `make venv`, which fetches layerlint's build backend and "
                    f"dependencies there so that pre-commit can install the hook without the network")
    tmp = tmp_path_factory.mktemp("hook-repo")
    return snapshot_worktree(tmp / "layerlint", _env(tmp))


def make_consumer(tmp: Path, env: dict, *, stage_bad: bool) -> Path:
    repo = tmp / "consumer"
    files = {**dict.fromkeys(GOOD_FILES, GOOD), NOT_A_DOCKERFILE: BAD, BAD_FILE: BAD}
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    _git(env, repo, "init", "-q")
    _git(env, repo, "add", *GOOD_FILES, NOT_A_DOCKERFILE, *([BAD_FILE] if stage_bad else []))
    return repo


def try_repo(hook_repo: Path, consumer: Path, env: dict) -> tuple[int, str, dict[str, tuple[str, str]]]:
    """Run every hook of the manifest on the staged files; (exit code, output, {hook name: (status, text)})."""
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", "--verbose", "--color", "never",
                           str(hook_repo)],
                          cwd=consumer, env=env, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    output = proc.stdout + proc.stderr
    # each hook's section starts with "name.....Passed" (or Failed / Skipped)
    header = re.compile(r"^(\S.*?)\.{3,}(?:\(no files to check\))?(Passed|Failed|Skipped)$", re.M)
    heads = list(header.finditer(output))
    sections = {m.group(1): (m.group(2), output[m.end():heads[i + 1].start() if i + 1 < len(heads) else None])
                for i, m in enumerate(heads)}
    return proc.returncode, output, sections


def test_hooks_pass_when_only_good_dockerfiles_are_staged(hook_repo, tmp_path):
    env = _env(tmp_path)
    consumer = make_consumer(tmp_path, env, stage_bad=False)
    code, output, sections = try_repo(hook_repo, consumer, env)
    assert code == 0, output
    assert set(sections) == {"layerlint", "layerlint (fix)"}, output
    for status, text in sections.values():
        assert status == "Passed", output
        # all four Dockerfile names were handed to the hook, the README was not
        assert re.search(r"\b4 files\b", text), output
    for name in GOOD_FILES:
        assert (consumer / name).read_text() == GOOD, f"{name} was changed"


def test_hook_fails_on_a_bad_dockerfile_and_the_fix_hook_rewrites_it(hook_repo, tmp_path):
    env = _env(tmp_path)
    consumer = make_consumer(tmp_path, env, stage_bad=True)
    code, output, sections = try_repo(hook_repo, consumer, env)
    assert code == 1, output

    status, text = sections["layerlint"]  # runs first, on the file as committed
    assert status == "Failed", output
    assert "- exit code: 1" in text, output
    assert f"{BAD_FILE}:2:1: DL4000" in text, output  # MAINTAINER
    assert re.search(rf"{re.escape(BAD_FILE)}:3:\d+: DL3014", text), output  # apt-get install without -y
    assert "README.md" not in text and "Containerfile" not in text, output

    status, text = sections["layerlint (fix)"]
    assert status == "Failed", output
    assert "- files were modified by this hook" in text, output
    fixed = (consumer / BAD_FILE).read_text()
    assert "MAINTAINER" not in fixed and "someone@example.com" in fixed, fixed
    assert "apt-get install -y curl" in fixed, fixed
    for name in GOOD_FILES:
        assert (consumer / name).read_text() == GOOD, f"{name} was changed"
    assert (consumer / NOT_A_DOCKERFILE).read_text() == BAD, "the README was changed"


# -- docs/ci.md -------------------------------------------------------------------------------


def test_docs_pre_commit_config(tmp_path):
    """The configuration shown in docs/ci.md names real hooks, and its args are accepted."""
    docs = (ROOT / "docs" / "ci.md").read_text()
    configs = [c for c in map(yaml.safe_load, re.findall(r"```ya?ml\n(.*?)```", docs, re.S))
               if isinstance(c, dict) and "repos" in c]
    assert configs, "docs/ci.md shows no .pre-commit-config.yaml"
    hooks = _hooks()
    for config in configs:
        for repo in config["repos"]:
            assert re.fullmatch(r"v\d+\.\d+\.\d+", repo["rev"]), repo
            for hook in repo["hooks"]:
                assert hook["id"] in hooks, hook
                (tmp_path / "Dockerfile").write_text(GOOD)
                entry = hooks[hook["id"]]["entry"].split()
                proc = subprocess.run([str(Path(sys.executable).parent / entry[0]), *entry[1:],
                                       *hook.get("args", []), "Dockerfile"],
                                      cwd=tmp_path, capture_output=True, text=True)
                assert proc.returncode == 0, proc.stdout + proc.stderr
