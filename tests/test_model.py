"""The typed model: base images, stages, variables and their scopes, SHELL/WORKDIR/USER."""

from __future__ import annotations

import pytest

from layerlint import parse
from layerlint.model import ImageRef, build_model
from layerlint.shellwords import Lex, ShellLexError


@pytest.mark.parametrize("text,registry,repo,tag,digest", [
    ("debian", None, "debian", None, None),
    ("debian:12.5", None, "debian", "12.5", None),
    ("library/debian:12", None, "library/debian", "12", None),
    ("ghcr.io/org/app:1.2", "ghcr.io", "org/app", "1.2", None),
    ("localhost:5000/app", "localhost:5000", "app", None, None),
    ("registry:5000/team/app:v1", "registry:5000", "team/app", "v1", None),
    ("alpine@sha256:abc", None, "alpine", None, "sha256:abc"),
    ("alpine:3.20@sha256:abc", None, "alpine", "3.20", "sha256:abc"),
    ("mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com", "windows/servercore", "ltsc2022", None),
])
def test_image_reference_parts(text, registry, repo, tag, digest):
    ref = ImageRef.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repo, tag, digest)


def model(text):
    return build_model(parse(text))


def test_stages_names_indexes_parents_and_platform():
    m = model("ARG BASE=alpine:3.20\n"
              "FROM --platform=$BUILDPLATFORM ${BASE} AS Build\n"
              "ENV A=1\nSHELL [\"/bin/bash\", \"-c\"]\nWORKDIR /src\nUSER app\n"
              "FROM build AS test\nWORKDIR sub\n"
              "FROM scratch\nCOPY --from=test /x /x\n")
    build, test, final = m.stages
    assert (build.index, build.name, build.image.resolved, build.platform) == (0, "build", "alpine:3.20",
                                                                              "$BUILDPLATFORM")
    assert build.name_word.text == "Build"
    assert test.parent is build and final.parent is None and final.image.is_scratch
    assert test.env == {"A": "1"} and test.shell == ("/bin/bash", "-c") and test.user == "app"
    assert test.workdir == "/src/sub"
    assert build.copied_from_by_later and test.copied_from_by_later and not final.copied_from_by_later
    assert m.stage_by_name("BUILD") is build


def test_arg_and_env_scopes_follow_buildkit():
    doc = parse("ARG V=1\nARG ONLY_GLOBAL=g\nFROM alpine:$V\nARG V\nENV A=$V B=x\nENV C=$A$B\n"
                "ARG LOCAL=${A}-l\nRUN echo\n")
    m = build_model(doc)
    ins = doc.instructions
    # `ARG V` in the stage inherits the global value; the other global ARG is not visible
    assert m.scope_at[id(ins[4])].args == {"V": "1"}
    # an instruction sees variables as they were before it: C uses A and B from the previous ENV
    assert m.scope_at[id(ins[5])].env == {"A": "1", "B": "x"}
    assert m.stages[0].env == {"A": "1", "B": "x", "C": "1x"}
    assert m.scope_at[id(ins[7])].values()["LOCAL"] == "1-l"
    assert m.expand("$C/${MISSING:-dflt}", ins[7]) == "1x/dflt"


def test_from_is_expanded_with_global_args_only():
    m = model("ARG TAG=3.20\nFROM alpine:${TAG}\nARG TAG=9\nFROM alpine:${TAG}\n")
    assert [s.image.resolved for s in m.stages] == ["alpine:3.20", "alpine:3.20"]
    assert m.stages[0].image.has_variables


@pytest.mark.parametrize("word,env,expected", [
    ("$A", {"A": "x"}, "x"),
    ("${A}b", {"A": "x"}, "xb"),
    ("${U:-def}", {}, "def"),
    ("${E:-def}", {"E": ""}, "def"),
    ("${E-def}", {"E": ""}, ""),
    ("${A:+alt}", {"A": "x"}, "alt"),
    ("${U:+alt}", {}, ""),
    ("${P#*/}", {"P": "a/b/c"}, "b/c"),
    ("${P##*/}", {"P": "a/b/c"}, "c"),
    ("${P%/*}", {"P": "a/b/c"}, "a/b"),
    ("${P%%/*}", {"P": "a/b/c"}, "a"),
    ("${P/b/X}", {"P": "a/b/b"}, "a/X/b"),
    ("${P//b/X}", {"P": "a/b/b"}, "a/X/X"),
    ("'$A'", {"A": "x"}, "$A"),
    ('"$A"', {"A": "x"}, "x"),
    ("\\$A", {"A": "x"}, "$A"),
    ("${U:-${A}}", {"A": "x"}, "x"),
])
def test_buildkit_variable_expansion(word, env, expected):
    assert Lex().process_word(word, env) == expected


@pytest.mark.parametrize("word", ["${}", "${:x}", "${A", "${A:#x}", "'open", '"open', "${U:?must be set}"])
def test_expansion_errors(word):
    with pytest.raises(ShellLexError):
        Lex().process_word(word, {})


def test_words_split_after_expansion_keep_quoted_spaces():
    assert Lex().process_words('a "b c" $X', {"X": "d e"}) == ["a", "b c", "d", "e"]


def test_backtick_escape_for_windows_paths():
    assert Lex("`").process_word("C:\\Users\\app `$HOME", {"HOME": "h"}) == "C:\\Users\\app $HOME"


def test_lexer_reports_reference_positions():
    lex = Lex()
    lex.process_word('a ${B:-$C} $D \\$E "$F"', {})
    assert lex.references == [("B", 2, 10), ("C", 7, 9), ("D", 11, 13), ("F", 19, 21)]


def test_stage_used_through_run_mount_counts_as_used():
    m = model("FROM alpine:3 AS tools\nFROM alpine:3\nRUN --mount=type=bind,from=tools,target=/t true\n")
    assert m.stages[0].copied_from_by_later and not m.stages[1].copied_from_by_later


def test_a_child_stage_inherits_its_parent_stages_args():
    doc = parse("FROM alpine:3 AS base\nARG foo=bar\nFROM base\nCOPY $foo /x\n")
    m = build_model(doc)
    assert m.scope_at[id(doc.instructions[3])].values()["foo"] == "bar"


def test_from_finds_a_stage_by_its_exact_lower_case_name_copy_from_in_any_case():
    m = model("FROM alpine:3 AS Build\nFROM Build\nCOPY --from=BUILD /a /a\nFROM build\n")
    build, upper, lower = m.stages
    assert upper.parent is None and lower.parent is build  # BuildKit: `FROM Build` is an image
    assert build.copied_from_by_later
