"""Layerlint's own parser fields on hand-picked cases: ranges of keywords, flags,
words, pairs and heredocs, comments, directives, the escape character, parse
issues, ONBUILD triggers and `original` with heredoc bodies. (The fields BuildKit
also has are compared with BuildKit itself in test_parser_oracle.py.)
"""

from __future__ import annotations

import layerlint
from layerlint.ast import Pos, Range


def R(l1, c1, l2, c2):  # noqa: N802 - reads like the ranges it builds
    return Range(Pos(l1, c1), Pos(l2, c2))


def text_at(doc, rng):
    assert rng.start.line == rng.end.line
    return doc.lines[rng.start.line][rng.start.column:rng.end.column]


def kinds(doc):
    return [i.kind for i in doc.all_issues]


# -- flags and words ---------------------------------------------------------------------------
def test_flag_ranges_and_unquoted_values():
    doc = layerlint.parse('FROM a\nRUN --mount="type=cache,target=/x y" --network=none ls -l\n')
    run = doc.instructions[1]
    mount, network = run.flag_nodes
    assert (mount.name, mount.value, mount.raw) == ("mount", "type=cache,target=/x y", '--mount="type=cache,target=/x y"')
    assert mount.range == R(1, 4, 1, 36)
    assert text_at(doc, mount.name_range) == "--mount"
    assert text_at(doc, mount.value_range) == '"type=cache,target=/x y"'
    assert text_at(doc, network.range) == "--network=none"
    assert run.flags == ["--mount=type=cache,target=/x y", "--network=none"]
    assert run.args_text == "ls -l"
    assert run.args_range == R(1, 52, 1, 57)
    assert run.flag("network") is network and run.flag("platform") is None


def test_bare_flag_and_end_of_flags():
    doc = layerlint.parse("FROM a\nCOPY --link -- --weird /d/\nRUN --\"\" --mount=x ls\n")
    copy, run = doc.instructions[1:]
    assert [(f.name, f.value, f.value_range) for f in copy.flag_nodes] == [("link", None, None)]
    assert copy.value == ["--weird", "/d/"]
    # a word that is `--` once its quotes are removed also ends the flags (BuildKit)
    assert run.flag_nodes == [] and run.value == ["--mount=x ls"]
    assert text_at(doc, run.args_range) == "--mount=x ls"


def test_word_ranges_on_one_line_and_across_continuations():
    doc = layerlint.parse("FROM  alpine:3.19 \\\n   AS build\nEXPOSE 80\t443/tcp\n")
    frm, expose = doc.instructions
    assert [w.text for w in frm.words] == ["alpine:3.19", "AS", "build"]
    assert frm.words[0].range == R(0, 6, 0, 17)
    assert frm.words[1].range == R(1, 3, 1, 5)
    assert frm.range == R(0, 0, 1, 11) and frm.start_line == 1 and frm.end_line == 2
    assert [text_at(doc, w.range) for w in expose.words] == ["80", "443/tcp"]


def test_json_items_are_positioned_on_their_literals():
    doc = layerlint.parse('FROM a\nCMD [ "echo", \\\n  "a\\"b" ]\n')
    cmd = doc.instructions[1]
    assert cmd.json and cmd.value == ["echo", 'a"b']
    assert cmd.words[0].range == R(1, 6, 1, 12)
    assert cmd.words[1].range == R(2, 2, 2, 8)


def test_pair_ranges_follow_continuations():
    doc = layerlint.parse('FROM a\nENV ab\\\ncdef="x y" g=h\nARG n\\\n=1\n')
    env, arg = doc.instructions[1:]
    (k1, v1), (k2, v2) = [(p.key, p.value) for p in env.pairs]
    assert (k1.text, v1.text) == ("abcdef", '"x y"')
    assert k1.range == R(1, 4, 2, 4)  # starts before the continuation, ends after it
    assert v1.range == R(2, 5, 2, 10)
    assert text_at(doc, k2.range) == "g" and text_at(doc, v2.range) == "h"
    (pair,) = arg.pairs
    assert pair.key.text == "n" and pair.value.text == "1"
    assert pair.value.range == R(4, 1, 4, 2)


def test_legacy_env_pair():
    doc = layerlint.parse("FROM a\nENV PATH /usr/bin:$PATH  x\n")
    (pair,) = doc.instructions[1].pairs
    assert pair.legacy
    assert text_at(doc, pair.key.range) == "PATH"
    assert text_at(doc, pair.value.range) == "/usr/bin:$PATH  x"


