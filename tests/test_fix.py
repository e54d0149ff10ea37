"""`layerlint check --fix / --diff / --unsafe-fixes`, and the fix engine under it.

The command-line tests run the real CLI in a subprocess and look at what a user
would: the bytes of the file afterwards, its mode, the directory listing, stdout,
stderr and the exit code. The Dockerfiles live in `src/` so that nothing else the
CLI may create in its working directory (a result cache) is mistaken for a leftover.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from layerlint import engine
from layerlint.ast import Pos, Range
from layerlint.config import Config
from layerlint.fix import fix_rounds, fix_source, write_atomic
from layerlint.rule import Diagnostic, Edit, Fix

# Every line has a safe fix: DL4000, DL3019 (apk without --no-cache), LL8006 (legacy ENV).
FIXABLE = "FROM alpine:3.20\nMAINTAINER Jane Doe <jane@example.com>\nRUN apk add curl=8.9.1-r1\nENV MODE prod\n"
FIXED = ('FROM alpine:3.20\nLABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"\n'
         "RUN apk add --no-cache curl=8.9.1-r1\nENV MODE=prod\n")


def cli(args, cwd: Path, stdin: bytes | None = None):
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.run([sys.executable, "-m", "layerlint", "check", *args], cwd=cwd, input=stdin,
                       capture_output=True, env=env, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


@pytest.fixture
def src(tmp_path):
    (tmp_path / "src").mkdir()
    return tmp_path / "src"


def write(path: Path, data: bytes, mode: int = 0o644) -> Path:
    path.write_bytes(data)
    os.chmod(path, mode)
    return path


# -- --fix ---------------------------------------------------------------------------------
def test_fix_rewrites_the_file_and_reports_what_remains(src):
    df = write(src / "Dockerfile", (FIXABLE + "FROM debian\n").encode())
    code, out, err = cli(["--fix", "src/Dockerfile"], src.parent)
    assert df.read_text() == FIXED + "FROM debian\n"
    assert "DL3006" in out and "DL4000" not in out and "LL8006" not in out  # only the unfixable finding
    assert code == 1  # from the remaining warning
    assert "fixed 3 findings in 1 file" in err


def test_fix_exit_code_comes_from_the_remaining_findings(src):
    write(src / "Dockerfile", FIXABLE.encode())
    code, out, err = cli(["--fix", "src/Dockerfile"], src.parent)
    assert code == 0, out
    assert "No problems found" in out


def test_fixing_twice_changes_nothing_the_second_time(src):
    df = write(src / "Dockerfile", FIXABLE.encode())
    cli(["--fix", "src/Dockerfile"], src.parent)
    first = df.read_bytes()
    mtime = df.stat().st_mtime_ns
    code, _, err = cli(["--fix", "src/Dockerfile"], src.parent)
    assert df.read_bytes() == first and df.stat().st_mtime_ns == mtime  # not even rewritten
    assert "fixed 0 findings in 0 files" in err


@pytest.mark.parametrize("data", [
    FIXABLE.replace("\n", "\r\n").encode(),  # CRLF stays CRLF
    b"\xef\xbb\xbf" + FIXABLE.encode(),  # the UTF-8 BOM is kept
    FIXABLE.rstrip("\n").encode(),  # no final newline stays so
    ("# \u00e9t\u00e9 \u2014 caf\u00e9\n" + FIXABLE).encode(),  # non-ASCII stays UTF-8
], ids=["crlf", "bom", "no-final-newline", "utf8"])
def test_fix_keeps_the_shape_of_the_file(src, data):
    df = write(src / "Dockerfile", data)
    cli(["--fix", "src/Dockerfile"], src.parent)
    text = data.decode("utf-8-sig")
    crlf = "\r\n" in text
    expected = text.replace("\r\n", "\n").replace(FIXABLE.rstrip("\n"), FIXED.rstrip("\n"))
    expected = expected.replace("\n", "\r\n") if crlf else expected
    assert df.read_bytes() == (b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b"") + expected.encode()


def test_mixed_line_endings_are_kept_line_by_line(src):
    df = write(src / "Dockerfile", b"FROM alpine:3.20\r\nENV MODE prod\nENV LEVEL debug\r\n")
    cli(["--fix", "src/Dockerfile"], src.parent)
    assert df.read_bytes() == b"FROM alpine:3.20\r\nENV MODE=prod\nENV LEVEL=debug\r\n"


def test_input_that_is_not_utf8_is_left_untouched_with_a_message(src):
    data = ("# caf\u00e9\n" + FIXABLE).encode("latin-1")
    df = write(src / "Dockerfile", data)
    code, _, err = cli(["--fix", "src/Dockerfile"], src.parent)
    assert df.read_bytes() == data
    assert "src/Dockerfile: not fixed: not valid UTF-8" in err.replace(os.sep, "/")


def test_utf16_input_gets_the_same_error_as_without_fix(src):
    data = b"\xff\xfe" + FIXABLE.encode("utf-16-le")
    df = write(src / "Dockerfile", data)
    code, out, _ = cli(["--fix", "src/Dockerfile"], src.parent)
    assert df.read_bytes() == data
    assert code == 1 and "not UTF-8 but UTF-16 text" in out


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_fix_keeps_the_file_mode(src, mode):
    df = write(src / "Dockerfile", FIXABLE.encode(), mode)
    cli(["--fix", "src/Dockerfile"], src.parent)
    assert df.read_text() == FIXED
    assert stat.S_IMODE(df.stat().st_mode) == mode


def test_fix_leaves_no_temporary_files(src):
    write(src / "Dockerfile", FIXABLE.encode())
    write(src / "api.Dockerfile", FIXABLE.encode())
    code, _, err = cli(["--fix", "src"], src.parent)
    assert sorted(os.listdir(src)) == ["Dockerfile", "api.Dockerfile"]
    assert "fixed 6 findings in 2 files" in err


def test_fix_follows_a_symlink_and_keeps_it(src):
    target = write(src / "real.Dockerfile", FIXABLE.encode())
    link = src / "Dockerfile"
    link.symlink_to("real.Dockerfile")
    cli(["--fix", "src/Dockerfile"], src.parent)
    assert link.is_symlink() and target.read_text() == FIXED


def test_a_fix_that_would_add_a_finding_is_refused(src):
    # ADD -> COPY is safe, but COPY to a relative destination without WORKDIR is DL3045
    # (which does not look at ADD): the fixed file would have a finding the input has not
    original = b"FROM alpine:3.20\nADD app.sh app/\nRUN apk add curl=8.9.1-r1\n"
    df = write(src / "Dockerfile", original)
    code, out, err = cli(["--fix", "src/Dockerfile"], src.parent)
    assert df.read_bytes() == original  # the other fix (DL3019) is not applied either
    assert "src/Dockerfile: fixes not applied: the fixes would add findings: DL3045" in err.replace(os.sep, "/")
    assert "DL3020" in out and "DL3019" in out
    assert code == 1


def test_unsafe_fixes_only_on_request(src):
    text = "FROM debian:12.5\nRUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u5\n"
    df = write(src / "Dockerfile", text.encode())
    code, _, err = cli(["--fix", "src/Dockerfile"], src.parent)
    assert df.read_text() == text  # DL3015's fix changes what is installed: unsafe
    assert "fixed 0 findings in 0 files (1 more fix available with --unsafe-fixes)" in err
    cli(["--fix", "--unsafe-fixes", "src/Dockerfile"], src.parent)
    assert "apt-get install --no-install-recommends -y curl" in df.read_text()


def test_unreadable_and_missing_files_are_reported_not_fatal(src):
    write(src / "Dockerfile", FIXABLE.encode())
    code, out, err = cli(["--fix", "src/Dockerfile", "src/missing.Dockerfile"], src.parent)
    assert (src / "Dockerfile").read_text() == FIXED
    assert "missing.Dockerfile" in out
    assert code == 1


# -- --diff --------------------------------------------------------------------------------
def test_diff_prints_the_changes_writes_nothing_and_exits_1(src):
    df = write(src / "Dockerfile", FIXABLE.encode())
    mtime = df.stat().st_mtime_ns
    code, out, err = cli(["--diff", "src/Dockerfile"], src.parent)
    assert df.read_bytes() == FIXABLE.encode() and df.stat().st_mtime_ns == mtime
    name = os.path.join("src", "Dockerfile")
    diff = out  # stdout is the diff alone, as in ruff
    assert diff.splitlines()[:3] == [f"--- {name}", f"+++ {name}", "@@ -1,4 +1,4 @@"]
    assert "-MAINTAINER Jane Doe <jane@example.com>\n" in diff
    assert "+RUN apk add --no-cache curl=8.9.1-r1\n" in diff
    assert code == 1
    assert "would fix 3 findings in 1 file" in err
    assert sorted(os.listdir(src)) == ["Dockerfile"]


def test_diff_exits_0_when_there_is_nothing_to_fix(src):
    write(src / "Dockerfile", FIXED.encode() + b"FROM debian\n")  # a finding, but no fix for it
    code, out, err = cli(["--diff", "src/Dockerfile"], src.parent)
    assert code == 0
    assert "--- " not in out
    assert "would fix 0 findings in 0 files" in err


def test_diff_with_exit_zero(src):
    write(src / "Dockerfile", FIXABLE.encode())
    code, out, _ = cli(["--diff", "--exit-zero", "src/Dockerfile"], src.parent)
    assert code == 0 and "+ENV MODE=prod\n" in out


def test_fix_with_json_output_reports_the_remaining_findings(src):
    write(src / "Dockerfile", (FIXABLE + "FROM debian\n").encode())
    code, out, err = cli(["--fix", "--format", "json", "src/Dockerfile"], src.parent)
    remaining = json.loads(out)
    assert "DL3006" in {f["code"] for f in remaining}
    plain_code, plain_out, _ = cli(["--format", "json", "src/Dockerfile"], src.parent)  # the file as it now is
    assert (code, remaining) == (plain_code, json.loads(plain_out))


def test_diff_marks_a_missing_final_newline(src):
    write(src / "Dockerfile", b"FROM alpine:3.20\nENV MODE prod")
    code, out, _ = cli(["--diff", "src/Dockerfile"], src.parent)
    assert out.endswith("-ENV MODE prod\n\\ No newline at end of file\n+ENV MODE=prod\n\\ No newline at end of file\n")


# -- stdin ---------------------------------------------------------------------------------
def test_fix_on_stdin_prints_the_fixed_text(src):
    code, out, err = cli(["--fix", "-", "--stdin-filename", "src/Dockerfile"], src.parent, FIXABLE.encode())
    assert out == FIXED  # stdout is the fixed text alone
    assert "fixed 3 findings in 1 file" in err
    assert os.listdir(src) == []  # nothing is written, not even to the --stdin-filename


def test_fix_on_stdin_keeps_bom_and_crlf(src):
    data = b"\xef\xbb\xbf" + FIXABLE.replace("\n", "\r\n").encode()
    p = subprocess.run([sys.executable, "-m", "layerlint", "check", "--fix", "-"], cwd=src, input=data,
                       capture_output=True, env=dict(os.environ, NO_COLOR="1"), timeout=60)
    assert p.stdout == b"\xef\xbb\xbf" + FIXED.replace("\n", "\r\n").encode()


def test_diff_on_stdin(src):
    code, out, err = cli(["--diff", "-"], src, FIXABLE.encode())
    assert out.startswith("--- -\n+++ -\n") and "+ENV MODE=prod\n" in out
    assert code == 1


# -- the engine ------------------------------------------------------------------------------
def _diag(start: tuple[int, int], end: tuple[int, int], new: str, *edits, safe: bool = True) -> Diagnostic:
    rng = Range(Pos(*start), Pos(*end))
    more = tuple(Edit(Range(Pos(*a), Pos(*b)), t) for a, b, t in edits)
    return Diagnostic("LL0000", "test", "warning", "test", rng, Fix((Edit(rng, new),) + more, safe))


def test_overlapping_fixes_wait_for_the_next_round_and_go_in_whole():
    # round 1 takes the first fix (two edits) and leaves the second, which overlaps it;
    # round 2 is offered the second one again, on the new text, and takes both its edits
    def lint(text):
        out = []
        if text.startswith("ab"):
            out.append(_diag((0, 0), (0, 2), "AB", ((0, 5), (0, 6), "F")))
        if "XY" not in text:
            i = text.index("c") - 1
            out.append(_diag((0, i), (0, i + 2), "XY", ((0, len(text)), (0, len(text)), "!")))
        return out

    done = fix_rounds("abcdef", lint)
    assert (done.text, done.applied, done.converged) == ("AXYdeF!", 2, True)


def test_insertions_at_one_point_keep_their_order_and_a_duplicate_goes_once():
    def lint(text):
        if "-y" in text:
            return []
        return [_diag((0, 11), (0, 11), " -y"), _diag((0, 11), (0, 11), " -y"),
                _diag((0, 11), (0, 11), " --no-install-recommends")]

    done = fix_rounds("apt install curl", lint)
    assert done.text == "apt install -y --no-install-recommends curl"


def test_fixes_that_do_not_settle_are_refused(monkeypatch):
    flip = {"CMD a\n": "CMD b\n", "CMD b\n": "CMD a\n"}

    def lint(text):
        last = text.splitlines(keepends=True)[-1]
        return [_diag((1, 0), (2, 0), flip[last])]

    done = fix_rounds("FROM x\nCMD a\n", lint)
    assert not done.converged

    real = engine.lint_text

    def flipping(text, path=None, config=None):
        res = real(text, path, config)
        res.diagnostics.append(lint(text)[0])
        return res

    monkeypatch.setattr(engine, "lint_text", flipping)
    result = fix_source("FROM alpine:3.20\nCMD a\n", None, Config())
    assert result.text == "FROM alpine:3.20\nCMD a\n"
    assert "do not settle" in result.refused


def test_a_fix_that_breaks_the_syntax_is_refused(monkeypatch):
    real = engine.lint_text

    def breaking(text, path=None, config=None):  # a rule whose fix misspells the keyword
        res = real(text, path, config)
        if "CMX" not in text:
            res.diagnostics.append(_diag((1, 0), (1, 3), "CMX"))
        return res

    monkeypatch.setattr(engine, "lint_text", breaking)
    result = fix_source("FROM alpine:3.20\nCMD [\"app\"]\n", None, Config())
    assert result.text == "FROM alpine:3.20\nCMD [\"app\"]\n"
    assert result.refused.startswith("the fixed file would not parse as before (line 2:")


def test_write_atomic_cleans_up_when_the_rename_fails(tmp_path, monkeypatch):
    df = write(tmp_path / "Dockerfile", b"FROM alpine:3.20\n", 0o640)

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(str(df), b"FROM alpine:3.21\n")
    assert os.listdir(tmp_path) == ["Dockerfile"]
    assert df.read_bytes() == b"FROM alpine:3.20\n"


def test_a_write_error_is_reported_and_the_file_linted_as_it_is(src, monkeypatch):
    from layerlint import fix
    from layerlint.runner import Job, lint_job

    df = write(src / "Dockerfile", FIXABLE.encode())

    def full(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fix, "write_atomic", full)
    outcome = lint_job(Job(str(df), str(df), Config(), "info", fix_mode="safe"))
    assert df.read_text() == FIXABLE
    assert outcome.messages == [f"layerlint: {df}: could not write the fixes: No space left on device"]
    assert outcome.fixed == 0
    assert "DL4000" in {d.code for d in outcome.result.diagnostics}
