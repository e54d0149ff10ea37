"""Hostile input: what a broken file system, a wrong encoding, an absurd Dockerfile or a
broken configuration does to `layerlint check`.

Every case must give a clear message and the exit code the README promises (1 for a
file that cannot be read or parsed, 2 for a configuration error), the other files of the
same run must still be linted, and nothing may hang: every subprocess has a timeout, and
the in-process cases run under `hang_guard`, which ends the test run with a traceback
instead of letting CI wait forever. Growth is checked by comparing an input ten times
larger with the original in the same run (generous ratios, never absolute times), and
every regular expression of the package is run on adversarial strings against
catastrophic backtracking.
"""

from __future__ import annotations

import ast
import faulthandler
import gc
import importlib
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from layerlint.config import _HADOLINT_KEYS, _TOML_KEYS, ConfigError, load
from layerlint.engine import lint_text
from layerlint.patterns import LazyPattern

try:
    import re._constants as sre_constants
    import re._parser as sre_parse
except ImportError:  # Python 3.10
    import sre_constants
    import sre_parse

ROOT = Path(__file__).resolve().parent.parent
GOOD = "FROM debian\nRUN sudo true\n"  # DL3006 on line 1, DL3004 on line 2
GOOD_FINDINGS = {("DL3006", 1), ("DL3004", 2)}


# -- running the command line ----------------------------------------------------------------
@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def findings(self) -> list[dict]:
        return json.loads(self.out)

    def by_file(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for f in self.findings:
            out.setdefault(os.path.normpath(f["file"]).replace(os.sep, "/"), []).append(f)
        return out


def cli(args, cwd, *, timeout: float = 60, as_nobody: bool = False, stdin: bytes | None = None,
        env: dict | None = None) -> Run:
    """`python -m layerlint ARGS` in a subprocess that may not outlive `timeout`; with
    `as_nobody`, as the unprivileged user `nobody` (the caller is root)."""
    environ = dict(os.environ, NO_COLOR="1", LAYERLINT_CACHE_DIR=str(Path(cwd) / ".cache"), **(env or {}))
    command = [sys.executable, "-m", "layerlint", *args]
    if as_nobody:  # setpriv also drops root's supplementary groups
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    start = time.perf_counter()
    p = subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, env=environ, timeout=timeout)
    return Run(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"),
               time.perf_counter() - start)


def check_json(args, cwd, **kw) -> Run:
    return cli(["check", "--format", "json", *args], cwd, **kw)


def good_findings(run: Run, name: str = "good.Dockerfile") -> set[tuple[str, int]]:
    return {(f["code"], f["line"]) for f in run.by_file().get(name, [])}


def io_error(run: Run, name: str) -> str:
    entries = run.by_file().get(name, [])
    assert [f["code"] for f in entries] == ["IOERROR"], (name, entries)
    return entries[0]["message"]


