"""layerlint: a Dockerfile linter that parses Dockerfiles exactly as BuildKit does.

Public API (imports are lazy so that `layerlint check` starts fast):

- `parse(text)` -> `layerlint.ast.Dockerfile`
- `lint_text(text, path=None, config=None)` -> `layerlint.engine.LintResult`
"""

__version__ = "0.1.0"


def parse(text, path=None):
    from .parser import parse as _parse

    return _parse(text, path)


def lint_text(text, path=None, config=None):
    from .engine import lint_text as _lint_text

    return _lint_text(text, path=path, config=config)
