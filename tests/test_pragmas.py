"""Suppression comments in detail (the CLI tests cover the common cases end to end)."""

from __future__ import annotations

from layerlint import lint_text


def codes(text):
    return [(d.code, d.range.start.line + 1) for d in lint_text(text).diagnostics]


def test_check_directive_after_shebang_is_honoured_but_escape_is_not():
    text = "#!/usr/bin/env docker\n# check=skip=NoEmptyContinuation\nFROM a:1\nRUN a \\\n\n b\n"
    assert codes(text) == []
    text = "#!/usr/bin/env docker\n# escape=`\nFROM a:1\nRUN echo `\n"
    # the backtick is not the escape character here, so the RUN does not continue
    assert lint_text(text).dockerfile.escape == "\\"


def test_instruction_pragma_must_be_directly_above():
    text = "FROM a:1\n# layerlint: ignore=LL1001\n\nRUM x\n"
    assert codes(text) == [("LL1001", 4)]


def test_stacked_pragmas_combine_across_tools():
    text = "FROM a\n# hadolint ignore=DL3006\nFROM b\n# hadolint ignore=LL1001\n# layerlint: ignore=LL1002\nRUM --x y\n"
    assert codes(text) == [("DL3006", 1)]


def test_pragma_covers_every_line_of_a_multiline_instruction():
    text = "FROM a:1\n# layerlint: ignore=invalid-flag\nCOPY \\\n  --bogus=1 \\\n  a /b\n"
    assert codes(text) == []


def test_stage_pragma_covers_the_stage_but_not_its_from_line():
    text = ("# hadolint stage ignore=LL1001,DL3006\nFROM debian\nRUM x\n"
            "FROM alpine:3\nRUM y\n")
    assert codes(text) == [("DL3006", 2), ("LL1001", 5)]


def test_check_skip_all_and_group_references():
    # BuildKit's skip=all skips checks, not errors that stop the build
    assert codes("# check=skip=all\nFROM debian\nRUM x\n") == [("LL1001", 3)]
    assert codes("# layerlint: ignore-file=all\nFROM debian\nRUM x\n") == []
    assert codes("# layerlint: ignore-file=syntax\nFROM debian\nRUM x\n") == [("DL3006", 2)]


def test_reason_after_double_dash_and_hash():
    assert codes("FROM a:1\n# layerlint: ignore=LL1001 -- templated\nRUM x\n") == []
    assert codes("FROM a:1\n# hadolint ignore=LL1001 # templated\nRUM x\n") == []


def test_check_error_true_makes_buildkit_checks_errors():
    from layerlint import lint_text

    res = lint_text("# check=error=true\nFROM debian:12\nCMD echo hi\nRUN a \\\n\n b\n")
    sev = {d.code: d.severity for d in res.diagnostics}
    assert sev["DL3025"] == "error" and sev["LL1005"] == "error"  # JSONArgsRecommended, NoEmptyContinuation
    res = lint_text("FROM debian:12\nCMD echo hi\n")
    assert {d.code: d.severity for d in res.diagnostics}["DL3025"] == "warning"
