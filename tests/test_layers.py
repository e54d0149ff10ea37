"""`layerlint cache`: which layers a context change rebuilds, and why."""

from __future__ import annotations

import json

import pytest

from layerlint import parse
from layerlint.cli import main
from layerlint.layers import invalidated, source_matches
from layerlint.model import build_model

DOCKERFILE = """\
FROM python:3.12-slim AS build
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY src/ src/
RUN python -m compileall src

FROM python:3.12-slim
COPY --from=build /app /app
COPY <<EOF /etc/motd
hello
EOF
CMD ["python", "/app/src/main.py"]
"""


def rebuilt_lines(text, changed):
    doc = parse(text)
    return [s.instruction.start_line for s in invalidated(doc, build_model(doc), changed) if s.rebuilt]


@pytest.mark.parametrize("source,changed,expected", [
    (".", "anything/at/all.py", True),
    ("./", "x", True),
    ("src/", "src/main.py", True),
    ("src", "src/pkg/mod.py", True),
    ("src", "srcfoo/x", False),
    ("*.txt", "requirements.txt", True),
    ("*.txt", "docs/a.txt", False),
    ("requirements*.txt", "requirements-dev.txt", True),
    ("./app.py", "app.py", True),
    ("app.py", "lib/app.py", False),
])
def test_source_matching(source, changed, expected):
    assert source_matches(source, changed) is expected


def test_a_source_edit_rebuilds_from_its_copy_and_the_stages_that_read_it():
    assert rebuilt_lines(DOCKERFILE, ["src/main.py"]) == [5, 6, 9, 10, 13]


def test_a_manifest_edit_rebuilds_the_install():
    assert rebuilt_lines(DOCKERFILE, ["requirements.txt"]) == [3, 4, 5, 6, 9, 10, 13]


def test_unrelated_changes_and_heredocs_rebuild_nothing():
    assert rebuilt_lines(DOCKERFILE, ["README.md", "EOF"]) == []


def test_a_rebuilt_parent_stage_rebuilds_the_child():
    text = "FROM alpine:3 AS base\nCOPY . /src\nFROM base\nRUN make\n"
    assert rebuilt_lines(text, ["Makefile"]) == [2, 3, 4]


def test_cli_output(tmp_path, capsys):
    p = tmp_path / "Dockerfile"
    p.write_text(DOCKERFILE)
    assert main(["cache", str(p), "--changed", "src/main.py"]) == 0
    out = capsys.readouterr().out
    assert "   5  REBUILT  COPY src/ src/   <- it copies changed src/main.py" in out
    assert "   4  cached   RUN pip install -r requirements.txt" in out
    assert out.rstrip().endswith("5 of 10 steps rebuilt.")
    assert main(["cache", str(p), "--changed", "requirements.txt", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rebuilt"] == 7 and data["layers"][3] == {
        "line": 4, "stage": "build", "instruction": "RUN", "rebuilt": True, "reason": "the step before it was rebuilt"}


def test_cli_reports_the_count_after_the_suggested_reordering(tmp_path, capsys):
    p = tmp_path / "Dockerfile"
    p.write_text("FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
                 "RUN pip install --no-cache-dir -r requirements.txt\nCMD [\"python\", \"app.py\"]\n")
    assert main(["cache", str(p), "--changed", "app.py", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # install no longer rebuilt: COPY requirements.txt, RUN pip, COPY . ., CMD -> only the last two
    assert (data["rebuilt"], data["steps"]) == (3, 5)
    assert data["rebuilt_after_reordering"] == [2, 6]
    assert main(["cache", str(p), "--changed", "requirements.txt", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["rebuilt_after_reordering"][0] == 4  # from the manifest COPY on
