"""Property tests of the whole lint path (hypothesis), beyond the parser's own in
test_parser_properties.py: linting never raises and no rule crashes, on any text or on any
bytes decoded as the command line decodes them; every finding and every edit of a fix lies
inside the document; the `original` text of every instruction is exactly the source it
covers; fixes settle, are idempotent and leave a file that parses as well as before. The
crash reproducers in tests/fixtures/fuzz/ (found by these properties or by the atheris
target in fuzz/) are checked against the same properties.

All rules run, including those off by default. Examples are bounded so the file takes
seconds; `make fuzz` runs the atheris target for longer.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import layerlint
from layerlint import shellwords
from layerlint.ast import Range
from layerlint.config import Config
from layerlint.discover import decode
from layerlint.engine import lint_text
from layerlint.fix import fix_rounds, fix_text
from layerlint.lines import match_directive
from layerlint.rule import all_rules

FIXTURES = Path(__file__).parent / "fixtures" / "fuzz"
EVERY_RULE = Config(select=sorted(all_rules()))
BOUNDED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- strategies --------------------------------------------------------------------------------
# Instructions and argument fragments chosen to reach the rules (package managers, users,
# stages, variables, heredocs, URLs) and their fixes, mixed with the parser's hard cases.
KEYWORDS = ["FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "LABEL", "USER", "WORKDIR", "CMD", "ENTRYPOINT",
            "HEALTHCHECK", "ONBUILD", "SHELL", "EXPOSE", "VOLUME", "STOPSIGNAL", "MAINTAINER", "run", "from",
            "ONBUILD RUN", "FORM"]
ARGS = [
    "debian", "debian:12", "ubuntu:latest", "alpine@sha256:" + "a" * 64, "--platform=$TARGETPLATFORM node:20",
    "scratch", "base AS build", "build AS final", "$IMG", "${IMG:-alpine}", "x y z",
    "apt-get update", "apt-get install curl", "apt-get install -y --no-install-recommends curl=7.8",
    "apt install vim", "apk add git", "apk add --no-cache git=2.4", "pip install flask", "pip install -r req.txt",
    "npm install express", "npm ci", "yum install -y httpd", "dnf install nginx", "zypper install x",
    "gem install rails", "go install example.com/x@latest", "useradd -u 123456 app", "cd /tmp && make",
    "sudo make install", "curl -k https://x/latest/y.sh | sh", "wget http://x/a.tgz", "chmod 777 /srv",
    "chmod o+w /srv", "echo $HOME > /etc/motd", "ln -s /bin/bash /bin/sh", "set -o pipefail && a | b",
    "git clone https://github.com/a/b", "rm -rf /var/lib/apt/lists/*", "yarn install", "ssh host",
    ". .", "./app /app", "--from=build /out /bin/", "--chown=app:app src /srv/", "--chmod=777 a /b",
    "https://example.com/app.tar.gz /opt/", "app.tar.gz /tmp/app.tar.gz", "id_rsa /root/.ssh/",
    "A=1", "A=1 B=$A", "DEBIAN_FRONTEND=noninteractive", "SECRET_TOKEN=ghp_" + "x" * 36, "PASSWORD",
    "maintainer=me", "org.opencontainers.image.url=not-a-url", "root", "0", "app", "1000:1000",
    '["a", "b"]', "['a', 'b']", '["/bin/sh", "-c"]', "[]", "CMD curl localhost", "NONE", "--interval=5s CMD true",
    "80", "22", "70000", "80/tcp 443", "/data", "SIGKILL", "relative/dir", "/abs", "$WORKDIR",
    "<<EOF", "<<-EOF", "<<'EOF' cat", "--mount=type=cache,target=/root/.cache pip install x",
    "--mount=type=secret,id=x cat /run/secrets/x", "--network=none true", "\\", "&&", "|", ";", "#", "'",
    '"', "${", "$(", "`", "\t", " ",
]
BODY = ["apt-get install curl", "echo hi", "EOF", "\tEOF", "gpgcheck=0", "[trusted=yes]", "x", "echo a | b",
        # characters that str.splitlines (but not Docker) takes for line breaks
        "a\x0bb | c", "\x0c", "x\x85y", "\u2028", "\x1c"]
COMMENTS = ["# hadolint ignore=DL3008", "# layerlint: ignore=DL3006", "# escape=`", "# syntax=docker/dockerfile:1",
            "# check=skip=all", "# check=error=true", "# hadolint shell=pwsh", "#"]


@st.composite
def dockerfiles(draw):
    lines = []
    for _ in range(draw(st.integers(1, 10))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            lines.append(draw(st.sampled_from(COMMENTS)))
        elif kind == 1:
            lines.append(draw(st.sampled_from(BODY)))
        elif kind == 2:
            lines.append("")
        else:
            args = draw(st.lists(st.sampled_from(ARGS), min_size=0, max_size=3))
            line = " ".join([draw(st.sampled_from(KEYWORDS)), *args])
            if draw(st.integers(0, 5)) == 0:
                line += " \\"
            lines.append(line)
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    return eol.join(lines) + (eol if draw(st.booleans()) else "")


any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
tricky_text = st.lists(st.sampled_from(KEYWORDS + ARGS + BODY + COMMENTS + ["\n", "\n", "\r\n", " "]),
                       max_size=40).map("".join)


# -- checks ---------------------------------------------------------------------------------
def _inside(doc, rng: Range) -> bool:
    lines = doc.lines
    for pos in rng:
        if pos.line == len(lines) and pos.column == 0 and (not lines or doc.text.endswith("\n")):
            continue  # the end of a file that ends with a line break (or is empty)
        if not (0 <= pos.line < len(lines) and 0 <= pos.column <= len(lines[pos.line])):
            return False
    return rng.start <= rng.end


def check_lint(text: str):
    """Lint with every rule: nothing raises, no rule crashes, every range is inside."""
    result = lint_text(text, config=EVERY_RULE)
    assert result.rule_errors == [], result.rule_errors
    doc = result.dockerfile
    for d in result.diagnostics:
        assert _inside(doc, d.range), (d.code, d.range, len(doc.lines))
        for edit in (d.fix.edits if d.fix else ()):
            assert _inside(doc, edit.range), (d.code, "fix", edit.range)
    return result


def _raw_lines(text: str) -> list[str]:
    """Physical lines with their endings, as the line reader splits them (on `\\n` only)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def check_originals(text: str) -> None:
    """`original` is the logical line (its pieces are the source at their anchors) plus the
    heredoc bodies and terminators, which are the source lines below it."""
    doc = layerlint.parse(text)
    raw = _raw_lines(text)
    for ins in doc.instructions:
        anchors = list(ins.offsets)
        ends = [a for a, _ in anchors[1:]] + [len(ins.line_text)]
        for (start, pos), end in zip(anchors, ends):
            piece = ins.line_text[start:end]
            assert doc.lines[pos.line][pos.column:pos.column + len(piece)] == piece, (ins.line_text, pos)
        expected = ins.line_text
        if ins.heredocs:
            expected += "\n" + "".join(h.content + h.name + "\n" for h in ins.heredocs)
            for h in ins.heredocs:
                first, last = h.body.start.line, h.body.end.line
                if h.terminated:
                    assert h.content == "".join(raw[first:last]), h.name
                    assert doc.lines[last].lstrip("\t" if h.chomp else "") == h.name
                else:  # the body runs to the end of the file (and is empty after a last-line opener)
                    assert h.content in ("", "".join(raw[first:])), h.name
        assert ins.original == expected


