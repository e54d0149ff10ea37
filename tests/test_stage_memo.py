"""Incremental linting in the language server: with a StageMemo (and the parser's
InstructionCache), linting after an edit gives exactly the findings of a fresh lint."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from layerlint.engine import StageMemo, lint_dockerfile
from layerlint.parser import InstructionCache, parse

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dockerfiles"
EDITS = ["RUN apt-get update", "COPY --from=build /out /usr/local/bin/", "ARG VERSION", "USER app",
         "FROM alpine:3.20 AS extra", "ENV PATH=/opt/bin:$PATH", "# a comment", "", "WORKDIR app",
         "RUN pip install flask", "CMD echo $VERSION", "ONBUILD COPY . /app", "HEALTHCHECK CMD true"]


def findings(result):
    return [(d.code, d.range, d.message, d.severity, d.fix) for d in result.diagnostics]


def lint_sequence(texts: list[str], path: str) -> None:
    cache, memo = InstructionCache(), StageMemo()
    for text in texts:
        incremental = lint_dockerfile(parse(text, path, cache), path, memo=memo)
        fresh = lint_dockerfile(parse(text, path), path)
        assert findings(incremental) == findings(fresh), text


def edited_versions(text: str, rng: random.Random, count: int) -> list[str]:
    lines = text.split("\n")
    out = [text]
    for _ in range(count):
        i = rng.randrange(len(lines) + 1)
        op = rng.choice(["insert", "replace", "delete", "append"])
        piece = rng.choice(EDITS)
        if op == "insert":
            lines.insert(i, piece)
        elif op == "replace" and i < len(lines):
            lines[i] = piece
        elif op == "delete" and i < len(lines) and len(lines) > 1:
            del lines[i]
        elif i < len(lines):
            lines[i] += " x"
        out.append("\n".join(lines))
    return out


def corpus_sample(n: int) -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is not there: the shared corpus sits beside the repository")
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    return random.Random(7).sample(files, n)


@pytest.mark.parametrize("seed", range(3))
def test_incremental_lint_equals_fresh_lint_on_corpus_edits(seed):
    rng = random.Random(seed)
    for path in corpus_sample(40)[seed::3]:
        text = path.read_text(encoding="utf-8", errors="replace")
        lint_sequence(edited_versions(text, rng, 6), str(path))


def test_unchanged_stages_are_reused():
    text = "FROM alpine:3.20 AS a\nRUN apk add curl\nFROM a AS b\nRUN echo b\nFROM alpine:3.20 AS c\nRUN echo c\n"
    cache, memo = InstructionCache(), StageMemo()
    lint_dockerfile(parse(text, "Dockerfile", cache), "Dockerfile", memo=memo)
    lint_dockerfile(parse(text.replace("echo c", "echo cc"), "Dockerfile", cache), "Dockerfile", memo=memo)
    assert memo.reused == 2  # stages a and b; c changed


def test_a_stage_checked_again_sees_what_its_replayed_base_stage_wrote():
    """The base stage writes apt's Assume-Yes setting; only the stage built on it is edited, so
    only that stage is checked again: DL3014 must still see the setting (it was read from the
    base stage's notes, which a replayed stage does not leave)."""
    v1 = ("FROM debian:12 AS base\nRUN echo 'APT::Get::Assume-Yes \"true\";' > /etc/apt/apt.conf.d/90yes\n"
          "FROM base\nRUN apt-get update && apt-get install --no-install-recommends curl=1 \\\n"
          " && rm -rf /var/lib/apt/lists/*\n")
    lint_sequence([v1, v1.replace("curl=1", "curl=2"), v1.replace("curl=1", "curl=3")], "Dockerfile")
