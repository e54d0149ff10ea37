"""Incremental linting in the language server: with a StageMemo (and the parser's
InstructionCache), linting after an edit gives exactly the findings of a fresh lint."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from layerlint.config import Config
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


# Instructions whose findings depend on other stages: apt.conf settings, users, variables,
# stage references by name, number and variable, ONBUILD triggers, BuildKit features, pragmas.
BLOCKS = [
    "RUN echo 'APT::Get::Assume-Yes \"true\";' > /etc/apt/apt.conf.d/90yes",
    "RUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/00r",
    "RUN apt-get update && apt-get install curl", "RUN apt-get update",
    "RUN apt-get install -y --no-install-recommends git=1 && rm -rf /var/lib/apt/lists/*",
    "RUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y wget",
    "USER app", "USER root", "USER 1000", "USER nobody:nogroup", "RUN useradd app",
    "ARG V=1", "ARG V", "ENV X=$V", "ENV PATH=/opt/bin:$PATH", "ENV A=$GLOBAL_V", "WORKDIR /app", "WORKDIR rel",
    "COPY --from=s0 /a /b", "COPY --from=s1 /x /y", "COPY --from=0 /x /y", "COPY --from=nope /x /y",
    "RUN --mount=from=s0,target=/m ls", "RUN --mount=type=secret,id=t cat /run/secrets/t",
    "COPY . .", "COPY --chown=app . /app", "ADD app.tar.gz /opt/", "COPY app.tar.gz /tmp/",
    "RUN tar -xzf /tmp/app.tar.gz", "ONBUILD RUN apt-get install x", "ONBUILD COPY . /src", "ONBUILD USER nobody",
    "ONBUILD CMD x", "ONBUILD ENTRYPOINT y", "HEALTHCHECK CMD true", "HEALTHCHECK NONE", 'CMD ["x"]', "CMD x",
    "ENTRYPOINT sh", 'ENTRYPOINT ["/bin/app"]', "LABEL a=b", "LABEL org.opencontainers.image.version=1",
    "EXPOSE 22", "EXPOSE 8080", "RUN pip install flask", "RUN npm install", "RUN yarn install", "RUN yum install -y x",
    "RUN apk add curl", 'SHELL ["/bin/bash", "-c"]', "STOPSIGNAL SIGKILL", "RUN cd /tmp && make",
    "RUN curl https://x | sh", "VOLUME /data", "ENV SECRET_TOKEN=abc", "ARG PASSWORD", "RUN echo $UNDEFINED_VAR",
    "# hadolint ignore=DL3008", "# layerlint: ignore=LL2007", "MAINTAINER me", "run echo lower",
]
HEAD = ["ARG GLOBAL_V=1", "# syntax=docker/dockerfile:1", "ARG BASE=debian:12", "# check=skip=JSONArgsRecommended"]
ALL_RULES = Config(select=["ALL"])


def _synthetic(rng: random.Random) -> list[str]:
    lines = [h for h in HEAD if rng.random() < 0.3]
    for k in range(rng.randint(2, 5)):
        base = rng.choice(["debian:12", "alpine:3.20", "scratch", "$BASE", "s9"] + [f"s{j}" for j in range(k)])
        lines.append(f"FROM {base} AS s{k}" if rng.random() < 0.9 else f"FROM {base}")
        lines += [rng.choice(BLOCKS) for _ in range(rng.randint(1, 6))]
    return lines


def _edit(lines: list[str], rng: random.Random) -> None:
    i, r = rng.randrange(len(lines)), rng.random()
    if r < 0.1:
        lines.insert(i, f"FROM {rng.choice(['debian:12', 's0', 's1'])} AS s{rng.randint(0, 6)}")
    elif r < 0.15 and len(lines) > 2:
        del lines[i]
    elif r < 0.2:
        lines.insert(0, rng.choice(HEAD))
    elif not lines[i].startswith("FROM"):
        lines[i] = rng.choice(BLOCKS)
    else:
        lines.insert(i + 1, rng.choice(BLOCKS))


@pytest.mark.parametrize("chunk", range(4))
def test_incremental_lint_equals_fresh_lint_on_cross_stage_edits(chunk):
    """Synthetic files of several stages that read each other (every rule enabled), each edited
    six times; the memo must never replay a finding that the edit changed. This found LL2007
    (depends on a --mount anywhere), LL7003 (the line of a later stage) and LL8005 (the variables
    of the stages `FROM $UNKNOWN` may be built on) being replayed stale."""
    for seed in range(chunk * 60, chunk * 60 + 60):
        rng = random.Random(seed)
        lines = _synthetic(rng)
        cache, memo = InstructionCache(), StageMemo()
        for _ in range(6):
            text = "\n".join(lines) + "\n"
            incremental = lint_dockerfile(parse(text, "Dockerfile", cache), "Dockerfile", ALL_RULES, memo)
            fresh = lint_dockerfile(parse(text, "Dockerfile"), "Dockerfile", ALL_RULES)
            assert findings(incremental) == findings(fresh), f"seed {seed}:\n{text}"
            _edit(lines, rng)
