""".dockerignore handling (rules/_build_context.py) and the rules that read files next to the
Dockerfile (LL4001, LL4002), which the YAML fixtures cannot exercise."""

from __future__ import annotations

import os

import pytest

from layerlint.engine import lint_text
from layerlint.rules._build_context import (IgnoreLine, PatternError, PatternMatcher, go_clean, go_dir,
                                         read_patterns)
from rule_fixtures import config_for


def matcher(*patterns: str) -> PatternMatcher:
    return PatternMatcher([IgnoreLine(i + 1, p) for i, p in enumerate(patterns)])


# -- Go path functions --------------------------------------------------------------


@pytest.mark.parametrize("path,cleaned", [
    ("", "."), (".", "."), ("./", "."), ("a/b/", "a/b"), ("a//b", "a/b"), ("/", "/"), ("//", "/"),
    ("/../x", "/x"), ("../x", "../x"), ("a/../../x", "../x"), ("./a/./b/..", "a"), ("/a/b/../..", "/"),
])
def test_go_clean(path, cleaned):
    assert go_clean(path) == cleaned


@pytest.mark.parametrize("path,parent", [("a/b/c", "a/b"), ("a", "."), ("/a", "/"), ("", "."), ("dir/file/", "dir/file")])
def test_go_dir(path, parent):
    assert go_dir(path) == parent


# -- patterns (moby/patternmatcher's own test table) -------------------------------

PATTERN_CASES = [
    ("**", "file", True), ("**", "file/", True), ("**/", "file", True), ("**/", "file/", True),
    ("**", "/", True), ("**/", "/", True), ("**", "dir/file", True), ("**/", "dir/file", True),
    ("**", "dir/file/", True), ("**/", "dir/file/", True), ("**/**", "dir/file", True),
    ("**/**", "dir/file/", True), ("dir/**", "dir/file", True), ("dir/**", "dir/file/", True),
    ("dir/**", "dir/dir2/file", True), ("dir/**", "dir/dir2/file/", True), ("**/dir", "dir", True),
    ("**/dir", "dir/file", True), ("**/dir2/*", "dir/dir2/file", True), ("**/dir2/*", "dir/dir2/file/", True),
    ("**/dir2/**", "dir/dir2/dir3/file", True), ("**/dir2/**", "dir/dir2/dir3/file/", True),
    ("**file", "file", True), ("**file", "dir/file", True), ("**/file", "dir/file", True),
    ("**file", "dir/dir/file", True), ("**/file", "dir/dir/file", True), ("**/file*", "dir/dir/file", True),
    ("**/file*", "dir/dir/file.txt", True), ("**/file*txt", "dir/dir/file.txt", True),
    ("**/file*.txt", "dir/dir/file.txt", True), ("**/file*.txt*", "dir/dir/file.txt", True),
    ("**/**/*.txt", "dir/dir/file.txt", True), ("**/**/*.txt2", "dir/dir/file.txt", False),
    ("**/*.txt", "file.txt", True), ("**/**/*.txt", "file.txt", True), ("a**/*.txt", "a/file.txt", True),
    ("a**/*.txt", "a/dir/file.txt", True), ("a**/*.txt", "a/dir/dir/file.txt", True),
    ("a/*.txt", "a/dir/file.txt", False), ("a/*.txt", "a/file.txt", True), ("a/*.txt**", "a/file.txt", True),
    ("a[b-d]e", "ae", False), ("a[b-d]e", "ace", True), ("a[b-d]e", "aae", False), ("a[^b-d]e", "aze", True),
    (".*", ".foo", True), (".*", "foo", False), ("abc.def", "abcdef", False), ("abc.def", "abc.def", True),
    ("abc.def", "abcZdef", False), ("abc?def", "abcZdef", True), ("abc?def", "abcdef", False),
    ("a\\\\", "a\\", True), ("**/foo/bar", "foo/bar", True), ("**/foo/bar", "dir/foo/bar", True),
    ("**/foo/bar", "dir/dir2/foo/bar", True), ("abc/**", "abc", False), ("abc/**", "abc/def", True),
    ("abc/**", "abc/def/ghi", True), ("**/.foo", ".foo", True), ("**/.foo", "bar.foo", False),
    ("a(b)c/def", "a(b)c/def", True), ("a(b)c/def", "a(b)c/xyz", False), ("a.|)$(}+{bc", "a.|)$(}+{bc", True),
    ("dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
     "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", True),
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", True),
    # a pattern matching a directory excludes what is below it; `*` does not cross `/`
    ("node_modules", "node_modules/react/index.js", True), ("*.log", "logs/app.log", False),
    ("*/tmp/*", "src/tmp/x", True), ("*/tmp/*", "tmp/x", False), ("build", "src/build", False),
]


