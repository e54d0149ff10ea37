"""`--fix` over the whole shared corpus, safe fixes and safe + unsafe ones.

For every file: the fixes settle, fixing the result again changes nothing, the
fixed file parses with no parser issue the input did not have, no finding code
occurs more often than before (every rule enabled, off-by-default ones too), and
the bytes keep the input's BOM, line endings and final newline. A file whose fixes
would add a finding is left as it is: that may happen (one rule's fix can make
another rule's pattern appear, e.g. ADD -> COPY under DL3045, which checks only
COPY), but must stay rare, and a refusal for any other reason is a bug.

It runs the fix layer in process (`fix_file` on the bytes, writing nothing), not the CLI.
"""

from __future__ import annotations

from collections import Counter

import pytest

from layerlint.config import _from_table
from layerlint.discover import decode
from layerlint.engine import lint_text
from layerlint.fix import BOM, fix_file

CONFIG = _from_table("all.toml", {"select": ["ALL"]})
ACCEPTED_REFUSAL = "fixes not applied: the fixes would add findings:"


@pytest.fixture(scope="module")
def safe_pass():
    """path -> result of the safe pass, which the unsafe pass reuses where no unsafe fix is offered."""
    return {}


def _check(path, data: bytes, unsafe: bool) -> tuple[str, object]:
    """('refused', message) | ('changed', fix) | ('unchanged', fix); asserts the round-trip properties."""
    name = str(path)
    fixed = fix_file(None, name, CONFIG, data=data, unsafe=unsafe, write=False)
    if fixed.messages:
        return "refused", fixed.messages[0]
    if not fixed.changed:
        return "unchanged", fixed
    again = fix_file(None, name, CONFIG, data=fixed.data, unsafe=unsafe, write=False)
    assert not again.changed and again.applied == 0 and not again.messages, f"{name}: a second --fix changes it"

    before, after = decode(data, name).text, decode(fixed.data, name).text
    assert after == fixed.text
    assert fixed.data.startswith(BOM) == data.startswith(BOM), f"{name}: BOM"
    if "\r\n" in before and before.count("\r\n") == before.count("\n"):
        assert after.count("\r\n") == after.count("\n"), f"{name}: CRLF line endings lost"
    assert before.endswith("\n") == after.endswith("\n"), f"{name}: final newline"

    old, new = lint_text(before, name, CONFIG), lint_text(after, name, CONFIG)
    new_issues = Counter(i.kind for i in new.dockerfile.all_issues) - \
        Counter(i.kind for i in old.dockerfile.all_issues)
    assert not new_issues, f"{name}: the fixed file has new parser issues {dict(new_issues)}"
    added = Counter(d.code for d in new.diagnostics) - Counter(d.code for d in old.diagnostics)
    assert not added, f"{name}: the fixes add findings {dict(added)}"
    assert not new.rule_errors, f"{name}: rules fail on the fixed file: {new.rule_errors}"
    return "changed", fixed


def _figures(results: dict) -> str:
    """The numbers the report quotes (`pytest -s` shows them)."""
    changed = [r for kind, r in results.values() if kind == "changed"]
    refusals = [r for kind, r in results.values() if kind == "refused"]
    # "layerlint: NAME: fixes not applied: the fixes would add findings: DL3008 (2), DL3045" -> per code, files
    by_code = Counter(code.split(" ")[0] for r in refusals for code in r.rsplit(": ", 1)[1].split(", "))
    return (f"{len(results)} files: {len(changed)} changed, {sum(r.applied for r in changed)} fixes applied, "
            f"{len(refusals)} refused (files per added finding: {dict(sorted(by_code.items()))})")


def _assert_corpus(results: dict) -> None:
    refusals = {p: r for p, (kind, r) in results.items() if kind == "refused"}
    wrong = {p: r for p, r in refusals.items() if ACCEPTED_REFUSAL not in r}
    assert not wrong, "refused for a reason other than an added finding:\n" + "\n".join(wrong.values())
    assert len(refusals) <= 0.02 * len(results), "too many refusals:\n" + "\n".join(refusals.values())
    print(_figures(results))


def test_safe_fixes_round_trip_over_the_corpus(corpus, safe_pass):
    for path in corpus:
        safe_pass[path] = _check(path, path.read_bytes(), unsafe=False)
    _assert_corpus(safe_pass)


def test_safe_and_unsafe_fixes_round_trip_over_the_corpus(corpus, safe_pass):
    results = {}
    for path in corpus:
        kind, fixed = safe_pass.get(path) or (None, None)
        if kind == "unchanged" and fixed.unsafe_left == 0:
            results[path] = (kind, fixed)  # no unsafe fix was offered: the same result
            continue
        results[path] = _check(path, path.read_bytes(), unsafe=True)
    _assert_corpus(results)
