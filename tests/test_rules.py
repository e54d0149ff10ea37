"""Every rule: its fixture cases, its documented examples, its registration."""

from __future__ import annotations

import pytest

from layerlint.rule import all_rules
from rule_fixtures import FIXTURES, findings, fixed, load_cases, positions

CASES = load_cases()


@pytest.mark.parametrize("code,name,case,path", CASES, ids=[f"{c}-{n}" for c, n, _, _ in CASES])
def test_fixture_case(code, name, case, path):
    extra = case.get("config")
    files = case.get("files")
    if "pass" in case:
        got = findings(code, case["pass"], extra, files)
        assert got == [], f"{code} should not fire: {[d.message for d in got]}"
    if "fail" in case:
        got = findings(code, case["fail"], extra, files)
        expected = sorted((v["line"], v["column"], v["end_line"], v["end_column"]) for v in case["violations"])
        assert positions(got) == expected, [d.message for d in got]
        for v, d in zip(sorted(case["violations"], key=lambda v: (v["line"], v["column"])),
                        sorted(got, key=lambda d: d.range.start)):
            if "message" in v:
                assert v["message"] in d.message
        if "fixed" in case:
            assert fixed(code, case["fail"], extra, case.get("unsafe", False), files) == case["fixed"]


RULES = all_rules()


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_fixture_with_pass_and_fail(code):
    path = FIXTURES / f"{code}.yml"
    assert path.is_file(), f"{code} has no fixture file {path.name}"
    mine = [c for c, _, _, _ in CASES if c == code]
    kinds = {k for c, _, case, _ in CASES if c == code for k in ("pass", "fail") if k in case}
    assert mine and kinds == {"pass", "fail"}, f"{code} needs passing and failing cases"


@pytest.mark.parametrize("code", sorted(RULES))
def test_documented_examples(code):
    rule = RULES[code]
    bad, good = rule.examples()
    assert bad and good, f"{code}: docstring examples must be fenced code blocks"
    assert findings(code, bad, rule.example_config, rule.example_files), \
        f"{code}: the '## Example' does not trigger the rule"
    assert not findings(code, good, rule.example_config, rule.example_files), \
        f"{code}: the '## Use instead' triggers the rule"


@pytest.mark.parametrize("code", sorted(RULES))
def test_fix_declaration_matches_behaviour(code):
    rule = RULES[code]
    bad, _ = rule.examples()
    diags = findings(code, bad, rule.example_config, rule.example_files)
    if rule.fixable == "never":
        assert all(d.fix is None for d in diags), f"{code} declares no fix but produced one"
    if rule.fixable == "always":
        assert all(d.fix is not None for d in diags), f"{code} declares fixes always but produced none"


def test_fixture_files_name_registered_rules():
    for c, _, _, path in CASES:
        assert c in RULES, f"{path.name} refers to unknown rule {c}"
        assert path.stem == c


@pytest.mark.parametrize("code", sorted(c for c, r in RULES.items() if r.onbuild))
def test_onbuild_rules_have_a_failing_onbuild_case(code):
    failing = [case["fail"] for c, _, case, _ in CASES if c == code and "fail" in case]
    assert any("onbuild" in text.lower() for text in failing), f"{code} applies inside ONBUILD: add a failing case"