def test_unicode_space_before_arguments_is_not_an_argument():
    doc = layerlint.parse("FROM \u00a0alpine\n")
    (frm,) = doc.instructions
    assert frm.value == ["alpine"] and frm.args_text == "alpine"
    assert frm.args_range == R(0, 6, 0, 12)


# -- heredocs ------------------------------------------------------------------------------------
def test_heredoc_fields_and_ranges():
    text = 'FROM a\nRUN --network=none <<-"EOF" cat && 3<<X cat\n\techo $HOME\n\tEOF\nx\nX\nRUN y\n'
    doc = layerlint.parse(text)
    run = doc.instructions[1]
    first, second = run.heredocs
    assert (first.name, first.file_descriptor, first.content) == ("EOF", 0, "\techo $HOME\n")
    assert first.chomp and not first.expand and first.terminated
    assert text_at(doc, first.opener) == '<<-"EOF"'
    assert first.body == R(2, 0, 3, 4)
    assert (second.name, second.file_descriptor, second.expand, second.chomp) == ("X", 3, True, False)
    assert text_at(doc, second.opener) == "3<<X"
    assert second.body == R(4, 0, 5, 1)
    assert run.range == R(1, 0, 5, 1) and (run.start_line, run.end_line) == (2, 6)
    assert doc.instructions[2].start_line == 7


def test_original_contains_heredoc_bodies():
    doc = layerlint.parse("FROM a\nCOPY <<A <<B /d/\none\nA\ntwo\nB\n")
    assert doc.instructions[1].original == "COPY <<A <<B /d/\none\nA\ntwo\nB\n"


def test_onbuild_heredoc_is_reported_on_both_nodes():
    doc = layerlint.parse("FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n")
    onbuild = doc.instructions[1]
    assert onbuild.original == "ONBUILD RUN <<EOF\necho hi\nEOF\n"
    assert [h.content for h in onbuild.heredocs] == ["echo hi\n"]
    assert onbuild.trigger.heredocs == onbuild.heredocs
    assert onbuild.end_line == 4


def test_heredoc_not_read_for_exec_form_or_other_instructions():
    doc = layerlint.parse('FROM a\nRUN ["cat", "<<EOF"]\nCMD cat <<EOF\nEOF\n')
    assert [i.heredocs for i in doc.instructions] == [[], [], [], []]
    assert doc.instructions[3].instruction == "EOF"
    assert "unknown-instruction" in kinds(doc)


def test_unterminated_heredoc():
    doc = layerlint.parse("FROM a\nRUN <<EOF\nline\n")
    (h,) = doc.instructions[1].heredocs
    assert not h.terminated and h.content == "line\n"
    assert h.body == R(2, 0, 2, 4)
    issue = next(i for i in doc.all_issues if i.kind == "syntax")
    assert issue.message == "unterminated heredoc" and text_at(doc, issue.range) == "<<EOF"
    # opened on the last line: an empty body at the end of the document
    doc = layerlint.parse("FROM a\nRUN <<EOF")
    (h,) = doc.instructions[1].heredocs
    assert h.body == R(1, 9, 1, 9) and doc.instructions[1].end_line == 2


# -- comments and directives ---------------------------------------------------------------------
def test_comments_directly_above_are_attached():
    doc = layerlint.parse("# syntax=docker/dockerfile:1\n# one\n  #   two  \nFROM a\n# three\nRUN b \\\n# inside\n c\n")
    frm, run = doc.instructions
    assert [c.text for c in frm.comments] == ["one", "two"]
    assert frm.comments[1].range == R(2, 2, 2, 9)
    assert [c.text for c in run.comments] == ["three"]
    assert run.value == ["b  c"]
    # directive lines are not comments
    assert [c.text for c in doc.comments][:3] == ["one", "two", "three"]


def test_blank_line_separates_comment_block():
    doc = layerlint.parse("# about nothing\n\nFROM a\n")
    assert doc.instructions[0].comments == []
    assert [c.text for c in doc.comments] == ["about nothing"]


