"""The CI report formats of `layerlint check` as their consumers read them.

One fixed run over a small repository (two Dockerfiles with known findings, a clean one and a
missing path) writes every format through `--format FMT --output FILE` pairs; each report is
compared byte for byte with its golden file in tests/fixtures/reports/ and validated against
the schema its consumer uses. Regenerate the goldens after an intended change with
`LAYERLINT_UPDATE_GOLDENS=1 pytest tests/test_reporters.py`, and review the diff.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from layerlint import __version__
from layerlint.ast import Pos, Range
from layerlint.reporters import FileResult, Options, fingerprints, get, relative_path, repository_root, write_report
from layerlint.rule import Diagnostic, all_rules

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "fixtures" / "reports"
SCHEMAS = Path(os.environ.get("LAYERLINT_SHARED", ROOT.parent / "shared")) / "schemas"
UPDATE = bool(os.environ.get("LAYERLINT_UPDATE_GOLDENS"))

CI_FORMATS = {"sarif": "sarif.json", "gitlab": "gitlab.json", "checkstyle": "checkstyle.xml", "junit": "junit.xml",
              "github": "github.txt", "gnu": "gnu.txt", "sonarqube": "sonarqube.json",
              "codeclimate": "codeclimate.txt", "hadolint-json": "hadolint.json"}
# rules whose findings the fixture is about; selecting them keeps the goldens independent of new rules
SELECT = "DL3006,DL4000,DL3020,DL3014,DL3015,DL3008,DL3007,DL3019,DL3018,LL8001"
FILES = {
    # DL3006 twice on identical lines (fingerprints must still differ); an emoji before DL3014/DL3008
    # (SARIF and GitHub count it as two UTF-16 units, gnu as two screen columns)
    "Dockerfile": 'FROM debian\nMAINTAINER me\nADD app.py /app/\nRUN echo "😀" && apt-get install curl\nFROM debian\n',
    "svc/web.Dockerfile": "FROM alpine:latest AS Web\nRUN apk add curl\n",
    "svc/clean.Dockerfile": "FROM alpine:3.20\nRUN echo ok\n",
}


def make_repository(root: Path, files: dict[str, str] = FILES) -> Path:
    (root / ".git").mkdir(parents=True, exist_ok=True)  # marks the repository root
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def run(args: list[str], cwd: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HADOLINT_", "LAYERLINT_"))}
    env.update(NO_COLOR="1", HOME=str(cwd), XDG_CONFIG_HOME=str(cwd / ".config"),
               LAYERLINT_CACHE_DIR=str(cwd / ".cache"))  # no user configuration, no shared cache
    p = subprocess.run([sys.executable, "-m", "layerlint", *args], cwd=cwd, capture_output=True, text=True,
                       env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, bytes]:
    """Every CI format of one run, written through --format/--output pairs (paths normalised)."""
    project = make_repository(tmp_path_factory.mktemp("project"))
    args = ["check", "Dockerfile", "svc", "missing/Dockerfile", "--select", SELECT, "--no-source"]
    for fmt, name in CI_FORMATS.items():
        args += ["--format", fmt, "--output", f"reports/{name}"]
    code, out, err = run(args, project)
    assert code == 1, err  # findings above the threshold and an unreadable path
    assert out == ""  # every format went to its file
    produced = {}
    for fmt, name in CI_FORMATS.items():
        data = (project / "reports" / name).read_bytes()
        produced[fmt] = data.replace(project.as_uri().encode(), b"file:///PROJECT")
    assert sorted(p.name for p in (project / "reports").iterdir()) == sorted(CI_FORMATS.values())  # no temp files
    return produced


def _golden_view(fmt: str, data: bytes) -> bytes:
    """What the golden file holds: the SARIF rule documentation (edited with the rules) stubbed."""
    if fmt != "sarif":
        return data
    log = json.loads(data)
    driver = log["runs"][0]["tool"]["driver"]
    driver["version"] = driver["semanticVersion"] = "VERSION"
    for rule in driver["rules"]:
        rule["help"] = {"text": f"<documentation of {rule['id']}>", "markdown": f"<documentation of {rule['id']}>"}
    return (json.dumps(log, indent=2, ensure_ascii=False) + "\n").encode()


@pytest.mark.parametrize("fmt", list(CI_FORMATS))
def test_golden(reports, fmt):
    golden = GOLDEN / CI_FORMATS[fmt]
    actual = _golden_view(fmt, reports[fmt])
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
    assert golden.exists(), f"no golden file {golden}; run with LAYERLINT_UPDATE_GOLDENS=1"
    assert actual.decode() == golden.read_text(encoding="utf-8")


# -- SARIF ----------------------------------------------------------------------------------
def test_sarif_validates_against_the_schema(reports):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    log = json.loads(reports["sarif"])
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:3])


def test_sarif_rules_and_results_as_github_reads_them(reports):
    log = json.loads(reports["sarif"])
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and log["version"] == "2.1.0"
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("layerlint", __version__)
    results = run_["results"]
    assert [r["id"] for r in driver["rules"]] == sorted({r["ruleId"] for r in results})
    rules = all_rules()
    for descriptor in driver["rules"]:
        rule = rules[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary()
        why = rule.documentation().split("## Why is this bad?")[1].split("\n## ")[0]
        assert descriptor["fullDescription"]["text"] == " ".join(why.split())
        assert descriptor["help"]["text"] == rule.documentation() == descriptor["help"]["markdown"]
        assert descriptor["helpUri"] == rule.url
        level = {"error": "error", "warning": "warning", "info": "note", "style": "note"}[rule.severity]
        assert descriptor["defaultConfiguration"]["level"] == level
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        location = r["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith(("/", "file:"))
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///PROJECT/"
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        "Dockerfile", "svc/web.Dockerfile"}
    assert run_["columnKind"] == "utf16CodeUnits"


def test_sarif_columns_count_utf16_units(reports):
    """The emoji before DL3008 is one character but two UTF-16 code units."""
    hadolint = {(f["file"], f["code"]): f for f in json.loads(reports["hadolint-json"])}
    result = next(r for r in json.loads(reports["sarif"])["runs"][0]["results"] if r["ruleId"] == "DL3008")
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 34, "endLine": 4, "endColumn": 38}
    assert hadolint[("Dockerfile", "DL3008")]["column"] == 33  # characters, as the json format counts


def test_sarif_carries_fixes_and_reports_unreadable_files_as_notifications(reports):
    run_ = json.loads(reports["sarif"])["runs"][0]
    add = next(r for r in run_["results"] if r["ruleId"] == "DL3020")
    change = add["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"] == {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"}
    deleted = {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 4}
    assert change["replacements"] == [{"deletedRegion": deleted, "insertedContent": {"text": "COPY"}}]
    assert not any("fixes" in r for r in run_["results"] if r["ruleId"] in ("DL3006", "DL3008"))
    invocation = run_["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error" and "missing/Dockerfile" in notification["message"]["text"]


def _sarif_fingerprints(project: Path, name: str) -> list[tuple[str, int, str]]:
    code, out, err = run(["check", name, "--select", SELECT, "--format", "sarif"], project)
    assert code in (0, 1), err
    return [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
             r["partialFingerprints"]["primaryLocationLineHash"]) for r in json.loads(out)["runs"][0]["results"]]


def test_fingerprints_survive_unrelated_lines_above(tmp_path):
    project = make_repository(tmp_path)
    before = _sarif_fingerprints(project, "Dockerfile")
    text = FILES["Dockerfile"].replace("MAINTAINER me\n", "MAINTAINER me\n# a comment\nLABEL a=b\n\nENV X=1\n")
    (project / "Dockerfile").write_text("# syntax=docker/dockerfile:1\n\n" + text, encoding="utf-8")
    after = _sarif_fingerprints(project, "Dockerfile")
    assert [code for code, _, _ in after] == [code for code, _, _ in before]
    assert all(a[1] > b[1] for a, b in zip(after, before))  # every finding moved down ...
    assert [f for _, _, f in after] == [f for _, _, f in before]  # ... and kept its fingerprint
    assert len({f for _, _, f in before}) == len(before)  # the two DL3006 on `FROM debian` differ


def test_fingerprints_change_with_the_flagged_text_and_the_file():
    def result(path, text):
        start = text.rindex(" ") + 1  # the image name
        d = Diagnostic("DL3006", "untagged-image", "warning", "m", Range(Pos(0, start), Pos(0, len(text))))
        return fingerprints(FileResult(path, [d], [text]), path)[0]

    assert result("Dockerfile", "FROM debian") == result("Dockerfile", "FROM   debian")  # whitespace only
    assert result("Dockerfile", "FROM debian") != result("Dockerfile", "FROM ubuntu")
    assert result("Dockerfile", "FROM debian") != result("other/Dockerfile", "FROM debian")


# -- GitLab, Code Climate ---------------------------------------------------------------------
def test_gitlab_validates_against_the_schema(reports):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SCHEMAS / "gitlab-codequality.schema.json").read_text())
    assert not reports["gitlab"].startswith(b"\xef\xbb\xbf")  # GitLab rejects a BOM
    issues = json.loads(reports["gitlab"])
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(issues))
    assert not errors, errors[0]
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab collapses equal fingerprints
    severities = {i["check_name"]: i["severity"] for i in issues}
    assert severities == {"IOERROR": "blocker", "DL3006": "major", "DL4000": "blocker", "DL3020": "blocker",
                          "DL3014": "major", "DL3015": "minor", "DL3008": "major", "DL3007": "major",
                          "LL8001": "info", "DL3019": "minor", "DL3018": "major"}


def test_codeclimate_follows_the_engine_spec(reports):
    text = reports["codeclimate"].decode()
    assert text.endswith("\0\n")
    issues = [json.loads(chunk) for chunk in text.split("\0") if chunk.strip()]
    assert issues == json.loads(reports["gitlab"])  # the same issues, NUL-terminated instead of an array
    categories = {"Bug Risk", "Clarity", "Compatibility", "Complexity", "Duplication", "Performance", "Security",
                  "Style"}
    for issue in issues:
        assert issue["type"] == "issue" and issue["check_name"] and "\n" not in issue["description"]
        assert issue["categories"] and set(issue["categories"]) <= categories
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        location = issue["location"]
        if "positions" in location:
            begin, end = location["positions"]["begin"], location["positions"]["end"]
            assert (begin["line"], begin["column"]) <= (end["line"], end["column"])


# -- JUnit, checkstyle ------------------------------------------------------------------------
def test_junit_validates_against_the_jenkins_xsd(reports, tmp_path):
    xmlschema = pytest.importorskip("xmlschema")
    report = tmp_path / "junit.xml"
    report.write_bytes(reports["junit"])
    xmlschema.XMLSchema(str(SCHEMAS / "junit-10-jenkins-xunit.xsd")).validate(str(report))
    root = ET.fromstring(reports["junit"])
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["missing/Dockerfile", "Dockerfile", "svc/clean.Dockerfile", "svc/web.Dockerfile"]
    assert suites["svc/clean.Dockerfile"].find("testcase").findall("*") == []  # one passing testcase
    assert suites["missing/Dockerfile"].find("testcase/error") is not None
    names = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert len(set(names)) == len(names)  # GitLab keeps one testcase per name + classname
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("13", "11", "1")


def test_checkstyle_shape(reports):
    root = ET.fromstring(reports["checkstyle"])
    assert root.tag == "checkstyle" and root.get("version")
    files = {f.get("name"): f for f in root.findall("file")}
    assert set(files) == {"missing/Dockerfile", "Dockerfile", "svc/clean.Dockerfile", "svc/web.Dockerfile"}
    assert files["svc/clean.Dockerfile"].findall("error") == []
    for error in root.iter("error"):
        assert error.get("severity") in ("error", "warning", "info") and int(error.get("line")) >= 1
    style = next(e for e in root.iter("error") if e.get("source") == "LL8001")
    assert style.get("severity") == "info"
    assert "<package>" in next(e for e in root.iter("error") if e.get("source") == "DL3014").get("message")


# -- GitHub, gnu, SonarQube, hadolint ---------------------------------------------------------
def _result(message: str, rng=((0, 5), (0, 11)), path="Dockerfile", lines=("FROM debian",), severity="warning"):
    (sl, sc), (el, ec) = rng
    d = Diagnostic("DL3006", "untagged-image", severity, message, Range(Pos(sl, sc), Pos(el, ec)))
    return FileResult(path, [d], list(lines))


def _render(fmt: str, results, tmp_path: Path) -> str:
    stream = io.StringIO()
    get(fmt).report(results, stream, Options(root=str(tmp_path)))
    return stream.getvalue()


def test_github_escapes_data_and_properties(tmp_path):
    result = _result("50% done\r\nnext: a,b", path=str(tmp_path / "a,b:c%.Dockerfile"))
    assert _render("github", [result], tmp_path) == (
        "::warning file=a%2Cb%3Ac%25.Dockerfile,line=1,endLine=1,col=6,endColumn=12,title=layerlint (DL3006)"
        "::50%25 done%0D%0Anext: a,b\n")


def test_github_levels_and_multi_line_ranges(tmp_path):
    path = str(tmp_path / "Dockerfile")
    lines = ("RUN a \\", "  b")
    assert _render("github", [_result("m", ((0, 4), (1, 3)), path, lines, "info")], tmp_path) == (
        "::notice file=Dockerfile,line=1,endLine=2,title=layerlint (DL3006)::m\n")  # GitHub: no columns across lines
    assert _render("github", [_result("m", path=path, severity="style")], tmp_path).startswith("::notice ")
    assert _render("github", [_result("m", path=path, severity="error")], tmp_path).startswith("::error ")
    assert _render("github", [FileResult(str(tmp_path / "gone"), error="No such file or directory")], tmp_path) == (
        "::error file=gone,title=layerlint (IOERROR)::No such file or directory\n")


def test_gnu_counts_screen_columns(tmp_path):
    """Tabs stop every 8 columns, wide characters take two; the end column is inclusive."""
    line = "RUN\techo 日本 && apt-get install curl"
    start = line.index("curl")
    assert _render("gnu", [_result("m", ((0, start), (0, start + 4)), lines=(line,))], tmp_path) == (
        "Dockerfile:1.38-1.41: warning: m [DL3006]\n")
    # GNU tools match `file:line.col-line.col: severity:`; the style level is spelt `note`
    gnu = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+)\.(?P<col>\d+)-(?P<eline>\d+)\.(?P<ecol>\d+): "
                     r"(?P<severity>error|warning|info|note): .* \[[A-Z]+\d+\]$")
    assert gnu.match(_render("gnu", [_result("m", severity="style")], tmp_path).rstrip("\n"))["severity"] == "note"


def test_gnu_lines_of_the_run(reports):
    lines = reports["gnu"].decode().splitlines()
    assert lines[0] == "layerlint: missing/Dockerfile: error: No such file or directory"
    assert "Dockerfile:4.34-4.37: warning: " in lines[6]  # after the emoji, two columns wide


def test_sonarqube_generic_issue_format(reports):
    report = json.loads(reports["sonarqube"])
    rules = {r["id"]: r for r in report["rules"]}
    assert sorted(rules) == sorted({i["ruleId"] for i in report["issues"]})
    for rule in report["rules"]:
        assert rule["engineId"] == "layerlint" and rule["name"] and rule["cleanCodeAttribute"]
        [impact] = rule["impacts"]
        assert impact["softwareQuality"] in ("MAINTAINABILITY", "RELIABILITY", "SECURITY")
        assert impact["severity"] in ("LOW", "MEDIUM", "HIGH")
    assert rules["DL4000"]["impacts"][0] == {"softwareQuality": "RELIABILITY", "severity": "HIGH"}
    assert rules["LL8001"]["impacts"][0] == {"softwareQuality": "MAINTAINABILITY", "severity": "LOW"}
    for issue in report["issues"]:
        location = issue["primaryLocation"]
        assert location["filePath"] in ("Dockerfile", "svc/web.Dockerfile")  # unreadable files left out
        r = location["textRange"]
        assert (r["startLine"], r["startColumn"]) < (r["endLine"], r["endColumn"])  # SonarQube rejects empty ones
    first = report["issues"][0]["primaryLocation"]["textRange"]
    assert first == {"startLine": 1, "startColumn": 5, "endLine": 1, "endColumn": 11}  # columns 0-based


def test_sonarqube_ranges_it_cannot_take(tmp_path):
    def text_range(rng, lines=("FROM debian",)):
        return json.loads(_render("sonarqube", [_result("m", rng, lines=lines)], tmp_path))[
            "issues"][0]["primaryLocation"]["textRange"]

    assert text_range(((0, 5), (0, 5))) == {"startLine": 1, "startColumn": 5, "endLine": 1, "endColumn": 6}
    assert text_range(((0, 11), (0, 11))) == {"startLine": 1}  # empty, at the end of the line
    assert text_range(((0, 0), (1, 0))) == {"startLine": 1}  # past the last line


def test_hadolint_json_shape(reports):
    text = reports["hadolint-json"].decode()
    assert text.startswith('[{"code":"IOERROR","column":1,"file":"missing/Dockerfile","level":"error","line":1,')
    items = json.loads(text)
    assert all(list(i) == ["code", "column", "file", "level", "line", "message"] for i in items)
    assert {i["level"] for i in items} == {"error", "warning", "info", "style"}


# -- paths ------------------------------------------------------------------------------------
def test_paths_are_relative_to_the_repository_root_from_a_subdirectory(tmp_path):
    project = make_repository(tmp_path)
    svc = project / "svc"
    assert repository_root(str(svc)) == str(project)
    code, out, _ = run(["check", "web.Dockerfile", "--select", "DL3007", "-f", "sarif"], svc)
    uri = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "svc/web.Dockerfile"  # given relative to the cwd, reported relative to the repository
    _, out, _ = run(["check", "web.Dockerfile", "--select", "DL3007", "-f", "gnu"], svc)
    assert out.startswith("web.Dockerfile:1.13-1.18: warning: ")  # gnu: as given, for the editor in the cwd


def test_without_git_the_current_directory_is_the_root(tmp_path):
    (tmp_path / "a").mkdir()
    assert repository_root(str(tmp_path / "a")) == str(tmp_path / "a")
    assert relative_path(str(tmp_path / "a" / "Dockerfile"), str(tmp_path)) == "a/Dockerfile"
    assert relative_path("-", str(tmp_path)) == "-"
    assert relative_path("/elsewhere/Dockerfile", str(tmp_path)) == "/elsewhere/Dockerfile"


# -- --format / --output ----------------------------------------------------------------------
def test_one_format_on_stdout_and_others_in_files(tmp_path):
    project = make_repository(tmp_path)
    code, out, err = run(["check", "Dockerfile", "--select", "DL3006", "-f", "gnu", "-f", "json", "-o", "r/a.json",
                          "--format", "junit", "--output", "r/b.xml"], project)
    assert code == 1, err
    assert out.startswith("Dockerfile:1.6-1.11: warning:")
    assert json.loads((project / "r" / "a.json").read_text())[0]["code"] == "DL3006"
    assert ET.parse(project / "r" / "b.xml").getroot().tag == "testsuites"


def test_output_without_format_gets_the_default_tty_report(tmp_path):
    project = make_repository(tmp_path)
    code, out, _ = run(["check", "Dockerfile", "--select", "DL3006", "-o", "report.txt"], project)
    assert (code, out) == (1, "")
    assert "Dockerfile:1:6: DL3006 warning" in (project / "report.txt").read_text()
    assert "\x1b[" not in (project / "report.txt").read_text()  # no colour in files


@pytest.mark.parametrize("args, message", [
    (["-f", "json", "-f", "gnu"], "only one format can go to stdout"),
    (["-o", "a.txt", "-f", "sarif"], "comes before any --format"),
    (["-f", "sarif", "-o", "a", "-o", "b"], "two --output files"),
    (["-f", "sarif", "-o", "a", "-f", "gitlab", "-o", "a"], "same --output file"),
    (["-f", "nope"], "unknown format 'nope'"),
])
def test_format_and_output_usage_errors(tmp_path, args, message):
    project = make_repository(tmp_path)
    code, out, err = run(["check", "Dockerfile", *args], project)
    assert code == 2 and message in err and out == ""


def test_a_report_that_cannot_be_written_exits_2_after_the_others(tmp_path):
    project = make_repository(tmp_path)
    code, out, err = run(["check", "Dockerfile", "--select", "DL3006", "-f", "sarif", "-o", "Dockerfile/x.sarif",
                          "-f", "gitlab", "-o", "ok.json", "-f", "gnu"], project)
    assert code == 2
    assert "layerlint: cannot write the sarif report to Dockerfile/x.sarif" in err
    assert json.loads((project / "ok.json").read_text())[0]["check_name"] == "DL3006"
    assert out.startswith("Dockerfile:1.6-1.11: warning:")


def test_writes_are_atomic(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text("previous report\n")
    write_report("gitlab", [_result("m")], str(target), Options(root=str(tmp_path)))
    assert json.loads(target.read_text())[0]["check_name"] == "DL3006"
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not mkstemp's private mode

    class Broken:
        @staticmethod
        def report(results, stream, options):
            stream.write("[half a rep")
            raise OSError(28, "No space left on device")

    import layerlint.reporters as reporters

    monkeypatch.setattr(reporters, "get", lambda name: Broken)
    with pytest.raises(OSError):
        write_report("gitlab", [], str(target), Options(root=str(tmp_path)))
    assert json.loads(target.read_text())[0]["check_name"] == "DL3006"  # the old report is intact
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left behind
