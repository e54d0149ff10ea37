"""Loading and running the per-rule YAML fixtures in tests/fixtures/rules/.

A fixture file looks like this (positions are 1-based, end exclusive, as the
JSON output reports them):

    rule: DL3006
    cases:
      untagged:
        fail: |
          FROM debian
        violations:
          - {line: 1, column: 6, end_line: 1, end_column: 12}
        fixed: |            # optional: text after applying this rule's fixes
          ...
        unsafe: true        # optional: apply unsafe fixes too
      tagged:
        pass: |
          FROM debian:12
      configured:
        config: {trusted-registries: [docker.io]}   # optional, TOML-style keys
        fail: ...
"""

from __future__ import annotations

from pathlib import Path

import yaml

from layerlint.config import _from_table
from layerlint.engine import lint_text
from layerlint.fix import fix_text

FIXTURES = Path(__file__).parent / "fixtures" / "rules"


def load_cases():
    out = []
    for f in sorted(FIXTURES.glob("*.yml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        for name, case in (data.get("cases") or {}).items():
            out.append((data["rule"], name, case, f))
    return out


def config_for(code: str, extra: dict | None = None, directory: str | None = None):
    """The case's configuration, as if read from `fixture.toml` in `directory` (paths in it, such
    as `images`, are relative to that)."""
    table = {"select": [code]}
    table.update(extra or {})
    return _from_table(str(Path(directory or ".") / "fixture.toml"), table)


def findings(code: str, text: str, extra: dict | None = None, files: dict | None = None):
    """Lint `text` as `Dockerfile`; with `files`, inside a temporary build context holding them."""
    if not files:
        res = lint_text(text, path="Dockerfile", config=config_for(code, extra))
        return [d for d in res.diagnostics if d.code == code]
    import tempfile

    with tempfile.TemporaryDirectory(prefix="layerlint-fixture-") as tmp:
        for name, content in files.items():
            target = Path(tmp) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        res = lint_text(text, path=str(Path(tmp) / "Dockerfile"), config=config_for(code, extra, tmp))
        return [d for d in res.diagnostics if d.code == code]


def positions(diags):
    return sorted((d.range.start.line + 1, d.range.start.column + 1, d.range.end.line + 1, d.range.end.column + 1)
                  for d in diags)


def fixed(code: str, text: str, extra: dict | None, unsafe: bool, files: dict | None = None) -> str:
    return fix_text(text, lambda t: findings(code, t, extra, files), unsafe=unsafe)[0]
