"""Rules, diagnostics and fixes: the vocabulary every rule file uses.

A rule is one class in one file of `layerlint.rules`, registered with `@register`.
Its docstring is its documentation and must have the sections
`## Why is this bad?`, `## Example` and `## Use instead` (and `## Fix` when it
offers fixes); `layerlint rule CODE` prints it and the test suite lints its
examples. The engine calls, when defined:

- `check(ins, ctx)` for every instruction whose keyword is in `visits`
  (`"*"` for all), also for ONBUILD triggers when `onbuild = True`;
- `stage_end(stage, ctx)` after the last instruction of each stage;
- `file_end(ctx)` once at the end of the file;
- `keep(diagnostic, ctx)` for each of the rule's findings once the whole file is checked:
  whether it stands. A check that looks at one stage but whose finding matters only
  depending on the rest of the file (does the stage's image get built on?) reports at
  once and decides here, and so stays stage-local (`Rule.stage_local`).

Rules report through `ctx.report(self, range, message, fix=...)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from .ast import Range
from .patterns import lazy_pattern

SEVERITIES = ("error", "warning", "info", "style")
SEVERITY_RANK = {"error": 4, "warning": 3, "info": 2, "style": 1, "ignore": 0, "none": 0}
GROUPS = ("syntax", "cache", "entrypoint", "copy", "user", "onbuild", "stages", "variables", "security",
          "packages", "shell", "style")
REQUIRED_SECTIONS = ("## Why is this bad?", "## Example", "## Use instead")
_CODE = lazy_pattern(r"^(DL\d{4}|LL\d{4})$")
_NAME = lazy_pattern(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text in `range` by `new_text` (insert when the range is empty)."""

    range: Range
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    edits: tuple[Edit, ...]
    safe: bool = True  # unsafe fixes may change what the build does; applied only on request
    title: str = ""


@dataclass(slots=True)
class Diagnostic:
    code: str
    name: str
    severity: str
    message: str
    range: Range
    fix: Fix | None = None
    url: str = ""
    tags: tuple[str, ...] = ()  # "deprecated", "unnecessary"
    data: dict | None = None  # what the rule attached (`ctx.report(..., key=value)`); None when nothing

    def sort_key(self):
        return (self.range.start, self.code)

    def copy(self) -> Diagnostic:
        """A shallow copy, made for the language server's replayed findings (the engine sets the
        severity of what it returns); ~6 times cheaper than dataclasses.replace."""
        return Diagnostic(self.code, self.name, self.severity, self.message, self.range, self.fix, self.url,
                          self.tags, self.data)


