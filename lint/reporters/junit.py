"""`--format junit`: JUnit XML for GitLab (`artifacts:reports:junit`) and Jenkins.

`<testsuites>` holds one `<testsuite>` per linted file (`name` and `file` = the path as given
on the command line) and one `<testcase>` per finding: `name` "CODE line L col C" (unique
within the file, as GitLab requires), `classname` the path, and a `<failure>` whose `type` is
the severity, `message` the message, and text "path:line:col: CODE severity: message" plus
the rule's documentation link. A clean file has one passing testcase, so GitLab does not show
"0 tests"; a file that could not be read has one testcase with an `<error>`. Valid against the
Jenkins xUnit plugin's `junit-10.xsd`. Times are 0: the lint takes no measurable time per file.
"""

from __future__ import annotations

from . import UNREADABLE_CODE, position, xml_attribute, xml_text


def report(results, stream, options) -> None:
    suites = [_suite(r) for r in results]
    tests = sum(s[1] for s in suites)
    failures = sum(s[2] for s in suites)
    errors = sum(s[3] for s in suites)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="layerlint" tests="{tests}" failures="{failures}" errors="{errors}" time="0">']
    for lines, *_ in suites:
        out.extend(lines)
    out.append("</testsuites>")
    stream.write("\n".join(out) + "\n")


def _suite(r) -> tuple[list[str], int, int, int]:
    path = xml_attribute(r.path)
    cases: list[str] = []
    failures = errors = 0
    if r.error is not None:
        errors = 1
        cases += [f'    <testcase name="{UNREADABLE_CODE}" classname={path} time="0">',
                  f'      <error message={xml_attribute(r.error)} type="{UNREADABLE_CODE}">'
                  f"{xml_text(f'{r.path}: {r.error}')}</error>",
                  "    </testcase>"]
    elif not r.diagnostics:
        cases.append(f'    <testcase name="layerlint" classname={path} time="0"/>')
    names: dict[str, int] = {}
    for d in r.diagnostics:
        failures += 1
        p = position(d)
        name = f"{d.code} line {p['line']} col {p['column']}"
        names[name] = names.get(name, 0) + 1
        if names[name] > 1:  # the same rule twice at one place: GitLab drops same-named testcases
            name += f" ({names[name]})"
        body = f"{r.path}:{p['line']}:{p['column']}: {d.code} {d.severity}: {d.message}"
        if d.url:
            body += f"\n{d.url}"
        cases += [f"    <testcase name={xml_attribute(name)} classname={path} time=\"0\">",
                  f"      <failure message={xml_attribute(d.message)} type=\"{d.severity}\">{xml_text(body)}</failure>",
                  "    </testcase>"]
    tests = len(r.diagnostics) or 1
    head = (f"  <testsuite name={path} tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" "
            f"skipped=\"0\" time=\"0\" file={path}>")
    return [head, *cases, "  </testsuite>"], tests, failures, errors
