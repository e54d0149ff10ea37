"""Findings per rule over a corpus, with every rule enabled (docs/corpus-findings.md).

    python benchmarks/corpus_findings.py [DIR] > docs/corpus-findings.md

DIR defaults to ../shared/corpus/dockerfiles beside the repository. For each rule:
how many findings, in how many files, and the first few places, so that a sample of
each rule can be reviewed by hand for false positives.
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

from layerlint.config import _from_table
from layerlint.engine import lint_text
from layerlint.rule import all_rules

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "dockerfiles"
    files = sorted(p for p in root.rglob("*") if p.is_file())
    config = _from_table("all.toml", {"select": ["ALL"]})
    counts: collections.Counter = collections.Counter()
    in_files: dict[str, set] = collections.defaultdict(set)
    samples: dict[str, list] = collections.defaultdict(list)
    for p in files:
        res = lint_text(p.read_bytes().decode("utf-8", "replace"), str(p), config)
        for d in res.diagnostics:
            counts[d.code] += 1
            in_files[d.code].add(p)
            if len(samples[d.code]) < 3:
                samples[d.code].append(f"{p.relative_to(root)}:{d.range.start.line + 1}")
    rules = all_rules()
    print("# Findings per rule on the development corpus\n")
    print(f"{len(files)} files, every rule enabled (also those off by default). "
          "Regenerate with `python benchmarks/corpus_findings.py > docs/corpus-findings.md`.\n")
    print("| Code | Name | Default | Findings | Files | First places |")
    print("| --- | --- | --- | ---: | ---: | --- |")
    for code, rule in rules.items():
        default = "on" if rule.enabled_by_default else "off"
        print(f"| {code} | {rule.name} | {default} | {counts[code]} | {len(in_files[code])} | "
              f"{'<br>'.join(samples[code])} |")


if __name__ == "__main__":
    main()