class Rule:
    """Base class of every rule; see the module docstring."""

    @classmethod
    def stage_local(cls) -> bool:
        """Whether the language server may reuse this rule's findings for a stage that did not
        change (lint/engine.py StageMemo). Not when the rule looks at the whole file: a
        `file_end` hook, or file-wide state (`ctx.state`) gathered across stages."""
        if cls.local_to_stage is not None:
            return cls.local_to_stage
        if "_stage_local" not in cls.__dict__:
            import inspect

            try:
                source = inspect.getsource(cls)
            except (OSError, TypeError):
                source = "ctx.state("
            cls._stage_local = not hasattr(cls, "file_end") and "ctx.state(" not in source
        return cls._stage_local

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    groups: ClassVar[tuple[str, ...]] = ()
    severity: ClassVar[str] = "warning"
    aliases: ClassVar[tuple[str, ...]] = ()  # BuildKit check names, old codes
    fixable: ClassVar[str] = "never"  # never | sometimes | always
    visits: ClassVar[tuple[str, ...]] = ()
    onbuild: ClassVar[bool] = False  # also check ONBUILD triggers
    enabled_by_default: ClassVar[bool] = True
    tags: ClassVar[tuple[str, ...]] = ()  # LSP diagnostic tags: "deprecated", "unnecessary"
    # rules whose finding at the same range says the same thing: when one of them reports
    # there too, this rule's finding is dropped (a BuildKit check and its hadolint twin)
    same_finding_as: ClassVar[tuple[str, ...]] = ()
    # whether the rule's findings depend only on the stage being checked (and what that stage
    # is built on or copies from); None: decided from the code (see `stage_local()`)
    local_to_stage: ClassVar[bool | None] = None
    # configuration (TOML-style keys) the documented examples need, for rules
    # that do nothing until configured (trusted registries, label schema)
    example_config: ClassVar[dict | None] = None
    # build-context files (name -> content) the documented examples need, e.g. a .dockerignore
    example_files: ClassVar[dict | None] = None
    url: ClassVar[str] = ""

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().splitlines()[0].strip()

    @classmethod
    def documentation(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def examples(cls) -> tuple[str, str]:
        """The code blocks under `## Example` and `## Use instead`."""
        doc = cls.documentation()
        return _code_block(doc, "## Example"), _code_block(doc, "## Use instead")


def _code_block(doc: str, heading: str) -> str:
    start = doc.find(heading)
    if start < 0:
        return ""
    m = re.search(r"```(?:dockerfile)?\n(.*?)```", doc[start:], re.S)
    return m.group(1) if m else ""


class RegistryError(Exception):
    pass


_REGISTRY: dict[str, type[Rule]] = {}
_DISCOVERED = False


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: validate the rule's metadata and documentation and record it."""
    problems = []
    if not _CODE.match(cls.code):
        problems.append(f"code {cls.code!r} is not DLnnnn or LLnnnn")
    if not _NAME.match(cls.name):
        problems.append(f"name {cls.name!r} is not kebab-case")
    if cls.severity not in SEVERITIES:
        problems.append(f"severity {cls.severity!r} is not one of {SEVERITIES}")
    if not cls.groups or any(g not in GROUPS for g in cls.groups):
        problems.append(f"groups {cls.groups!r} must be taken from {GROUPS}")
    if cls.fixable not in ("never", "sometimes", "always"):
        problems.append(f"fixable {cls.fixable!r}")
    doc = cls.__doc__ or ""  # raw: cleandoc on every registration would cost cold-start time
    if not doc.strip():
        problems.append("no docstring")
    for section in REQUIRED_SECTIONS + (("## Fix",) if cls.fixable != "never" else ()):
        if section not in doc:
            problems.append(f"docstring lacks {section!r}")
    if cls.code in _REGISTRY and _REGISTRY[cls.code] is not cls:
        problems.append(f"code {cls.code} is already used by {_REGISTRY[cls.code].__name__}")
    if problems:
        raise RegistryError(f"rule {cls.__name__}: " + "; ".join(problems))
    if not cls.url:
        cls.url = f"https://layerlint.dev/rules/{cls.code}"
    _REGISTRY[cls.code] = cls
    return cls


_SORTED: dict[str, type[Rule]] = {}


def all_rules() -> dict[str, type[Rule]]:
    """Every registered rule by code, importing the rule modules on first use.

    The same (read-only) mapping is returned until another rule registers: it is
    asked for several times per linted file.
    """
    global _DISCOVERED, _SORTED
    if not _DISCOVERED:
        _DISCOVERED = True
        _discover()
    if len(_SORTED) != len(_REGISTRY):
        _SORTED = dict(sorted(_REGISTRY.items()))
    return _SORTED


def _discover() -> None:
    import importlib
    import pkgutil

    import layerlint.rules as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"layerlint.rules.{info.name}")
    _check_unique_references()


def _check_unique_references() -> None:
    """Rule names are unique and never equal an alias; an alias may name several rules
    (BuildKit's MultipleInstructionsDisallowed covers CMD, ENTRYPOINT and HEALTHCHECK)."""
    names = {cls.name: code for code, cls in _REGISTRY.items()}
    if len(names) != len(_REGISTRY):
        dupes = sorted(n for n in names if sum(c.name == n for c in _REGISTRY.values()) > 1)
        raise RegistryError(f"rule names used twice: {dupes}")
    for code, cls in _REGISTRY.items():
        for alias in cls.aliases:
            if alias in names:
                raise RegistryError(f"alias {alias!r} of {code} is the name of {names[alias]}")


def resolve(reference: str) -> set[str]:
    """Codes a selector refers to: a code, a rule name, an alias, a group, or ALL.

    Codes and group names are matched case-insensitively; BuildKit check names are
    case-sensitive, as in `# check=skip=`. Unknown references resolve to nothing.
    """
    rules = all_rules()
    ref = reference.strip()
    upper = ref.upper()
    if upper in ("ALL", "*"):
        return set(rules)
    if upper in rules:
        return {upper}
    low = ref.lower()
    out = {code for code, r in rules.items() if r.name == low or ref in r.aliases}
    if out:
        return out
    if low in GROUPS:
        return {code for code, r in rules.items() if low in r.groups}
    if re.fullmatch(r"(DL|LL|SC)\d{1,4}", upper):  # prefix selection: DL30 selects DL30xx
        return {code for code in rules if code.startswith(upper)}
    return set()


class ParseIssueRule(Rule):
    """Base for rules that report the parser's issues of one `issue_kind`.

    The parser records every problem it meets as a positioned `ParseIssue`; these
    rules make them selectable, documented and suppressible like any finding.
    """

    issue_kinds: ClassVar[tuple[str, ...]] = ()

    def file_end(self, ctx) -> None:
        for issue in ctx.dockerfile.all_issues:
            if issue.kind in self.issue_kinds:
                ctx.report(self, issue.range, issue.message, fix=self.fix_for(issue, ctx))

    def fix_for(self, issue, ctx) -> Fix | None:
        return None