@pytest.mark.parametrize("pattern,path,excluded", PATTERN_CASES)
def test_pattern(pattern, path, excluded):
    assert (matcher(pattern).matches_or_parent_matches(path) is not None) is excluded


@pytest.mark.parametrize("patterns,path,excluded", [
    (["**", "!util/docker/web"], "util/docker/web/foo", False),
    (["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", True),
    (["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", False),
    (["*.md", "!README.md"], "README.md", False),
    (["*.md", "!README.md", "README.md"], "README.md", True),
])
def test_later_lines_win(patterns, path, excluded):
    m = matcher(*patterns)
    assert m.exclusions
    assert (m.matches_or_parent_matches(path) is not None) is excluded


def test_deciding_pattern_is_reported():
    m = matcher("*.txt", "docs")
    assert m.matches_or_parent_matches("docs/a/b.md").line == 2


def test_invalid_patterns():
    with pytest.raises(PatternError):
        matcher("!")
    with pytest.raises(PatternError):
        matcher("[abc")


def test_read_patterns():
    text = "\ufeff# comment\n  \nnode_modules/\n /dist \n!  /keep//me/../this\n  # not a comment\n\\#hash\r\n/\n"
    assert [(p.line, p.text) for p in read_patterns(text)] == [
        (3, "node_modules"), (4, "dist"), (5, "!keep/this"), (6, "# not a comment"), (7, "\\#hash"), (8, "/"),
    ]


# -- rules on files in a temporary directory ---------------------------------------


def lint(code: str, directory, text: str, name: str = "Dockerfile"):
    res = lint_text(text, path=str(directory / name), config=config_for(code))
    return [d for d in res.diagnostics if d.code == code]


def positions(diags):
    return [(d.range.start.line + 1, d.range.start.column + 1, d.range.end.line + 1, d.range.end.column + 1)
            for d in diags]


def test_ll4001_excluded_file(tmp_path):
    (tmp_path / ".dockerignore").write_text("# local files\n*.env\nnode_modules\n")
    got = lint("LL4001", tmp_path, "FROM node:22\nCOPY package.json settings.env /app/\nCOPY node_modules/x /y\n")
    assert positions(got) == [(2, 19, 2, 31), (3, 6, 3, 20)]
    assert "line 2: `*.env`" in got[0].message and ".dockerignore" in got[0].message
    assert "`node_modules`" in got[1].message


def test_ll4001_dockerfile_specific_ignore_file_wins(tmp_path):
    (tmp_path / ".dockerignore").write_text("secret.txt\n")
    (tmp_path / "app.Dockerfile.dockerignore").write_text("other.txt\n")
    text = "FROM alpine:3.20\nCOPY secret.txt other.txt /\n"
    got = lint("LL4001", tmp_path, text, name="app.Dockerfile")
    assert positions(got) == [(2, 17, 2, 26)]
    assert "app.Dockerfile.dockerignore" in got[0].message
    assert positions(lint("LL4001", tmp_path, text)) == [(2, 6, 2, 16)]  # plain Dockerfile: .dockerignore


def test_ll4001_variables_globs_absolute_and_add(tmp_path):
    (tmp_path / ".dockerignore").write_text("/dist\n*.log\n")
    text = ("FROM alpine:3.20\nARG OUT=dist\nCOPY ${OUT}/app /app\nCOPY *.log /logs/\nADD /dist/x.tar /opt/\n"
            "ARG UNKNOWN\nCOPY $UNKNOWN/x /x\nCOPY [\"dist/a b\", \"/c\"]\n")
    assert positions(lint("LL4001", tmp_path, text)) == [(3, 6, 3, 16), (4, 6, 4, 11), (5, 5, 5, 16), (8, 7, 8, 17)]


def test_ll4001_not_from_the_context(tmp_path):
    (tmp_path / ".dockerignore").write_text("*.txt\nsrc\n")
    text = ("FROM alpine:3.20 AS build\nFROM alpine:3.20\nCOPY --from=build /src/a.txt /\n"
            "ADD https://example.com/a.txt /\nCOPY <<a.txt /etc/motd\nhello\na.txt\nONBUILD COPY a.txt /\n"
            "COPY ../src /x\n")
    assert lint("LL4001", tmp_path, text) == []


def test_ll4001_silent_with_exceptions(tmp_path):
    (tmp_path / ".dockerignore").write_text("*\n!src\n")
    assert lint("LL4001", tmp_path, "FROM alpine:3.20\nCOPY secret.txt /\nCOPY . /app\n") == []


def test_ll4001_context_root_only_under_catch_all(tmp_path):
    (tmp_path / ".dockerignore").write_text(".*\n.git\n")
    text = "FROM alpine:3.20\nCOPY . /app\nCOPY ./ /app\n"
    assert lint("LL4001", tmp_path, text) == []
    for catch_all in ("*", "**", "**/*", "/*"):
        (tmp_path / ".dockerignore").write_text(f"{catch_all}\n")
        got = lint("LL4001", tmp_path, text)
        assert positions(got) == [(2, 6, 2, 7), (3, 6, 3, 8)], catch_all
        assert "whole build context" in got[0].message


def test_ll4001_without_ignore_file_or_path(tmp_path):
    text = "FROM alpine:3.20\nCOPY secret.txt /\n"
    assert lint("LL4001", tmp_path, text) == []
    (tmp_path / ".dockerignore").write_text("secret.txt\n")
    res = lint_text(text, path=None, config=config_for("LL4001"))
    assert [d for d in res.diagnostics if d.code == "LL4001"] == []


def test_ll4001_invalid_ignore_file_is_not_used(tmp_path):
    (tmp_path / ".dockerignore").write_text("secret.txt\n!\n")
    assert lint("LL4001", tmp_path, "FROM alpine:3.20\nCOPY secret.txt /\n") == []


def test_ll4001_rereads_a_changed_ignore_file(tmp_path):
    ignore = tmp_path / ".dockerignore"
    text = "FROM alpine:3.20\nCOPY a.txt b.txt /\n"
    ignore.write_text("a.txt\n")
    assert positions(lint("LL4001", tmp_path, text)) == [(2, 6, 2, 11)]
    ignore.write_text("b.txt\n# changed\n")
    st = os.stat(ignore)
    os.utime(ignore, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    assert positions(lint("LL4001", tmp_path, text)) == [(2, 12, 2, 17)]


def test_ll4002_no_ignore_file(tmp_path):
    text = "FROM alpine:3.20\nCOPY . .\nCOPY --from=alpine:3.20 / /\nONBUILD COPY . /src\n"
    assert positions(lint("LL4002", tmp_path, text)) == [(2, 6, 2, 7)]


@pytest.mark.parametrize("name", [".dockerignore", "Dockerfile.dockerignore"])
def test_ll4002_ignore_file_present(tmp_path, name):
    (tmp_path / name).write_text("")
    assert lint("LL4002", tmp_path, "FROM alpine:3.20\nCOPY . .\n") == []


def test_ll4002_ignore_file_of_a_parent_inside_the_repository(tmp_path):
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "services" / "api"
    sub.mkdir(parents=True)
    text = "FROM alpine:3.20\nCOPY . .\n"
    assert len(lint("LL4002", sub, text)) == 1
    (tmp_path / ".dockerignore").write_text(".git\n")
    assert lint("LL4002", sub, text) == []


def test_ll4002_outside_a_repository_only_the_own_directory_counts(tmp_path):
    sub = tmp_path / "app"
    sub.mkdir()
    (tmp_path / ".dockerignore").write_text(".git\n")
    assert len(lint("LL4002", sub, "FROM alpine:3.20\nCOPY . .\n")) == 1


def test_ll4002_unknown_context(tmp_path):
    text = "FROM alpine:3.20\nCOPY . .\n"
    res = lint_text(text, path=None, config=config_for("LL4002"))
    assert [d for d in res.diagnostics if d.code == "LL4002"] == []
    assert lint("LL4002", tmp_path / "missing", text) == []
