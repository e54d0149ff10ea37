"""Twin fixtures: for each analysis area, a realistic Dockerfile with several
mistakes of that area (bad/) and its corrected twin (good/).

    tests/fixtures/twins/<area>/bad/Dockerfile    must report every code of expected.yml
    tests/fixtures/twins/<area>/good/Dockerfile   must report nothing at all
    tests/fixtures/twins/<area>/expected.yml      codes: [...]; optional config: {...}

Each Dockerfile sits in its own directory, so that a `.dockerignore` next to it
is the one the context rules (LL4001, LL4002) read. Both files of an area are
linted with the default rules plus the area's `config` (TOML-style keys, as in
`[tool.layerlint]`).
"""

from pathlib import Path

import pytest
import yaml

from layerlint.config import _from_table
from layerlint.engine import lint_text
from layerlint.rule import all_rules

TWINS = Path(__file__).resolve().parent / "fixtures" / "twins"

AREAS = [
    "cache",
    "entrypoint",
    "copy",
    "dockerignore",
    "user",
    "security",
    "onbuild",
    "stages-variables",
    "buildkit-checks",
    "hadolint-packages",
]


def _expected(area: str) -> dict:
    data = yaml.safe_load((TWINS / area / "expected.yml").read_text(encoding="utf-8")) or {}
    assert isinstance(data, dict), f"{area}/expected.yml must be a mapping"
    unknown = set(data) - {"codes", "config"}
    assert not unknown, f"{area}/expected.yml: unknown keys {sorted(unknown)}"
    return data


def _lint(area: str, variant: str):
    data = _expected(area)
    cfg = _from_table("twin.toml", data.get("config") or {})
    file = TWINS / area / variant / "Dockerfile"
    result = lint_text(file.read_text(encoding="utf-8"), path=str(file), config=cfg)
    # A rule that crashed has its findings dropped: that must not pass for "clean".
    assert not result.rule_errors, f"{area}/{variant}: rules crashed: {result.rule_errors}"
    return result


def _describe(result) -> str:
    return "\n".join(f"  {d.range.start}: {d.code} {d.message}" for d in result.diagnostics) or "  (none)"


def test_every_area_has_its_twins():
    present = sorted(p.name for p in TWINS.iterdir() if p.is_dir())
    assert present == sorted(AREAS)
    for area in AREAS:
        for variant in ("bad", "good"):
            assert (TWINS / area / variant / "Dockerfile").is_file(), f"{area}/{variant}/Dockerfile is missing"


@pytest.mark.parametrize("area", AREAS)
def test_expected_codes_are_rules(area):
    codes = _expected(area).get("codes")
    assert codes, f"{area}/expected.yml lists no codes"
    registry = all_rules()
    assert not [c for c in codes if c not in registry], f"{area}: unknown rule codes"
    assert len(codes) == len(set(codes)), f"{area}: a code is listed twice"


@pytest.mark.parametrize("area", AREAS)
def test_bad_twin_reports_expected_codes(area):
    result = _lint(area, "bad")
    reported = {d.code for d in result.diagnostics}
    missing = [c for c in _expected(area)["codes"] if c not in reported]
    assert not missing, f"{area}/bad/Dockerfile does not report {missing}; it reports:\n{_describe(result)}"


@pytest.mark.parametrize("area", AREAS)
def test_good_twin_is_clean(area):
    result = _lint(area, "good")
    assert not result.diagnostics, f"{area}/good/Dockerfile is not clean:\n{_describe(result)}"


def test_dockerignore_bad_twin_has_no_ignore_file():
    # LL4002 is about a missing .dockerignore: the bad twin must really lack one,
    # and the good twin must have one (which LL4001 then checks against its COPYs).
    bad, good = TWINS / "dockerignore" / "bad", TWINS / "dockerignore" / "good"
    assert not (bad / ".dockerignore").exists() and not (bad / "Dockerfile.dockerignore").exists()
    assert (good / ".dockerignore").is_file()
