"""The README stays true: its Quick start and its rule table match the project."""

from __future__ import annotations

import re
from pathlib import Path

from layerlint.rule import all_rules

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_quick_start_has_exactly_the_two_make_commands():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


def test_rule_table_lists_every_rule_with_its_name_and_severity():
    rows = {m.group(1): (m.group(2), m.group(3)) for m in
            re.finditer(r"^\| (\w+\d{4}) \| ([\w-]+) \| (\w+) \|", README, re.M)}
    rules = all_rules()
    assert set(rows) == set(rules), "README rule table and registered rules differ"
    for code, (name, severity) in rows.items():
        assert (name, severity) == (rules[code].name, rules[code].severity), code