# -- properties ------------------------------------------------------------------------------
@BOUNDED
@given(dockerfiles())
def test_lint_never_raises_on_dockerfile_like_text(text):
    check_lint(text)


@BOUNDED
@given(tricky_text)
def test_lint_never_raises_on_fragment_soup(text):
    check_lint(text)


@BOUNDED
@given(any_text)
def test_lint_never_raises_on_any_text(text):
    check_lint(text)


@BOUNDED
@given(st.binary(max_size=300))
def test_lint_never_raises_on_bytes_decoded_as_the_cli_does(data):
    src = decode(data, "Dockerfile")
    assert src.text is not None
    check_lint(src.text)


@BOUNDED
@given(st.one_of(dockerfiles(), tricky_text))
def test_original_is_exactly_the_source_it_covers(text):
    check_originals(text)


def _parser_issue_kinds(text: str) -> Counter:
    return Counter(i.kind for i in layerlint.parse(text).all_issues)


def _lint(text: str):
    return lint_text(text, config=EVERY_RULE).diagnostics


def check_fixes(text: str, unsafe: bool) -> None:
    done = fix_rounds(text, _lint, unsafe=unsafe)
    assert done.converged, f"fixes do not settle on {text!r}"
    again, applied = fix_text(done.text, _lint, unsafe=unsafe)
    assert (again, applied) == (done.text, 0), "fixing the fixed text changed it again"
    check_lint(done.text)
    if not unsafe:  # (an unsafe fix may show other problems: `FORM x y` fixed to `FROM x y` has two words too many)
        worse = _parser_issue_kinds(done.text) - _parser_issue_kinds(text)
        assert not worse, f"a safe fix broke the syntax ({dict(worse)}): {text!r} -> {done.text!r}"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockerfiles(), st.booleans())