def test_directives_and_escape_character():
    doc = layerlint.parse("# syntax=docker/dockerfile:1.7\n #  ESCAPE = `  \nFROM a\nRUN dir `\n  c:\\\n")
    assert [(d.name, d.value) for d in doc.directives] == [("syntax", "docker/dockerfile:1.7"), ("escape", "`")]
    assert doc.directive("escape").range == R(1, 1, 1, 14)
    assert text_at(doc, doc.directive("escape").value_range) == "`"
    assert text_at(doc, doc.directive("syntax").value_range) == "docker/dockerfile:1.7"
    assert doc.escape == "`"
    assert doc.instructions[1].value == ["dir   c:\\"]
    assert doc.all_issues == []


def test_directive_after_instruction_is_a_comment():
    doc = layerlint.parse("FROM a\n# escape=`\n")
    assert doc.directives == [] and doc.escape == "\\"
    assert [c.text for c in doc.comments] == ["escape=`"]


def test_invalid_escape_directive():
    doc = layerlint.parse("# escape=^\nFROM a\nRUN a \\\n b\n")
    (issue,) = doc.all_issues
    assert issue.kind == "directive"
    assert issue.message == "invalid escape token '^' does not match ` or \\"
    assert text_at(doc, issue.range) == "^"
    assert doc.escape == "\\"
    assert doc.instructions[1].value == ["a  b"]


def test_duplicate_directive():
    doc = layerlint.parse("# escape=`\n# syntax=x\n# escape=\\\nFROM a\nRUN a `\n b\n")
    (issue,) = doc.all_issues
    assert (issue.kind, issue.message) == ("directive", "only one escape parser directive can be used")
    assert issue.range.start.line == 2
    assert doc.escape == "`"  # the first one is kept
    assert [d.value for d in doc.directives] == ["`", "x"]


# -- ONBUILD -------------------------------------------------------------------------------------
def test_onbuild_trigger_has_its_own_flags_and_ranges():
    doc = layerlint.parse("FROM a\nonbuild COPY --from=build --chown=1:1 /a /b\n")
    onbuild = doc.instructions[1]
    trigger = onbuild.trigger
    assert onbuild.keyword == "ONBUILD" and onbuild.instruction == "onbuild"
    assert onbuild.flags == [] and onbuild.flag_nodes == []
    assert onbuild.sub_instruction == "COPY" and onbuild.value == ["/a", "/b"]
    assert trigger.parent is onbuild and trigger.original == "COPY --from=build --chown=1:1 /a /b"
    assert trigger.flags == ["--from=build", "--chown=1:1"]
    assert text_at(doc, trigger.keyword_range) == "COPY"
    assert text_at(doc, trigger.flag("from").value_range) == "build"
    assert [text_at(doc, w.range) for w in trigger.words] == ["/a", "/b"]


def test_onbuild_trigger_issues_are_reported():
    doc = layerlint.parse("FROM a\nONBUILD FROM b\nONBUILD RUN --bogus x\n")
    assert "onbuild" in kinds(doc) and "flag" in kinds(doc)


# -- issues --------------------------------------------------------------------------------------
def test_line_too_long_is_a_syntax_issue_on_that_line():
    doc = layerlint.parse("FROM a\nRUN " + "x" * 70000 + "\n")
    (issue,) = [i for i in doc.all_issues if i.kind == "syntax"]
    assert issue.range.start.line == 1
    assert "max allowed size of 65535" in issue.message


def test_lone_escape_at_end_of_file_is_an_unknown_empty_instruction():
    doc = layerlint.parse("FROM a\n\\")
    last = doc.instructions[-1]
    assert (last.instruction, last.original, last.value) == ("", "", [""])
    assert kinds(doc) == ["unknown-instruction"]


def test_empty_continuation_and_crlf_positions():
    doc = layerlint.parse("FROM a\r\nRUN a \\\r\n\r\n  b\r\n")
    run = doc.instructions[1]
    assert kinds(doc) == ["empty-continuation"]
    assert run.value == ["a   b"] and run.range == R(1, 0, 3, 3)
    assert doc.lines == ["FROM a", "RUN a \\", "", "  b"]


def test_bom_is_not_a_column():
    doc = layerlint.parse("\ufeffFROM a\n")
    assert doc.instructions[0].keyword_range == R(0, 0, 0, 4)
    assert doc.text == "FROM a\n"


def test_no_instructions():
    for text in ("", "# only\n\n"):
        doc = layerlint.parse(text)
        assert doc.instructions == [] and kinds(doc) == ["syntax"]