@contextmanager
def hang_guard(seconds: float):
    """End the whole test run, with every thread's traceback, if the block takes longer than
    `seconds`: an in-process hang must fail CI loudly, not stall it until its time limit."""
    faulthandler.dump_traceback_later(seconds, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.fixture
def shared_tmp():
    """A temporary directory other users can enter (pytest's tmp_path is private to us)."""
    d = Path(tempfile.mkdtemp(prefix="layerlint-hostile-"))
    d.chmod(0o755)
    yield d
    for root, dirs, _ in os.walk(d):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
    shutil.rmtree(d, ignore_errors=True)


# -- the file system -------------------------------------------------------------------------
posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX named pipes and symbolic links")


@posix_only
def test_links_pipes_and_devices_are_reported_and_the_rest_is_linted(tmp_path):
    (tmp_path / "good.Dockerfile").write_text(GOOD)
    (tmp_path / "loop.Dockerfile").symlink_to("loop.Dockerfile")
    (tmp_path / "ping.Dockerfile").symlink_to("pong.Dockerfile")
    (tmp_path / "pong.Dockerfile").symlink_to("ping.Dockerfile")
    (tmp_path / "dangling.Dockerfile").symlink_to("nowhere/Dockerfile")
    os.mkfifo(tmp_path / "fifo.Dockerfile")  # no writer: a plain open() would wait forever
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")  # a directory loop for the walk
    (tmp_path / "sub" / "x.Dockerfile").mkdir()  # a directory with a Dockerfile's name

    run = check_json(["."], tmp_path, timeout=60)
    assert run.code == 1, run.err
    assert good_findings(run) == GOOD_FINDINGS
    assert "symbolic links" in io_error(run, "loop.Dockerfile")
    assert "symbolic links" in io_error(run, "ping.Dockerfile")
    assert "No such file" in io_error(run, "dangling.Dockerfile")
    assert "named pipe" in io_error(run, "fifo.Dockerfile")
    assert set(run.by_file()) == {"good.Dockerfile", "loop.Dockerfile", "ping.Dockerfile", "pong.Dockerfile",
                                  "dangling.Dockerfile", "fifo.Dockerfile"}
    assert "Traceback" not in run.err

    # named on the command line (with the result cache on, which reads files too)
    named = ["fifo.Dockerfile", os.devnull, "missing.Dockerfile", "sub/x.Dockerfile", "good.Dockerfile"]
    run = check_json(named, tmp_path, timeout=60)
    assert run.code == 1, run.err
    assert good_findings(run) == GOOD_FINDINGS
    assert "named pipe" in io_error(run, "fifo.Dockerfile")
    assert "character device" in io_error(run, os.devnull)
    assert "No such file" in io_error(run, "missing.Dockerfile")


@posix_only
def test_parse_and_cache_commands_do_not_block_on_a_pipe(tmp_path):
    os.mkfifo(tmp_path / "Dockerfile")
    for args in (["parse", "Dockerfile"], ["cache", "Dockerfile", "--changed", "x"]):
        run = cli(args, tmp_path, timeout=30)
        assert run.code == 1 and "named pipe" in run.err, (args, run.err)


def _can_run_as_nobody(cwd: Path) -> bool:
    if shutil.which("setpriv") is None:
        return False
    try:
        return cli(["--version"], cwd, as_nobody=True, timeout=60).code == 0
    except (OSError, subprocess.SubprocessError):
        return False


@posix_only
def test_unreadable_file_and_directory(shared_tmp):
    """chmod 000 on a file and on a directory. Root reads everything, so as root the
    command runs as the unprivileged user `nobody` (uid 65534)."""
    (shared_tmp / "good.Dockerfile").write_text(GOOD)
    secret = shared_tmp / "secret.Dockerfile"
    secret.write_text(GOOD)
    locked = shared_tmp / "locked"
    locked.mkdir()
    (locked / "Dockerfile").write_text(GOOD)
    as_nobody = os.geteuid() == 0
    if as_nobody and not _can_run_as_nobody(shared_tmp):
        pytest.skip("running as root, and layerlint cannot run as user nobody (uid 65534) through setpriv: "
                    "setpriv is missing, or Python or the project is not readable by other users")
    secret.chmod(0)
    locked.chmod(0)
    # the cache directory is not writable for `nobody` either: results are simply not cached
    run = check_json(["."], shared_tmp, as_nobody=as_nobody, timeout=60)
    assert run.code == 1, run.err
    assert good_findings(run) == GOOD_FINDINGS
    assert "Permission denied" in io_error(run, "secret.Dockerfile")
    assert "Permission denied" in io_error(run, "locked")
    assert "Traceback" not in run.err


@posix_only
def test_dockerignore_that_is_a_pipe_does_not_block(tmp_path):
    os.mkfifo(tmp_path / ".dockerignore")
    with hang_guard(60):
        result = lint_text("FROM debian:12\nCOPY . /app\n", path=str(tmp_path / "Dockerfile"))
    assert result.rule_errors == []


@posix_only
def test_compose_env_file_that_is_a_pipe_does_not_block(tmp_path):
    (tmp_path / "good.Dockerfile").write_text(GOOD)
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    image: team/app\n    build: .\n")
    os.mkfifo(tmp_path / ".env")
    run = check_json(["good.Dockerfile", "--no-cache"], tmp_path, timeout=5)
    assert good_findings(run) == GOOD_FINDINGS


# -- encodings -------------------------------------------------------------------------------
ENCODED = {
    "latin1.Dockerfile": "FROM debian\nLABEL author=J\u00f6rg\nRUN sudo true\n".encode("latin-1"),
    "bad-utf8.Dockerfile": b"FROM debian\nRUN echo \xff\xfe\xc3 && sudo true\n",
    "truncated-utf8.Dockerfile": b"FROM debian\nRUN sudo true # caf\xc3",
    "utf8-bom.Dockerfile": b"\xef\xbb\xbfFROM debian\nRUN sudo true\n",
    "utf16-le-bom.Dockerfile": GOOD.encode("utf-16"),
    "utf16-be-bom.Dockerfile": b"\xfe\xff" + GOOD.encode("utf-16-be"),
    "utf16-le.Dockerfile": GOOD.encode("utf-16-le"),
    "utf16-be.Dockerfile": GOOD.encode("utf-16-be"),
    "utf32.Dockerfile": GOOD.encode("utf-32"),
    "binary.Dockerfile": bytes(range(256)) * 64,
    "png.Dockerfile": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(200),
}
LINTED = {"latin1.Dockerfile": {("DL3006", 1), ("DL3004", 3)}, "bad-utf8.Dockerfile": GOOD_FINDINGS,
          "truncated-utf8.Dockerfile": GOOD_FINDINGS, "utf8-bom.Dockerfile": GOOD_FINDINGS}
REFUSED = {"utf16-le-bom.Dockerfile": "UTF-16 byte order mark", "utf16-be-bom.Dockerfile": "UTF-16 byte order mark",
           "utf16-le.Dockerfile": "little-endian UTF-16 text without a byte order mark",
           "utf16-be.Dockerfile": "big-endian UTF-16 text without a byte order mark",
           "utf32.Dockerfile": "UTF-32", "binary.Dockerfile": "binary data", "png.Dockerfile": "binary data"}


def test_encodings(tmp_path):
    """Text BuildKit can build (any bytes, read as UTF-8) is linted; UTF-16/32 and binary data,
    which BuildKit cannot build, get one clear message instead of a finding per garbage line."""
    (tmp_path / "good.Dockerfile").write_text(GOOD)
    for name, data in ENCODED.items():
        (tmp_path / name).write_bytes(data)
    run = check_json(["."], tmp_path)
    assert run.code == 1 and "Traceback" not in run.err, run.err
    assert good_findings(run) == GOOD_FINDINGS
    for name, expected in LINTED.items():
        assert good_findings(run, name) == expected, name
    assert [f["column"] for f in run.by_file()["utf8-bom.Dockerfile"] if f["code"] == "DL3006"] == [6]
    for name, needle in REFUSED.items():
        message = io_error(run, name)
        assert needle in message and ("save it as UTF-8" in message or "not a Dockerfile" in message), message


def test_utf16_on_stdin_gets_the_same_message(tmp_path):
    run = check_json(["-", "--stdin-filename", "Dockerfile"], tmp_path, stdin=GOOD.encode("utf-16"))
    assert run.code == 1
    assert "UTF-16 byte order mark" in io_error(run, "Dockerfile")


# -- size and shape ----------------------------------------------------------------------------
def test_ten_megabyte_file(tmp_path):
    """5 MB of comments and a 5 MB heredoc between real instructions: every finding is still
    reported, on the right line, in one bounded run."""
    comment = "# " + "lorem ipsum dolor sit amet " * 3 + "\n"
    config_line = "setting_%d = a value with $HOME in it\n"
    head = "FROM debian\n"
    comments = comment * (5_000_000 // len(comment))
    body = "".join(config_line % i for i in range(5_000_000 // len(config_line % 0)))
    text = head + comments + "COPY <<EOF /etc/app.conf\n" + body + "EOF\nRUN sudo true\n"
    (tmp_path / "big.Dockerfile").write_text(text)
    (tmp_path / "good.Dockerfile").write_text(GOOD)
    assert len(text) >= 10_000_000
    run = check_json(["big.Dockerfile", "good.Dockerfile", "--no-cache"], tmp_path, timeout=120)
    assert run.code == 1, run.err
    assert good_findings(run) == GOOD_FINDINGS
    last_line = text.count("\n")
    assert good_findings(run, "big.Dockerfile") == {("DL3006", 1), ("DL3004", last_line)}


def _nested(depth: int) -> str:
    word = "end"
    for i in range(depth):
        word = f"${{v{i % 7}:-{word}}}"
    return word


def _continuations(n: int) -> str:
    return "FROM debian:12\nRUN set -e; \\\n" + "    echo line \\\n" * n + "    && true\n"


def _nested_expansions(depth: int) -> str:
    w = _nested(depth)
    return (f"ARG BASE={w}\nFROM debian:12\nARG A={w}\nENV B={w}\nLABEL c={w}\nWORKDIR /{w}\n"
            f"COPY {w} /dst/\nUSER {w}\nRUN echo {w}\n")


def _heredoc_openers(n: int) -> str:
    openers = " ".join(f"<<E{i}" for i in range(n))
    bodies = "".join(f"echo {i}\nE{i}\n" for i in range(n))
    return f"FROM debian:12\nRUN {openers} cat\n{bodies}RUN sudo true\n"


def _heredoc_body(n: int) -> str:
    return "FROM debian:12\nRUN <<EOF\nset -e\n" + "apt-get install -y pkg && echo $HOME | tee /tmp/log\n" * n + "EOF\n"


def _run_lines(n: int) -> str:
    return "FROM debian:12\nRUN set -e; \\\n" + "".join(f"  apt-get install -y pkg{i} && \\\n" for i in range(n)) \
        + "  true\n"


def _long_line(n: int) -> str:
    return "FROM debian:12\nRUN echo " + "word " * n + "&& sudo true\n"


def _many_stages(n: int) -> str:
    block = ("FROM debian:12 AS build{i}\nRUN apt-get update && apt-get install -y curl\nCOPY . /src\n"
             "FROM build{i}\nUSER 1000\nCMD [\"run\"]\n")
    return "".join(block.format(i=i) for i in range(n))


def _one_big_stage(n: int) -> str:
    block = ("RUN apt-get install -y curl\nCOPY --chown=app app{i}.py /srv/\nENV K{i}=v{i}\n"
             "RUN <<EOF\necho {i} > /srv/{i}\nEOF\n")
    return "FROM debian:12\nUSER app\nWORKDIR /srv\n" + "".join(block.format(i=i) for i in range(n))


# (generator, size): the larger input is the generator at ten times that size
SCALING = {
    "100,000 continuation lines": (_continuations, 10_000),
    "variable expansions nested 10,000 deep": (_nested_expansions, 1_000),
    "10,000 heredoc openers on one line": (_heredoc_openers, 1_000),
    "a heredoc script of 5,000 lines": (_heredoc_body, 500),
    "a RUN of 10,000 lines": (_run_lines, 1_000),
    "a 1 MB line": (_long_line, 20_000),
    "1,000 stages": (_many_stages, 100),
    "one stage of 2,000 instructions": (_one_big_stage, 50),
}


def _lint_seconds(text: str) -> float:
    gc.collect()  # the previous run's garbage is not this run's cost
    start = time.perf_counter()
    result = lint_text(text)
    seconds = time.perf_counter() - start
    assert result.rule_errors == [], result.rule_errors[:3]
    return seconds


@pytest.mark.parametrize("case", list(SCALING))
def test_cost_grows_linearly(case):
    make, size = SCALING[case]
    small, large = make(size), make(10 * size)
    with hang_guard(300):
        _lint_seconds(small)  # warm up: imports, grammar, caches
        t_small = min(_lint_seconds(small) for _ in range(2))
        t_large = _lint_seconds(large)
    # linear is 10x; quadratic would be 100x. Generous for noise on a busy machine.
    assert t_large <= 30 * t_small + 0.3, f"{case}: {t_small:.3f}s -> {t_large:.3f}s for 10x the input"


@pytest.mark.parametrize("text, needle", [
    ("FROM debian:12\nRUN <<EOF\necho never closed\n", "unterminated heredoc"),
    ("FROM debian:12\nRUN " + " ".join(f"<<E{i}" for i in range(5000)) + "\n", "unterminated heredoc"),
    ("FROM debian:12\nCOPY <<EOF /x\n" + "data\n" * 50_000, "unterminated heredoc"),
    ("FROM debian:12\nRUN <<\"EOF\n", None),  # a badly quoted delimiter: no heredoc (as BuildKit)
    ("FROM debian:12\nRUN echo " + "a" * 70_000 + "\n", "line greater than max allowed size"),
    ("#a=b" + " " * 1_000_000 + "c\nFROM debian:12\n", None),  # a directive-shaped first line of blanks
    ("FROM debian:12\nHEALTHCHECK --interval=" + "0" * 100_000 + "x CMD true\n", "invalid duration"),
])
def test_pathological_instructions_give_a_positioned_syntax_error(text, needle):
    with hang_guard(60):
        result = lint_text(text)
    assert result.rule_errors == []
    if needle is not None:
        messages = [d.message for d in result.diagnostics]
        assert any(needle in m for m in messages), messages[:5]
    for d in result.diagnostics:
        assert d.range.start.line < len(result.dockerfile.lines) or d.range.start.line == 0


def test_unterminated_heredoc_via_cli_keeps_the_other_files(tmp_path):
    (tmp_path / "good.Dockerfile").write_text(GOOD)
    (tmp_path / "open.Dockerfile").write_text("FROM debian:12\nRUN <<EOF\necho never closed\n")
    run = check_json(["."], tmp_path)
    assert run.code == 1
    assert good_findings(run) == GOOD_FINDINGS
    assert [(f["code"], f["line"]) for f in run.by_file()["open.Dockerfile"]] == [("DL1000", 2)]


def test_doubling_variables_do_not_explode():
    """`ENV A=${A}${A}` doubles A on every line: 40 lines would be a terabyte-long value."""
    for text in ("FROM debian:12\nENV A=xy\n" + "ENV A=${A}${A}\n" * 40 + "RUN echo $A\n",
                 "ARG A=xy\n" + "ARG A=${A}${A}\n" * 40 + "FROM debian:$A\n",
                 "FROM debian:12\nARG A=xy\n" + "ARG A=${A}${A}${A}${A}\n" * 40 + "WORKDIR /$A\n"):
        with hang_guard(60):
            start = time.perf_counter()
            result = lint_text(text)
        assert result.rule_errors == []
        assert time.perf_counter() - start < 20


def test_glob_patterns_in_expansions_are_matched_in_linear_time():
    """`${v%%*a*a*b}` as a backtracking regexp takes time of degree four on a long value."""
    text = f"FROM debian:12\nARG A={'a' * 20_000}\nENV B=${{A%%*a*a*a*b}} C=${{A##*a*a*b}} D=${{A//*a*a*b/x}}\n"
    with hang_guard(60):
        start = time.perf_counter()
        result = lint_text(text)
    assert result.rule_errors == [] and time.perf_counter() - start < 10


# -- configuration -------------------------------------------------------------------------------
# one value of every TOML type (and some wrong shapes); per key, those that are valid are skipped
TOML_VALUES = ['"text"', "42", "4.2", "true", "1979-05-27T07:32:00Z", "[1, 2]", '["DL3006", 3]', "[[\"a\"]]",
               "{ a = 1 }", '{ DL3006 = 5 }', '{ "x" = ["NOPE1"] }', '""', '["NOPE1"]', "[]", "{}", "inf", "nan"]
YAML_VALUES = ["text", "42", "4.2", "true", "null", "[1, 2]", "[DL3006, 3]", "[[a]]", "{a: 1}", "{error: 5}",
               "{error: [NOPE1]}", '""', "[NOPE1]", "2001-12-14", "!!binary aGVsbG8=", "&a [*a]"]


def _load_never_crashes(path: Path) -> Exception | None:
    """None when the file loads; the ConfigError otherwise. Anything else fails the test."""
    try:
        load(path)
    except ConfigError as e:
        return e
    return None


@pytest.mark.parametrize("key", sorted(_TOML_KEYS))
def test_every_toml_key_rejects_values_of_the_wrong_type_by_name(tmp_path, key):
    path = tmp_path / ".layerlint.toml"
    for value in TOML_VALUES:
        path.write_text(f"{json.dumps(key)} = {value}\n")
        error = _load_never_crashes(path)
        if error is not None:
            assert str(path) in str(error) and key.split(".")[0] in str(error), (value, str(error))


@pytest.mark.parametrize("key", sorted(_HADOLINT_KEYS) + ["override"])
def test_every_hadolint_key_rejects_values_of_the_wrong_type_by_name(tmp_path, key):
    path = tmp_path / ".hadolint.yaml"
    for value in YAML_VALUES:
        path.write_text(f"{key}: {value}\n")
        error = _load_never_crashes(path)
        if error is not None:
            assert str(path) in str(error) and (key in str(error) or "YAML" in str(error)), (value, str(error))


@pytest.mark.parametrize("name, content, needle", [
    (".layerlint.toml", "select = [\n", "invalid TOML"),
    (".layerlint.toml", "select = ['DL3006'\nignore = 1\n", "invalid TOML"),
    (".layerlint.toml", "a = 1\na = 2\n", "invalid TOML"),
    (".layerlint.toml", "\x00\x01", "invalid TOML"),
    (".layerlint.toml", "nonsense = 1\n", "unknown key 'nonsense'"),
    (".layerlint.toml", "[images]\nx = { dockerfile = 'a', tag = 'b' }\n", "images"),
    (".layerlint.toml", "[per-file-ignores]\n'*' = 'DL3006'\n", "per-file-ignores"),
    ("pyproject.toml", "[tool]\nlayerlint = 5\n", "tool.layerlint"),
    ("pyproject.toml", "tool = 5\n", "tool"),
    ("pyproject.toml", "[tool.layerlint]\nselect = 'DL'\n", "'select'"),
    (".hadolint.yaml", "ignored: [DL3006\n", "invalid YAML"),
    (".hadolint.yaml", "\tignored: []\n", "invalid YAML"),
    (".hadolint.yaml", "- a\n- b\n", "must be a mapping"),
    (".hadolint.yaml", "just text\n", "must be a mapping"),
    (".hadolint.yaml", "nonsense: 1\n", "unknown key 'nonsense'"),
    (".hadolint.yaml", "override: {fatal: [DL3006]}\n", "override.fatal"),
    (".hadolint.yaml", "ignored: &a [DL3006, *a]\n", "ignored"),  # a list that contains itself
    (".hadolint.yaml", "? [a]\n: b\n", "YAML"),
])
def test_broken_configuration_files(tmp_path, name, content, needle):
    path = tmp_path / name
    path.write_text(content)
    error = _load_never_crashes(path)
    assert error is not None and str(path) in str(error) and needle in str(error), error


@posix_only
def test_configuration_that_is_not_utf8_or_not_a_file(tmp_path):
    latin = tmp_path / "latin.toml"
    latin.write_bytes("select = ['J\u00f6rg']\n".encode("latin-1"))
    assert "cannot read configuration" in str(_load_never_crashes(latin))
    assert "not found" in str(_load_never_crashes(tmp_path))  # a directory
    os.mkfifo(tmp_path / "fifo.toml")
    assert "not found" in str(_load_never_crashes(tmp_path / "fifo.toml"))


@pytest.mark.parametrize("content, needle", [
    ("select = [\n", "invalid TOML"),
    ('severity = { DL3006 = "fatal" }\n', "severity.DL3006"),
    ("no-fail = 'yes'\n", "'no-fail' must be true or false"),
])
def test_broken_configuration_is_exit_2_with_file_and_key(tmp_path, content, needle):
    (tmp_path / "good.Dockerfile").write_text(GOOD)
    (tmp_path / ".layerlint.toml").write_text(content)
    run = check_json(["good.Dockerfile"], tmp_path)
    assert run.code == 2
    assert "configuration error" in run.err and ".layerlint.toml" in run.err and needle in run.err, run.err
    assert "Traceback" not in run.err


def test_broken_hadolint_environment_is_exit_2(tmp_path):
    (tmp_path / "good.Dockerfile").write_text(GOOD)
    for var, value, needle in (("HADOLINT_FAILURE_THRESHOLD", "loud", "HADOLINT_FAILURE_THRESHOLD"),
                               ("HADOLINT_IGNORE", "NOPE1", "NOPE1"),
                               ("HADOLINT_REQUIRE_LABELS", "maintainer:phone", "HADOLINT_REQUIRE_LABELS")):
        run = check_json(["good.Dockerfile"], tmp_path, env={var: value})
        assert run.code == 2 and needle in run.err, (var, run.err)


def test_a_broken_configuration_does_not_stop_other_directories(tmp_path):
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "good.Dockerfile").write_text(GOOD)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "Dockerfile").write_text(GOOD)
    (tmp_path / "broken" / ".layerlint.toml").write_text("select = [\n")
    run = check_json(["broken", "ok"], tmp_path)
    assert run.code == 2 and "invalid TOML" in run.err
    assert good_findings(run, "ok/good.Dockerfile") == GOOD_FINDINGS


# -- regular expressions ----------------------------------------------------------------------
# Each regular expression of the package is run on strings built to make a backtracking engine
# work hard: for every repetition in the pattern, a string that matches the pattern up to that
# repetition, repeats its body N times and then fails, and runs of each literal character.
# Linear patterns take about a millisecond on these; quadratic ones seconds.
N = 20_000
BUDGET = 0.25  # seconds for one call
_REPEATS = tuple(op for op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT,
                               getattr(sre_constants, "POSSESSIVE_REPEAT", None)) if op is not None)
_CLASSES = {sre_constants.CATEGORY_DIGIT: r"\d", sre_constants.CATEGORY_NOT_DIGIT: r"\D",
            sre_constants.CATEGORY_SPACE: r"\s", sre_constants.CATEGORY_NOT_SPACE: r"\S",
            sre_constants.CATEGORY_WORD: r"\w", sre_constants.CATEGORY_NOT_WORD: r"\W"}
_CANDIDATES = "a0 \t\n-_./:=\"'$@#!,;\\`{}[]()<>*+?|&%^~A\x00\u00e9\u00a0"
# patterns that are known to backtrack, with the guard that keeps their input short
GUARDED = {
    "layerlint.rules.ll2005_run_fetches_moving_target._TAG": "only tried on refs of at most 256 characters",
}
SCANNING = {"search", "findall", "finditer", "sub", "subn", "split"}
RE_FUNCTIONS = SCANNING | {"compile", "match", "fullmatch"}


def _package_modules():
    import layerlint.reporters
    import layerlint.rules
    import layerlint.server

    names = {"layerlint"}
    for pkg in (layerlint, layerlint.rules, layerlint.server, layerlint.reporters):
        names |= {m.name for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")}
    return [importlib.import_module(n) for n in sorted(names) if not n.endswith("__main__")]


def _module_patterns(mod):
    """(qualified name, pattern) for patterns at module level, in module-level containers and
    in class attributes."""
    out = []

    def visit(value, where, depth=0):
        if isinstance(value, LazyPattern):  # compiled on first use (layerlint.patterns)
            value = value.compiled
        if isinstance(value, re.Pattern):
            out.append((where, value))
        elif depth < 2 and isinstance(value, (list, tuple, set, frozenset)):
            for i, item in enumerate(value):
                visit(item, f"{where}[{i}]", depth + 1)
        elif depth < 2 and isinstance(value, dict):
            for k, item in value.items():
                visit(item, f"{where}[{k!r}]", depth + 1)

    for name, value in vars(mod).items():
        if isinstance(value, type) and value.__module__ == mod.__name__:
            for attr, item in vars(value).items():
                visit(item, f"{mod.__name__}.{name}.{attr}")
        else:
            visit(value, f"{mod.__name__}.{name}")
    return out


def _flags(node) -> int:
    if node is None:
        return 0
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "re":
        return getattr(re, node.attr)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _flags(node.left) | _flags(node.right)
    raise ValueError(ast.dump(node))


_FLAGS_AT = {"compile": 1, "match": 2, "search": 2, "fullmatch": 2, "findall": 2, "finditer": 2, "split": 3,
             "sub": 4, "subn": 4}


def _inline_patterns(tree, module: str):
    """(where, pattern, method) for `re.match(r"...", ...)` and the like in function bodies."""
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                and node.func.attr in RE_FUNCTIONS and node.args and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            fn = node.func.attr
            flag_node = node.args[_FLAGS_AT[fn]] if len(node.args) > _FLAGS_AT[fn] else None
            flag_node = next((k.value for k in node.keywords if k.arg == "flags"), flag_node)
            out.append((f"{module}:{node.lineno}", re.compile(node.args[0].value, _flags(flag_node)), fn))
    return out


def _methods_called(trees) -> dict[str, set[str]]:
    """Variable name -> the Pattern methods called on it anywhere in the package."""
    used: dict[str, set[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in RE_FUNCTIONS:
                v = node.value
                name = v.id if isinstance(v, ast.Name) else v.attr if isinstance(v, ast.Attribute) else None
                if name and name != "re":
                    used.setdefault(name, set()).add(node.attr)
    return used


def _runtime_patterns():
    """Patterns built by functions at run time, for each escape character."""
    from layerlint.lines import LineReader
    from layerlint.server.semantic_tokens import _lexers

    out = []
    for escape in ("\\", "`"):
        reader = LineReader("")
        reader._set_escape(escape)
        out.append((f"LineReader._continuation[{escape}]", reader._continuation, {"search"}))
        for i, p in enumerate(_lexers(escape)):
            out.append((f"semantic_tokens._lexers({escape})[{i}]", p, {"finditer", "match"}))
    return out


def all_patterns():
    """(where, pattern, methods it is called with) for every regular expression of the package."""
    modules = _package_modules()
    trees = {m.__name__: ast.parse(Path(m.__file__).read_text(encoding="utf-8")) for m in modules}
    used = _methods_called(trees.values())
    found, seen = [], set()
    for mod in modules:
        for where, p in _module_patterns(mod):
            name = where.rsplit(".", 1)[-1].split("[")[0]
            found.append((where, p, used.get(name) or RE_FUNCTIONS))
            seen.add((p.pattern, p.flags))
        for where, p, fn in _inline_patterns(trees[mod.__name__], mod.__name__):
            if fn != "compile":
                found.append((where, p, {fn}))
            elif (p.pattern, p.flags) not in seen:  # compiled in a function: used in unknown ways
                found.append((where, p, RE_FUNCTIONS))
    return found + _runtime_patterns()


def _in_class(items, ch: str, flags: int) -> bool:
    negate, hit = False, False
    for op, av in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            hit |= ord(ch) == av or bool(flags & re.I and ch.lower() == chr(av).lower())
        elif op is sre_constants.RANGE:
            hit |= av[0] <= ord(ch) <= av[1]
        elif op is sre_constants.CATEGORY:
            hit |= bool(re.fullmatch(_CLASSES.get(av, "."), ch))
    return hit != negate


def _repeats(seq, acc):
    for op, av in seq:
        if op in _REPEATS:
            if av[1] > 1:
                acc.append(av)
            _repeats(av[2], acc)
        elif op is sre_constants.SUBPATTERN:
            _repeats(av[-1], acc)
        elif op is sre_constants.BRANCH:
            for branch in av[1]:
                _repeats(branch, acc)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            _repeats(av[1], acc)
    return acc


def _contains(seq, target) -> bool:
    return any(r is target for r in _repeats(seq, []))


def _sample(seq, target, flags: int, choice: int) -> str:
    """A string matching `seq` with the repetition `target` taken N times, the others minimally."""
    out = []
    for op, av in seq:
        if op is sre_constants.LITERAL:
            out.append(chr(av))
        elif op is sre_constants.NOT_LITERAL:
            out.append("a" if av != ord("a") else "b")
        elif op is sre_constants.ANY:
            out.append("a")
        elif op is sre_constants.IN:
            chars = [c for c in _CANDIDATES if _in_class(av, c, flags)]
            out.append(chars[min(choice, len(chars) - 1)] if chars else "a")
        elif op is sre_constants.SUBPATTERN:
            out.append(_sample(av[-1], target, flags, choice))
        elif op is sre_constants.BRANCH:
            branch = next((b for b in av[1] if _contains(b, target)), av[1][0])
            out.append(_sample(branch, target, flags, choice))
        elif op in _REPEATS:
            low, _, item = av
            if av is target:
                out.append(_sample(item, target, flags, choice) * N)
            else:
                inner = _contains(item, target)
                out.append(_sample(item, target, flags, choice) * max(low, 1 if inner else 0))
        elif op is sre_constants.CATEGORY:
            out.append({r"\d": "0", r"\s": " ", r"\w": "a"}.get(_CLASSES.get(av, ""), "a"))
    return "".join(out)


def adversarial_strings(pattern: re.Pattern) -> set[str]:
    seq = list(sre_parse.parse(pattern.pattern, pattern.flags))
    out = set()
    for target in _repeats(seq, []):
        for choice in (0, 1, 2):
            body = _sample(seq, target, pattern.flags, choice)
            out.update(body + tail for tail in ("", "!", "\x00", "\n", " ", "a"))
    out.update(c * N + "!" for c in {c for c in pattern.pattern if c.isprintable()} | {" ", "a", "\t", "\n"})
    return out


def test_no_regular_expression_backtracks_catastrophically():
    slow = []
    patterns = all_patterns()
    assert len(patterns) > 100  # the scan found the package's patterns
    for where, pattern, methods in patterns:
        if where in GUARDED:
            continue
        calls = [pattern.match]
        if methods & SCANNING:
            calls.append(pattern.search)
        if "fullmatch" in methods:
            calls.append(pattern.fullmatch)
        for s in adversarial_strings(pattern):
            for call in calls:
                start = time.perf_counter()
                call(s)
                took = time.perf_counter() - start
                if took > BUDGET:
                    slow.append(f"{where} ({call.__name__}, {took:.2f}s on {s[:24]!r}...): {pattern.pattern!r}")
                    break
            else:
                continue
            break
    assert not slow, "regular expressions that backtrack catastrophically:\n" + "\n".join(slow)


def test_guarded_patterns_stay_fast_through_their_guard():
    from layerlint.rules.ll2005_run_fetches_moving_target import _tag_like

    start = time.perf_counter()
    assert not _tag_like("0-" * 100_000 + "!")
    assert time.perf_counter() - start < 1


# -- regressions of the rewritten patterns: same answers as before ---------------------------
@pytest.mark.parametrize("mode, writable", [
    ("o+w", True), ("a+w", True), ("ugo+rwx", True), ("uoa=rw", True), ("aa+w", True), ("g+w", False),
    ("u+w,o-w", False), ("+w", False), ("o+r", False), ("u+x,a+rw", True)])
def test_world_writable_chmod_modes(mode, writable):
    result = lint_text(f"FROM debian:12\nRUN chmod {mode} /srv\nCOPY --chmod={mode} a /srv/\n")
    codes = [d.code for d in result.diagnostics if d.code == "LL5014"]
    assert bool(codes) == writable, (mode, codes)


@pytest.mark.parametrize("value, valid", [
    ("30s", True), ("1m30s", True), ("0", True), ("1.5h", True), (".5s", True), ("2\u00b5s", True),
    ("2\u03bcs", True), ("10", False), ("00", False), ("0s0", False), ("s", False), ("1x", False)])
def test_healthcheck_durations_follow_go(value, valid):
    result = lint_text(f"FROM debian:12\nHEALTHCHECK --interval={value} CMD true\n")
    invalid = [d for d in result.diagnostics if "invalid duration" in d.message]
    assert (not invalid) == valid, (value, invalid)