def test_fixes_settle_are_idempotent_and_keep_the_syntax(text, unsafe):
    check_fixes(text, unsafe)


# -- crash reproducers ---------------------------------------------------------------------
def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_file() and p.suffix != ".md") if FIXTURES.is_dir() else []


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_crash_reproducers(path):
    """Each file once broke a property (see tests/fixtures/fuzz/README.md); all hold now."""
    src = decode(path.read_bytes(), str(path))
    check_lint(src.text)
    check_originals(src.text)
    for unsafe in (False, True):
        check_fixes(src.text, unsafe)


# -- regressions of what fuzzing found ----------------------------------------------------------
def test_from_with_three_words_is_not_a_casing_problem():
    """LL8002 took any second word of a three-word FROM for `AS` and offered to upper-case
    `install` in `FROM pip install x` (found by test_fixes_settle_...)."""
    codes = [d.code for d in lint_text("FROM pip install x\nfrom a b c\n", config=EVERY_RULE).diagnostics]
    assert "LL8002" not in codes and codes.count("LL1003") == 2


# The linear-time rewrites of backtracking regular expressions must answer as the originals did.
BUILDKIT_DIRECTIVE = re.compile(r"^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$",
                                re.S)


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("#aZ9= \t\f\r\n\x0b\u00a0x-"), max_size=12))
def test_directive_matching_equals_buildkits_regexp(line):
    m = BUILDKIT_DIRECTIVE.match(line)
    assert match_directive(line) == ((m.group(1), m.start(2), m.end(2)) if m else None)


def _glob_regexp(pattern: str) -> re.Pattern:
    """How BuildKit turns `*`, `?` and `\\x` into a regular expression (and layerlint did)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append({"*": ".*", "?": "."}.get(pattern[i], re.escape(pattern[i])))
        i += 1
    return re.compile("".join(out), re.S)


def _go_replace_all(rx: re.Pattern, value: str, repl: str) -> str:
    """Go's Regexp.ReplaceAllString: an empty match right after a match is not replaced."""
    out, last, pos = [], 0, 0
    while pos <= len(value) and (m := rx.search(value, pos)):
        out.append(value[last:m.start()])
        if m.end() > last or m.start() == 0:
            out.append(repl)
        last = m.end()
        pos = m.end() if m.end() > pos else pos + 1
    return "".join(out) + value[last:]


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("ab/."), max_size=8), st.text(st.sampled_from("ab/.\\*?"), max_size=5))
def test_glob_matching_equals_the_regexp_semantics(value, pattern):
    rx = _glob_regexp(pattern)
    for prefix in (True, False):
        for longest in (True, False):
            sizes = range(len(value), -1, -1) if longest else range(len(value) + 1)
            n = next((n for n in sizes if rx.fullmatch(value[:n] if prefix else value[len(value) - n:])), None)
            expected = value if n is None else value[n:] if prefix else value[:len(value) - n]
            assert shellwords._remove_affix(value, pattern, prefix=prefix, longest=longest) == expected
    tokens = shellwords._glob_tokens(pattern)
    assert shellwords._replace(value, tokens, "X", every=False) == rx.sub("X", value, count=1)
    assert shellwords._replace(value, tokens, "X", every=True) == _go_replace_all(rx, value, "X")
