"""The rule engine: one pass over the instructions, dispatching to the enabled rules.

    text -> parser.parse -> model.build_model -> rules -> suppressions -> severities

Rules get an `Context` through which they read the model and report. Per-stage
state lives in `ctx.stage_state(rule)`, per-file state in `ctx.state(rule)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ast import Dockerfile, Instruction, Range
from .config import Config
from .model import Model, Stage, build_model
from .pragmas import Suppressions, collect
from .rule import SEVERITY_RANK, Diagnostic, Fix, Rule, all_rules, resolve


@dataclass
class LintResult:
    dockerfile: Dockerfile
    model: Model
    diagnostics: list[Diagnostic]
    suppressions: Suppressions | None = None
    rule_errors: list[tuple[str, str]] = field(default_factory=list)  # (code, error) of rules that crashed

    def max_severity_rank(self) -> int:
        return max((SEVERITY_RANK[d.severity] for d in self.diagnostics), default=0)


@dataclass
class Context:
    dockerfile: Dockerfile
    model: Model
    config: Config
    path: str | None = None
    stage: Stage | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _state: dict = field(default_factory=dict)
    _stage_state: dict = field(default_factory=dict)

    def report(self, rule: Rule | type[Rule], range: Range, message: str, fix: Fix | None = None,
               **data) -> None:
        self.diagnostics.append(Diagnostic(rule.code, rule.name, rule.severity, message, range, fix, rule.url,
                                           tuple(rule.tags), data))

    def state(self, rule: Rule) -> dict:
        return self._state.setdefault(rule.code, {})

    def stage_state(self, rule: Rule, stage: Stage | None = None) -> dict:
        stage = stage or self.stage
        return self._stage_state.setdefault((rule.code, id(stage)), {})

    def stage_of(self, ins: Instruction) -> Stage | None:
        target = ins.parent if ins.parent is not None else ins
        return self.model.stage_of.get(id(target))

    def text(self, rng: Range) -> str:
        """Source text covered by a range."""
        lines = self.dockerfile.lines
        (sl, sc), (el, ec) = rng
        if sl == el:
            return lines[sl][sc:ec] if sl < len(lines) else ""
        parts = [lines[sl][sc:]] + lines[sl + 1:el] + ([lines[el][:ec]] if el < len(lines) else [])
        return "\n".join(parts)


def lint_text(text: str, path: str | None = None, config: Config | None = None) -> LintResult:
    from .parser import parse

    return lint_dockerfile(parse(text, path), path, config)


def lint_dockerfile(doc: Dockerfile, path: str | None = None, config: Config | None = None) -> LintResult:
    config = config or Config()
    model = build_model(doc)
    severities = config.rule_severities(path)
    registry = all_rules()
    check = _check_directive(doc)
    for name in check.get("experimental", ()):  # BuildKit: experimental checks run only when listed
        for code in (c for c, r in registry.items() if r.aliases and not r.enabled_by_default) if name == "all" \
                else resolve(name):
            severities.setdefault(code, registry[code].severity)
    rules = [registry[code]() for code in sorted(severities)]
    ctx = Context(doc, model, config, path)

    by_keyword: dict[str, list[Rule]] = {}
    onbuild_by_keyword: dict[str, list[Rule]] = {}
    for r in rules:
        for kw in r.visits:
            by_keyword.setdefault(kw, []).append(r)
            if r.onbuild:
                onbuild_by_keyword.setdefault(kw, []).append(r)
    wildcard = by_keyword.pop("*", [])
    onbuild_wildcard = onbuild_by_keyword.pop("*", [])
    stage_enders = [r for r in rules if hasattr(r, "stage_end")]

    errors: list[tuple[str, str]] = []
    broken: set[str] = set()

    def call(rule: Rule, hook, *args) -> None:
        # A bug in one rule must not take the file's other findings with it: the rule is
        # switched off for this file and the error is reported next to the results.
        if rule.code in broken:
            return
        try:
            hook(*args)
        except Exception as exc:  # noqa: BLE001
            broken.add(rule.code)
            errors.append((rule.code, f"{type(exc).__name__}: {exc}"))

    def end_stage() -> None:
        if ctx.stage is not None:
            for r in stage_enders:
                call(r, r.stage_end, ctx.stage, ctx)

    for ins in doc.instructions:
        stage = model.stage_of.get(id(ins))
        if stage is not ctx.stage:
            end_stage()
            ctx.stage = stage
        for r in wildcard + by_keyword.get(ins.keyword, []):
            call(r, r.check, ins, ctx)
        trig = ins.trigger
        if trig is not None:
            for r in onbuild_wildcard + onbuild_by_keyword.get(trig.keyword, []):
                call(r, r.check, trig, ctx)
    end_stage()
    ctx.stage = None
    for r in rules:
        if hasattr(r, "file_end"):
            call(r, r.file_end, ctx)

    if config.shellcheck:
        from .shellcheck import check as shellcheck

        for d in shellcheck(doc, model):
            override = config.shellcheck_allowed(d.code, path)
            if override != "off":
                d.severity = override or d.severity
                severities[d.code] = d.severity
                ctx.diagnostics.append(d)

    sup = collect(doc, resolve, disable_ignore_pragmas=config.disable_ignore_pragmas)
    out = []
    for d in ctx.diagnostics:
        if sup.suppressed(d.code, d.range.start.line):
            continue
        d.severity = severities.get(d.code, d.severity)
        if check.get("error") and registry.get(d.code) is not None and registry[d.code].aliases:
            d.severity = "error"  # `# check=error=true`: a BuildKit check failing fails the build
        out.append(d)
    out = [d for d in out if d.code not in broken]  # a crashed rule's partial findings are not trusted
    reported = {(d.code, d.range) for d in out}
    out = [d for d in out if not any((twin, d.range) in reported
                                     for twin in getattr(registry.get(d.code), "same_finding_as", ()))]
    out.sort(key=Diagnostic.sort_key)
    return LintResult(doc, model, out, sup, errors)


def _check_directive(doc: Dockerfile) -> dict:
    """The `# check=skip=...;error=true;experimental=...` directive's error and experimental parts."""
    d = doc.directive("check")
    if d is None:
        return {}
    out: dict = {}
    for part in d.value.split(" ")[0].split(";"):
        key, _, value = part.partition("=")
        key = key.strip().lower()
        if key == "error":
            out["error"] = value.strip().lower() == "true"
        elif key == "experimental":
            out["experimental"] = [v.strip() for v in value.split(",") if v.strip()]
    return out
