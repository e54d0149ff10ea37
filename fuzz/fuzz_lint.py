"""Coverage-guided fuzzing of the parser and the whole lint path with atheris (libFuzzer).

    python fuzz/fuzz_lint.py [libFuzzer options] [CORPUS_DIR]
    python fuzz/fuzz_lint.py -max_total_time=1800 -timeout=20 -artifact_prefix=build/fuzz/ build/fuzz/corpus

Each input is decoded as `layerlint check` decodes a file, parsed, and linted with every
rule (also those off by default); a crash is any exception, a rule that fails (the engine
would only report it), a finding or fix outside the document, or an instruction whose
`original` is not its source text. libFuzzer's `-timeout` turns a hang into a crash too.
Crashes are written as `crash-<sha1>` (under `-artifact_prefix`); keep each as a
regression fixture in tests/fixtures/fuzz/.

Seeds: the first CORPUS_DIR (where libFuzzer also keeps what it finds), the shared corpus of
real Dockerfiles ($LAYERLINT_SHARED/corpus/dockerfiles, default ../shared next to the
project) and tests/fixtures/fuzz. LAYERLINT_FUZZ_SEEDS=N takes only N files of the shared
corpus, spread over it (for short runs). `check_input` needs no atheris: the test suite
also drives it with hypothesis.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "fuzz"
SHARED = Path(os.environ.get("LAYERLINT_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "dockerfiles"


class PropertyBroken(AssertionError):
    """An input on which layerlint misbehaves without raising by itself."""


def _inside(lines: list[str], text: str, rng) -> bool:
    for line, column in rng:
        if line == len(lines) and column == 0 and (not lines or text.endswith("\n")):
            continue  # the end of a file that ends with a line break
        if not (0 <= line < len(lines) and 0 <= column <= len(lines[line])):
            return False
    return rng[0] <= rng[1]


def check_input(data: bytes) -> None:
    """Raise if linting `data` crashes or breaks a property."""
    from layerlint.config import Config
    from layerlint.discover import decode
    from layerlint.engine import lint_text
    from layerlint.rule import all_rules

    src = decode(data, "Dockerfile")
    text = src.text
    result = lint_text(text, config=Config(select=sorted(all_rules())))
    if result.rule_errors:
        raise PropertyBroken(f"rules crashed: {result.rule_errors}")
    doc = result.dockerfile
    for d in result.diagnostics:
        ranges = [d.range] + [e.range for e in (d.fix.edits if d.fix else ())]
        if not all(_inside(doc.lines, doc.text, r) for r in ranges):
            raise PropertyBroken(f"{d.code} points outside the document: {ranges}")
    for ins in doc.instructions:
        anchors = list(ins.offsets)
        ends = [a for a, _ in anchors[1:]] + [len(ins.line_text)]
        for (start, pos), end in zip(anchors, ends):
            piece = ins.line_text[start:end]
            if doc.lines[pos.line][pos.column:pos.column + len(piece)] != piece:
                raise PropertyBroken(f"line {ins.start_line}: {piece!r} is not the source at {pos}")


def seed_files(limit: int | None = None) -> list[Path]:
    """Files of the shared corpus (every one, or `limit` of them spread over it)."""
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file()) if CORPUS.is_dir() else []
    if limit is not None and len(files) > limit > 0:
        step = len(files) / limit
        files = [files[int(i * step)] for i in range(limit)]
    return files


def _seed_dirs(corpus: Path) -> list[str]:
    """The seed directories to read besides `corpus` (libFuzzer writes only into the first)."""
    dirs = [str(FIXTURES)] if FIXTURES.is_dir() else []
    limit = os.environ.get("LAYERLINT_FUZZ_SEEDS")
    if limit is None:
        return dirs + ([str(CORPUS)] if CORPUS.is_dir() else [])
    sample = corpus.parent / f"{corpus.name}-seeds"  # libFuzzer exits the process: no temporary directory
    shutil.rmtree(sample, ignore_errors=True)
    sample.mkdir(parents=True)
    for i, path in enumerate(seed_files(int(limit))):
        shutil.copyfile(path, sample / f"seed-{i:04d}")
    return dirs + [str(sample)]


def main(argv: list[str]) -> None:
    import atheris

    # instrument layerlint (not its dependencies) for coverage feedback: import every module
    # the lint path uses, the rules included, inside the hook
    with atheris.instrument_imports(include=["layerlint"]):
        import layerlint.engine  # noqa: F401
        import layerlint.parser  # noqa: F401
        from layerlint.rule import all_rules

        all_rules()
    args = list(argv)
    corpora = [a for a in args[1:] if not a.startswith("-")]
    if not corpora:
        corpora = [tempfile.mkdtemp(prefix="layerlint-fuzz-corpus-")]
        args.append(corpora[0])
    Path(corpora[0]).mkdir(parents=True, exist_ok=True)
    args += _seed_dirs(Path(corpora[0]))
    atheris.Setup(args, check_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
