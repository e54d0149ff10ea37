"""Every rule, on every corpus file: no exception, no rule error, ranges inside the file."""

from __future__ import annotations

from layerlint.config import _from_table
from layerlint.engine import lint_text


def test_all_rules_lint_the_whole_corpus_without_errors(corpus):
    config = _from_table("all.toml", {"select": ["ALL"]})  # off-by-default rules too
    problems = []
    for path in corpus:
        text = path.read_bytes().decode("utf-8", "replace")
        try:
            res = lint_text(text, str(path), config)
        except Exception as e:  # noqa: BLE001 - collect them all for one readable failure
            problems.append(f"{path.name}: {type(e).__name__}: {e}")
            continue
        problems += [f"{path.name}: rule {code}: {err}" for code, err in res.rule_errors]
        lines = res.dockerfile.lines
        for d in res.diagnostics:
            (sl, sc), (el, ec) = d.range
            if not (0 <= sl <= el <= max(len(lines) - 1, 0) and (sl, sc) <= (el, ec)):
                problems.append(f"{path.name}: {d.code} range {d.range} outside the file")
    assert not problems, "\n".join(problems[:30])

