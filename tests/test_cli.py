"""The command line as users and CI see it: output, exit codes, config, suppressions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from layerlint.cli import main


def run(args, cwd: Path, stdin: str | None = None):
    """Run the CLI in a subprocess (real exit codes, real stdout)."""
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.run([sys.executable, "-m", "layerlint", *args], cwd=cwd, input=stdin, capture_output=True,
                       text=True, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def findings(args, cwd, stdin=None):
    code, out, err = run(["check", "--format", "json", *args], cwd, stdin)
    return code, json.loads(out), err


@pytest.fixture
def project(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM debian\nMAINTAINER me\n")
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "api.Dockerfile").write_text("FROM alpine:3.20\nRUN echo ok\n")
    (tmp_path / "svc" / "Containerfile.dev").write_text("FROM alpine:3.20\nRUM echo typo\n")
    (tmp_path / "svc" / "notes.txt").write_text("FROM debian\n")
    return tmp_path


def test_discovers_dockerfile_names_recursively(project):
    code, out, _ = findings([], project)
    files = {f["file"] for f in out}
    assert files == {"Dockerfile", os.path.join("svc", "Containerfile.dev")}
    assert code == 1


def test_json_fields_are_one_based_with_ranges(project):
    _, out, _ = findings(["Dockerfile", "--select", "DL3006"], project)
    assert out == [{"file": "Dockerfile", "code": "DL3006", "name": "untagged-image", "severity": "warning",
                    "message": out[0]["message"], "line": 1, "column": 6, "end_line": 1, "end_column": 12,
                    "fix": None, "url": out[0]["url"]}]


def test_clean_file_exits_zero(project):
    code, out, _ = findings([str(Path("svc") / "api.Dockerfile")], project)
    assert (code, out) == (0, [])


def test_failure_threshold_and_exit_zero(project):
    (project / "warn.Dockerfile").write_text("FROM debian\n")
    assert run(["check", "warn.Dockerfile", "--failure-threshold", "error"], project)[0] == 0
    assert run(["check", "warn.Dockerfile", "--failure-threshold", "warning"], project)[0] == 1
    assert run(["check", "warn.Dockerfile", "--exit-zero"], project)[0] == 0


def test_missing_path_is_reported_and_others_still_linted(project):
    code, out, _ = findings(["does-not-exist", "Dockerfile", "--select", "DL3006"], project)
    assert code == 1
    assert {f["file"] for f in out} == {"does-not-exist", "Dockerfile"}
    assert any(f["code"] == "IOERROR" for f in out)


def test_unparsable_file_fails_even_below_threshold(project):
    (project / "bad.Dockerfile").write_text('FROM alpine:3.20\nCMD ["a", 1]\n')
    code, out, _ = findings(["bad.Dockerfile", "--failure-threshold", "none", "--ignore", "DL1000"], project)
    assert code == 1 and out == []


def test_stdin_with_filename(project):
    code, out, _ = findings(["-", "--stdin-filename", "web/Dockerfile", "--select", "DL3006"], project,
                            stdin="FROM ubuntu\n")
    assert code == 1 and [f["file"] for f in out] == ["web/Dockerfile"]


def test_tty_output_has_code_frame_and_summary(project):
    code, out, _ = run(["check", "Dockerfile", "--select", "DL3006"], project)
    assert "Dockerfile:1:6: DL3006 warning" in out
    assert "  1 | FROM debian\n    |      ^^^^^^" in out
    assert "Found 1 problem (1 warning) in 1 of 1 file." in out
    assert "\x1b[" not in out  # no colour when not a terminal


def test_config_file_is_found_upwards_and_applies(project):
    (project / ".layerlint.toml").write_text('ignore = ["DL3006"]\nseverity = { "untagged-image" = "error" }\n')
    _, out, _ = findings(["Dockerfile"], project)
    assert "DL3006" not in {f["code"] for f in out}
    (project / ".layerlint.toml").write_text('select = ["DL3006"]\nseverity = { "untagged-image" = "error" }\n')
    code, out, _ = findings(["svc/../Dockerfile"], project)
    assert [(f["code"], f["severity"]) for f in out] == [("DL3006", "error")]


def test_pyproject_tool_table(project):
    (project / "pyproject.toml").write_text('[tool.layerlint]\nselect = ["stages"]\n')
    _, out, _ = findings(["Dockerfile"], project)
    assert {f["code"] for f in out} == {"DL3006"}


def test_hadolint_yaml_config(project):
    (project / "hl.yaml").write_text("ignored: [DL3006]\nfailure-threshold: error\n")
    code, out, _ = findings(["Dockerfile", "--config", "hl.yaml", "--select", "DL3006,LL1001"], project)
    assert out == [] and code == 0


@pytest.mark.parametrize("content,needle", [
    ('select = "DL3006"\n', "'select' must be a list"),
    ('nonsense = 1\n', "unknown key 'nonsense'"),
    ('ignore = ["NOPE9"]\n', "unknown rule or group 'NOPE9'"),
    ('failure-threshold = "loud"\n', "'failure-threshold' must be one of"),
    ('select = [\n', "invalid TOML"),
])
def test_broken_config_is_exit_2_naming_file_and_key(project, content, needle):
    (project / ".layerlint.toml").write_text(content)
    code, out, err = run(["check", "Dockerfile"], project)
    assert code == 2
    assert ".layerlint.toml" in err and needle in err


def test_unknown_selector_on_command_line_is_exit_2(project):
    code, _, err = run(["check", "Dockerfile", "--select", "NOPE1"], project)
    assert code == 2 and "NOPE1" in err


def test_binary_and_non_utf8_files_do_not_crash(project):
    (project / "bin.Dockerfile").write_bytes(bytes(range(256)) * 4)
    (project / "latin1.Dockerfile").write_bytes("FROM debian:12\nLABEL author=J\xf6rg\n".encode("latin-1"))
    code, out, err = findings(["bin.Dockerfile", "latin1.Dockerfile"], project)
    assert code in (0, 1) and "Traceback" not in err


def test_unreadable_file(project):
    if os.geteuid() == 0:
        pytest.skip("root can read any file")
    p = project / "secret.Dockerfile"
    p.write_text("FROM debian:12\n")
    p.chmod(0)
    code, out, _ = findings(["secret.Dockerfile"], project)
    assert code == 1 and out[0]["code"] == "IOERROR"


def test_parse_command_json(project):
    (project / "h.Dockerfile").write_text("FROM alpine:3.20\nCOPY <<EOF /etc/motd\nhello\nEOF\n")
    code, out, _ = run(["parse", "h.Dockerfile"], project)
    tree = json.loads(out)
    copy = tree["instructions"][1]
    assert code == 0
    assert copy["instruction"] == "COPY" and copy["value"] == ["<<EOF", "/etc/motd"]
    assert copy["heredocs"][0]["name"] == "EOF" and copy["heredocs"][0]["content"] == "hello\n"
    assert copy["start_line"] == 2 and copy["end_line"] == 4
    assert copy["words"][1]["range"] == {"start": {"line": 2, "column": 12}, "end": {"line": 2, "column": 21}}


def test_rules_and_rule_commands(project, capsys):
    assert main(["rules", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    entry = next(r for r in listed if r["code"] == "LL1005")
    assert entry["aliases"] == ["NoEmptyContinuation"] and entry["fixable"] == "always"
    assert main(["rule", "NoEmptyContinuation"]) == 0
    doc = capsys.readouterr().out
    assert doc.startswith("LL1005 empty-continuation-line") and "## Why is this bad?" in doc
    assert main(["rule", "XX0000"]) == 2


def test_suppression_comments(project):
    (project / "s.Dockerfile").write_text(
        "# hadolint global ignore=DL3007\n"
        "FROM debian\n"
        "# layerlint: ignore=LL1001 -- generated by a template\n"
        "# hadolint ignore=LL1002\n"
        "RUM x\n"
        "RUM y\n"
        "# check=skip=NoEmptyContinuation\n"
        "RUN a \\\n\n  b\n")
    _, out, _ = findings(["s.Dockerfile", "--select", "syntax,DL3006"], project)
    assert [(f["code"], f["line"]) for f in out] == [("DL3006", 2), ("LL1001", 6)]
    _, out, _ = findings(["s.Dockerfile", "--select", "syntax,DL3006", "--disable-ignore-pragmas"], project)
    assert [(f["code"], f["line"]) for f in out] == [("DL3006", 2), ("LL1001", 5), ("LL1001", 6), ("LL1005", 8)]


def test_suppression_file_wide_and_check_directive(project):
    (project / "f.Dockerfile").write_text("# check=skip=NoEmptyContinuation\n"
                                          "# layerlint: ignore-file=untagged-image\n"
                                          "FROM debian\nRUN a \\\n\n  b\n")
    _, out, _ = findings(["f.Dockerfile", "--select", "LL1005,DL3006"], project)
    assert out == []


def test_command_exit_codes_and_a_reader_that_goes_away(tmp_path):
    """The `layerlint` command leaves without tearing the interpreter down (layerlint.cli.entry):
    its exit code is still main's, everything written is flushed, and a pipe closed by its
    reader ends the run quietly."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian\nRUN apt-get install -y curl\n" * 200)
    cmd = [sys.executable, "-m", "layerlint", "check", "--no-cache"]
    full = subprocess.run([*cmd, str(bad)], capture_output=True, text=True)
    assert full.returncode == 1 and full.stdout.rstrip().endswith("in 1 of 1 file.")  # the last line, flushed
    clean = tmp_path / "clean" / "Dockerfile"
    clean.parent.mkdir()
    clean.write_text("FROM scratch\nCOPY app /app\n")
    assert subprocess.run([*cmd, str(clean)], capture_output=True).returncode == 0
    proc = subprocess.Popen([*cmd, str(bad)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (0, 1) and b"Traceback" not in err and b"Exception ignored" not in err
