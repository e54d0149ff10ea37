"""Re-parsing through an InstructionCache (the language server's per-document cache) gives exactly
the tree a fresh parse gives, whatever the edits in between."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from layerlint.dump import dockerfile_to_json
from layerlint.parser import InstructionCache, parse

BASE = """\
# syntax=docker/dockerfile:1
ARG BASE=alpine:3.20
FROM $BASE AS build
# comment above RUN
RUN apk add --no-cache \\
    # inside
    curl \\
    git
COPY <<EOF /etc/x
hello
EOF
ONBUILD RUN echo hi
FROM build
CMD ["sh", "-c", "echo done"]
"""
PIECES = ["RUN echo a", "\\", "", "# c", "FROM x AS y", "EOF", "RUN <<EOF", "  ", "ENV A=1 B=2", "# escape=`",
          "COPY a b", "onbuild copy . .", "\t", "USER app", "`"]


def tree(doc) -> str:
    data = dockerfile_to_json(doc)
    data["issues"] = sorted(str(i) for i in doc.all_issues)
    return json.dumps(data, sort_keys=True, default=str)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["insert", "replace", "delete", "append"]),
                          st.sampled_from(PIECES)), min_size=1, max_size=8))
def test_cached_reparse_equals_fresh_parse(edits):
    cache = InstructionCache()
    lines = BASE.split("\n")
    parse("\n".join(lines), "Dockerfile", cache)
    for at, op, piece in edits:
        i = at % (len(lines) + 1)
        if op == "insert":
            lines.insert(i, piece)
        elif op == "replace" and i < len(lines):
            lines[i] = piece
        elif op == "delete" and i < len(lines) and len(lines) > 1:
            del lines[i]
        elif op == "append" and i < len(lines):
            lines[i] += " " + piece
        text = "\n".join(lines)
        assert tree(parse(text, "Dockerfile", cache)) == tree(parse(text, "Dockerfile"))


def test_unchanged_instructions_are_reused():
    cache = InstructionCache()
    parse(BASE, "Dockerfile", cache)
    doc = parse(BASE.replace("curl", "wget"), "Dockerfile", cache)
    assert cache.reused == len(doc.instructions) - 2  # the edited RUN and the heredoc COPY are parsed again
