"""The runner hands outcomes over in the order of the files, each as soon as it can."""

from __future__ import annotations

from layerlint import runner
from layerlint.config import Config
from layerlint.reporters import FileResult


def _job(name: str) -> runner.Job:
    return runner.Job(name, None, Config(), "error", text="FROM scratch\n")


def test_outcomes_come_in_file_order_as_soon_as_their_turn_comes(monkeypatch):
    finished: list[int] = []

    def out_of_order(jobs, indexes, workers):
        for i in (1, 0, 3, 2):  # how worker processes might finish
            finished.append(i)
            yield i, (runner.Outcome(FileResult(jobs[indexes.index(i)].name), False), {})

    monkeypatch.setattr(runner, "_lint_all", out_of_order)
    stream = runner.run_in_order([_job(f"f{i}") for i in range(4)], workers=2)
    assert next(stream).result.path == "f0" and finished == [1, 0]  # f0 as soon as it is done
    assert next(stream).result.path == "f1" and finished == [1, 0]  # f1 was waiting already
    assert next(stream).result.path == "f2" and finished == [1, 0, 3, 2]
    assert [o.result.path for o in stream] == ["f3"]


def test_report_lines_keep_only_what_findings_and_fixes_cover():
    from layerlint.engine import lint_text

    text = "FROM debian\n# a comment\nRUN cd /tmp && \\\n    make\nWORKDIR app\n"
    result = lint_text(text)
    lines = runner.report_lines(result.dockerfile.lines, result.diagnostics)
    assert len(lines) == len(result.dockerfile.lines)
    covered = {n for d in result.diagnostics for n in range(d.range.start.line, d.range.end.line + 1)}
    assert covered and all(lines[n] == result.dockerfile.lines[n] for n in covered)
    assert lines[1] == ""  # the comment: no finding there
