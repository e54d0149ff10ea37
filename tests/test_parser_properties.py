"""Property tests of the parser (hypothesis): it never raises, every range it
returns lies inside the document, single-line words are exactly their source
text, and Dockerfile-like text built from tricky fragments parses as BuildKit
parses it (compared with the `dockerfile` package, see test_parser_oracle.py).

Examples are bounded (a few hundred per property) so the file runs in seconds.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import layerlint
from layerlint.ast import Range

BOUNDED = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- strategies ---------------------------------------------------------------------------
# characters that matter to the parser, mixed into arbitrary text to reach its branches
SPECIAL = list("\\`#'\"[]{}$=-<>\n\r\t\x0b\x0c \x00\x85\xa0\u2003\ufeff") + [
    "\r\n", "<<EOF", "<<-", "EOF", "--", "RUN ", "COPY ", "FROM ", "ONBUILD ", "# escape=`\n"]
any_char = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot come from decoded files
arbitrary_text = st.lists(st.one_of(any_char, st.sampled_from(SPECIAL)), max_size=120).map("".join)

ASCII_FRAGMENTS = [
    "FROM", "RUN", "COPY", "ADD", "ENV", "LABEL", "ARG", "CMD", "ENTRYPOINT", "HEALTHCHECK", "ONBUILD", "SHELL",
    "EXPOSE", "VOLUME", "USER", "WORKDIR", "MAINTAINER", "STOPSIGNAL", "FOO", "run", "copy", "onbuild run",
    " ", " ", " ", " ", "\t", "\x0b", "\x0c", "\r", "a", "b", "/c", "x=y", "=", 'k="v w"', "AS", "NONE",
    "--mount=type=cache", "--from=x", "--link", "--platform=$P", '--"a b"', "--'x'", "--", "--=", "-", '--""',
    "--a=\\", "--\\", "--a\\ b",
    "'", '"', "\\", "\\", "\\\\", " \\", "\\  ", "\\\t", "`",
    "<<EOF", "<<-EOF", "<<'EOF'", '<<"EOF"', '<<E"O"F', "<<eo\\'f", "<<$EOF", "3<<EOF", "<<", "<<-", "<<<EOF",
    "EOF", "\tEOF", "EO", "F", "<<EOF<<EOF", '"<<EOF"', "${V:-<<EOF}",
    "#", "# c", "# escape=`", "# escape=\\", "# syntax=x", "#!sh",
    "[", "]", '"a"', ",", '["a", "b"]', "[]", "[1]", '["a",]', '["\\u0041"]', "{}", "null", "1e999",
    "$V", "${V}", "${", "}",
]
UNICODE_FRAGMENTS = ["\u00a0", "\u2003", "\u0085", "\u3000", "\u00e9", "\u00c5"]


def dockerfile_like(fragments):
    line = st.lists(st.sampled_from(fragments), max_size=8).map("".join)
    return st.tuples(st.lists(line, max_size=8), st.sampled_from(["\n", "\r\n"]), st.booleans()).map(
        lambda t: t[1].join(t[0]) + (t[1] if t[2] else ""))


ascii_dockerfiles = dockerfile_like(ASCII_FRAGMENTS)
unicode_dockerfiles = dockerfile_like(ASCII_FRAGMENTS + UNICODE_FRAGMENTS)


# -- never raises -------------------------------------------------------------------------
@BOUNDED
@given(arbitrary_text)
def test_parse_never_raises_on_text(text):
    layerlint.parse(text)


@BOUNDED
@given(st.binary(max_size=200))
def test_parse_never_raises_on_bytes(data):
    layerlint.parse(data.decode("utf-8", errors="replace"))


@BOUNDED
@given(ascii_dockerfiles)
def test_parse_never_raises_on_dockerfile_like_text(text):
    layerlint.parse(text)


# -- ranges ----------------------------------------------------------------------------------
def _named_ranges(doc):
    """(what, Range) for every range the parser hands out, triggers included."""
    out = []

    def visit(ins, where):
        out.append((f"{where}.range", ins.range))
        out.append((f"{where}.keyword_range", ins.keyword_range))
        if ins.args_range is not None:
            out.append((f"{where}.args_range", ins.args_range))
        for i, w in enumerate(ins.words):
            out.append((f"{where}.words[{i}]", w.range))
        for i, f in enumerate(ins.flag_nodes):
            out.append((f"{where}.flags[{i}].range", f.range))
            out.append((f"{where}.flags[{i}].name_range", f.name_range))
            if f.value_range is not None:
                out.append((f"{where}.flags[{i}].value_range", f.value_range))
        for i, p in enumerate(ins.pairs):
            out.append((f"{where}.pairs[{i}].key", p.key.range))
            if p.value is not None:
                out.append((f"{where}.pairs[{i}].value", p.value.range))
        for i, h in enumerate(ins.heredocs):
            out.append((f"{where}.heredocs[{i}].opener", h.opener))
            out.append((f"{where}.heredocs[{i}].body", h.body))
        for i, c in enumerate(ins.comments):
            out.append((f"{where}.comments[{i}]", c.range))
        if ins.trigger is not None:
            visit(ins.trigger, f"{where}.trigger")

    for n, ins in enumerate(doc.instructions):
        visit(ins, f"instructions[{n}]")
    for i, c in enumerate(doc.comments):
        out.append((f"comments[{i}]", c.range))
    for i, d in enumerate(doc.directives):
        out.append((f"directives[{i}].range", d.range))
        out.append((f"directives[{i}].value_range", d.value_range))
    return out


def _inside(doc, rng: Range) -> bool:
    for pos in rng:
        if not (0 <= pos.line < len(doc.lines) and 0 <= pos.column <= len(doc.lines[pos.line])):
            return False
    return rng.start <= rng.end


def _check_ranges(text):
    doc = layerlint.parse(text)
    bad = [(what, rng) for what, rng in _named_ranges(doc) if not _inside(doc, rng)]
    assert not bad, f"ranges outside the document ({len(doc.lines)} lines): {bad[:5]}"
    for issue in doc.all_issues:  # "file with no instructions" may point at line 0 of an empty file
        for pos in issue.range:
            line = doc.lines[pos.line] if pos.line < len(doc.lines) else ""
            assert 0 <= pos.line < max(1, len(doc.lines)) and 0 <= pos.column <= len(line), issue
    return doc


@BOUNDED
@given(ascii_dockerfiles)
def test_ranges_inside_document_dockerfile_like(text):
    _check_ranges(text)


@BOUNDED
@given(unicode_dockerfiles)
def test_ranges_inside_document_unicode(text):
    _check_ranges(text)


@BOUNDED
@given(arbitrary_text)
def test_ranges_inside_document_arbitrary(text):
    _check_ranges(text)


@pytest.mark.parametrize("text", [
    "FROM a\nRUN <<EOF",
    "RUN <<EOF\n",
    "ENV ab\\\ncdef=x y=z\n",
    "ARG ab\\\ncd=\\\nx\n",
    "FROM a\n\\",
    "\ufeffFROM a \\\r\n  AS b\r\n",
])
def test_ranges_inside_document_examples(text):
    _check_ranges(text)


# -- words are their source text -------------------------------------------------------------
def _slice(doc, rng: Range) -> str:
    return doc.lines[rng.start.line][rng.start.column:rng.end.column]


words_line = st.lists(st.sampled_from(["a", "b/c", "80/tcp", "x:y", "AS", "--from=z", "é", "\u00a0", "\t", " ", " ",
                                       "'q'", '"d d"', "\\", "$V"]), min_size=1, max_size=10).map("".join)


@BOUNDED
@given(st.sampled_from(["FROM", "COPY", "EXPOSE", "ADD", "from"]), words_line, st.sampled_from(["", "\n", "\r\n"]))
def test_single_line_words_are_source_text(keyword, args, eol):
    text = f"FROM base\n  {keyword} {args}{eol}"
    doc = layerlint.parse(text)
    ins = doc.instructions[-1]
    assert _slice(doc, ins.keyword_range) == ins.instruction
    for f in ins.flag_nodes:
        assert _slice(doc, f.range) == f.raw
    if ins.json:
        return
    for w in ins.words:
        if w.range.start.line == w.range.end.line:
            assert _slice(doc, w.range) == w.text


def test_words_after_continuation_are_source_text():
    doc = layerlint.parse("FROM a \\\n   AS \\\n b\nCOPY x\\\ny \\\n  z/\n")
    for ins in doc.instructions:
        for w in ins.words:
            if w.range.start.line == w.range.end.line:
                assert _slice(doc, w.range) == w.text
    assert [w.text for w in doc.instructions[1].words] == ["xy", "z/"]


# -- against BuildKit -------------------------------------------------------------------------
def _difference(text):
    oracle = pytest.importorskip("test_parser_oracle")  # skips when the `dockerfile` package is absent
    try:
        return oracle.difference(text)
    except oracle.Unrepresentable:
        assume(False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ascii_dockerfiles)
def test_dockerfile_like_text_matches_buildkit(text):
    diff = _difference(text)
    assert diff is None, diff


def _has_non_ascii_flag(text) -> bool:
    for ins in layerlint.parse(text).instructions:
        for node in (ins, ins.trigger):
            if node is not None and any(not f.raw.isascii() for f in node.flag_nodes):
                return True
    return False


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(unicode_dockerfiles)
def test_unicode_dockerfile_like_text_matches_buildkit(text):
    # non-ASCII text inside flags is a known difference (BuildKit mangles it byte by
    # byte: see the xfail cases of test_parser_oracle.py)
    assume(not _has_non_ascii_flag(text))
    diff = _difference(text)
    assert diff is None, diff


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab $'\"\\`{}:-=\t\n\u00a0é")), max_size=30),
       escape=st.sampled_from(["\\", "`"]))
def test_process_word_fast_path_agrees_with_the_lexer(text, escape):
    """A word without `$`, quotes or the escape character is returned as it is, exactly as the
    full lexer would return it (the fast path in Lex.process_word)."""
    from layerlint.shellwords import Lex, ShellLexError

    lex = Lex(escape)
    try:
        full = lex._run(text, {"a": "x"})[0]
    except ShellLexError:
        full = ShellLexError
    try:
        fast = lex.process_word(text, {"a": "x"})
    except ShellLexError:
        fast = ShellLexError
    assert fast == full
