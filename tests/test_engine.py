"""The engine: registration rules, dispatch (including ONBUILD), stage hooks, selection."""

from __future__ import annotations


import pytest

from layerlint import lint_text
from layerlint.config import _from_table
from layerlint.rule import RegistryError, Rule, all_rules, register, resolve


def test_registration_validates_metadata_and_docs():
    all_rules()
    class NoDocs(Rule):
        code, name, groups, severity = "LL9990", "no-docs", ("style",), "warning"

    with pytest.raises(RegistryError, match="no docstring"):
        register(NoDocs)

    class BadName(Rule):
        """Summary.

        ## Why is this bad?
        ## Example
        ## Use instead
        """
        code, name, groups, severity = "LL9991", "Bad_Name", ("style",), "warning"

    with pytest.raises(RegistryError, match="kebab-case"):
        register(BadName)

    class Duplicate(BadName):
        """Summary.

        ## Why is this bad?
        ## Example
        ## Use instead
        """
        code, name = "DL3006", "duplicate-code"

    with pytest.raises(RegistryError, match="already used"):
        register(Duplicate)

    class FixWithoutDocs(BadName):
        """Summary.

        ## Why is this bad?
        ## Example
        ## Use instead
        """
        code, name, fixable = "LL9992", "fix-without-docs", "always"

    with pytest.raises(RegistryError, match="## Fix"):
        register(FixWithoutDocs)
    assert "LL9992" not in all_rules()


def test_selectors_resolve_codes_names_aliases_groups_prefixes():
    assert resolve("dl3006") == {"DL3006"}
    assert resolve("untagged-image") == {"DL3006"}
    assert resolve("NoEmptyContinuation") == {"LL1005"}
    assert resolve("noemptycontinuation") == set()  # BuildKit names are case-sensitive
    assert {"DL1000", "LL1001", "LL1002"} <= resolve("syntax")
    assert resolve("LL100") >= {"LL1001", "LL1002", "LL1003"}
    assert resolve("ALL") == set(all_rules())


def cfg(**table):
    return _from_table("t.toml", {k.replace("_", "-"): v for k, v in table.items()})


def test_select_extend_ignore_severity_and_per_file_ignores():
    text = "FROM debian\nRUM x\n"
    codes = lambda c, path="Dockerfile": sorted(d.code for d in lint_text(text, path, c).diagnostics)  # noqa: E731
    assert codes(cfg()) == ["DL3006", "LL1001"]
    assert codes(cfg(select=["stages"])) == ["DL3006"]
    assert codes(cfg(select=["stages"], extend_select=["LL1001"])) == ["DL3006", "LL1001"]
    assert codes(cfg(ignore=["syntax"])) == ["DL3006"]
    assert codes(cfg(per_file_ignores={"legacy/*": ["DL3006"]}), "legacy/Dockerfile") == ["LL1001"]
    assert codes(cfg(per_file_ignores={"legacy/*": ["DL3006"]}), "app/Dockerfile") == ["DL3006", "LL1001"]
    sev = {d.code: d.severity for d in lint_text(text, None, cfg(severity={"DL3006": "error"})).diagnostics}
    assert sev == {"DL3006": "error", "LL1001": "error"}
    assert codes(cfg(severity={"LL1001": "off"})) == ["DL3006"]


def test_onbuild_triggers_are_dispatched_to_onbuild_rules():
    seen = []

    class Spy(Rule):
        visits = ("RUN",)
        onbuild = True
        code, name, severity, groups = "LL9993", "spy", "info", ("style",)

        def check(self, ins, ctx):
            seen.append((ins.keyword, ins.parent is not None, ctx.stage_of(ins).index))


    import layerlint.engine as engine
    original = engine.all_rules
    engine.all_rules = lambda: {**original(), "LL9993": Spy}
    try:
        lint_dockerfile_text = "FROM a:1\nRUN x\nONBUILD RUN y\nFROM b:1\nonbuild run z\n"
        from layerlint.parser import parse
        from layerlint.config import Config

        c = Config()
        c.rule_severities = lambda path=None: {"LL9993": "info"}
        engine.lint_dockerfile(parse(lint_dockerfile_text), None, c)
    finally:
        engine.all_rules = original
    assert seen == [("RUN", False, 0), ("RUN", True, 0), ("RUN", True, 1)]


def test_diagnostics_are_sorted_and_carry_urls():
    res = lint_text("RUM a\nFROM debian\n")
    assert [d.range.start.line for d in res.diagnostics] == sorted(d.range.start.line for d in res.diagnostics)
    assert all(d.url for d in res.diagnostics)


def test_a_crashing_rule_does_not_lose_the_other_findings(monkeypatch, capsys):
    import layerlint.engine as engine
    from layerlint.config import Config

    class Broken(Rule):
        visits = ("FROM",)
        code, name, severity, groups = "LL9994", "broken", "error", ("style",)

        def check(self, ins, ctx):
            ctx.report(self, ins.keyword_range, "partial")
            raise ValueError("boom")

    original = engine.all_rules
    monkeypatch.setattr(engine, "all_rules", lambda: {**original(), "LL9994": Broken})
    monkeypatch.setattr(Config, "rule_severities",
                        lambda self, path=None: {"LL9994": "error", "DL3006": "warning"})
    res = engine.lint_text("FROM debian\n")
    assert [d.code for d in res.diagnostics] == ["DL3006"]
    assert res.rule_errors == [("LL9994", "ValueError: boom")]


def test_a_buildkit_check_and_its_hadolint_twin_report_one_finding():
    from layerlint.config import _from_table

    text = "FROM alpine:3.20\nENV DB_PASSWORD=x\n"
    both = lint_text(text, config=_from_table("x.toml", {"select": ["DL3064", "LL8007"]})).diagnostics
    assert [(d.code, d.range.start.line) for d in both] == [("DL3064", 1)]
    alone = lint_text(text, config=_from_table("x.toml", {"select": ["LL8007"]})).diagnostics
    assert [(d.code, d.range.start.line) for d in alone] == [("LL8007", 1)]
