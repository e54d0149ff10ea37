"""`layerlint check` with the result cache and worker processes: same findings as a fresh serial
run, and a cached result is used only while the file, its configuration and every file beside it
that the lint looked at are unchanged."""

from __future__ import annotations

import json
import os

from layerlint.cli import main

APP = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"


def check(capsys, *args) -> list[dict]:
    main(["check", "--exit-zero", "--format", "json", *args])
    return json.loads(capsys.readouterr().out)


def codes(findings) -> list[tuple[str, int]]:
    return sorted((f["code"], f["line"]) for f in findings)


def test_cached_run_gives_the_same_findings_and_skips_linting(tmp_path, capsys, monkeypatch):
    (tmp_path / "Dockerfile").write_text(APP)
    cache = tmp_path / "cache"
    first = check(capsys, "--cache-dir", str(cache), str(tmp_path / "Dockerfile"))
    assert (cache / "CACHEDIR.TAG").is_file() and (cache / ".gitignore").read_text().endswith("*\n")
    import layerlint.runner as runner

    def no_lint(job):
        raise AssertionError("linted although cached")

    monkeypatch.setattr(runner, "lint_job", no_lint)
    assert check(capsys, "--cache-dir", str(cache), str(tmp_path / "Dockerfile")) == first


def test_edit_configuration_and_neighbour_files_invalidate(tmp_path, capsys):
    df = tmp_path / "Dockerfile"
    df.write_text(APP)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    before = codes(check(capsys, *cache, str(df)))
    assert ("LL4002", 3) in before  # COPY . . without a .dockerignore
    (tmp_path / ".dockerignore").write_text(".git\n")  # a file beside it appears
    assert ("LL4002", 3) not in codes(check(capsys, *cache, str(df)))
    df.write_text(APP.replace("python:3.12-slim", "python"))  # the file itself changes
    assert ("DL3006", 1) in codes(check(capsys, *cache, str(df)))
    (tmp_path / ".layerlint.toml").write_text('ignore = ["DL3006"]\n')  # its configuration changes
    assert ("DL3006", 1) not in codes(check(capsys, *cache, str(df)))


def test_parent_image_and_context_changes_invalidate(tmp_path, capsys):
    (tmp_path / "compose.yaml").write_text("services:\n  base: {image: team/base, build: ./base}\n")
    (tmp_path / "base").mkdir()
    parent = tmp_path / "base" / "Dockerfile"
    parent.write_text("FROM python:3.12-slim\nONBUILD COPY requirements.txt ./\n")
    child = tmp_path / "Dockerfile"
    child.write_text("FROM team/base\n")
    cache = ["--cache-dir", str(tmp_path / "cache"), "--select", "LL6004"]
    assert codes(check(capsys, *cache, str(child))) == [("LL6004", 1)]
    (tmp_path / "requirements.txt").write_text("flask\n")  # the missing file is added to the context
    assert codes(check(capsys, *cache, str(child))) == []
    os.remove(tmp_path / "requirements.txt")
    assert codes(check(capsys, *cache, str(child))) == [("LL6004", 1)]
    parent.write_text("FROM python:3.12-slim\n")  # the parent image drops its trigger
    assert codes(check(capsys, *cache, str(child))) == []


def test_corrupt_entries_are_misses_and_no_cache_writes_nothing(tmp_path, capsys):
    df = tmp_path / "Dockerfile"
    df.write_text(APP)
    cache_dir = tmp_path / "cache"
    first = check(capsys, "--cache-dir", str(cache_dir), str(df))
    for entry in cache_dir.glob("*/*.json"):
        entry.write_text("{not json")
    assert check(capsys, "--cache-dir", str(cache_dir), str(df)) == first
    other = tmp_path / "none"
    check(capsys, "--no-cache", "--cache-dir", str(other), str(df))
    assert not other.exists()


def test_worker_processes_give_the_serial_result(tmp_path, capsys):
    files = []
    for i in range(24):
        p = tmp_path / f"s{i}" / "Dockerfile"
        p.parent.mkdir()
        p.write_text(APP.replace("3.12", f"3.{i}") + ("MAINTAINER x\n" if i % 3 == 0 else ""))
        files.append(str(p))
    serial = check(capsys, "--no-cache", "-j", "1", *files)
    parallel = check(capsys, "--no-cache", "-j", "3", *files)
    assert parallel == serial and len(serial) > 24


def test_statistics_count_findings_per_rule(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "Dockerfile").write_text("FROM debian\nMAINTAINER x\nRUN apt-get install curl\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "Dockerfile").write_text("FROM debian\nMAINTAINER y\n")
    main(["check", "--exit-zero", "--no-cache", "--statistics", str(tmp_path)])
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[1]: line for line in lines}
    assert rows["DL4000"].split()[0] == "2" and rows["DL4000"].split()[2] == "*"  # MAINTAINER: safe fix
    assert rows["DL3006"].split()[:2] == ["2", "DL3006"]
    assert lines[0].split()[0] == str(max(int(line.split()[0]) for line in lines))  # most frequent first
