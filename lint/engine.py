"""The rule engine: one pass over the instructions, dispatching to the enabled rules.

    text -> parser.parse -> model.build_model -> rules -> suppressions -> severities

Rules get an `Context` through which they read the model and report. Per-stage
state lives in `ctx.stage_state(rule)`, per-file state in `ctx.state(rule)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ast import Dockerfile, Instruction, Range
from .config import Config
from .layers import stage_refs
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
    notes: list[str] = field(default_factory=list)  # what the user should know (ShellCheck skipped a RUN)

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
                                           tuple(rule.tags), data or None))

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


def lint_dockerfile(doc: Dockerfile, path: str | None = None, config: Config | None = None,
                    memo: StageMemo | None = None, model: Model | None = None) -> LintResult:
    """Lint a parsed Dockerfile. `memo` (the language server's, one per document and
    configuration) carries stage-local findings from the previous lint of the same document;
    `model`, when given, is `build_model(doc)` already built by the caller."""
    config = config or Config()
    if model is None or model.dockerfile is not doc:
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
    dispatch = _Dispatch(rules)
    # with a memo, stages unchanged since the previous lint are not checked again by the rules
    # whose findings depend on the stage alone: their findings are taken from the memo
    local = _Dispatch([r for r in rules if r.stage_local()]) if memo is not None else None
    others = _Dispatch([r for r in rules if not r.stage_local()]) if memo is not None else None
    if memo is not None:
        memo.start()
        memo.seed(model)
        file_part = memo.file_part(model, doc, tuple(sorted(severities)))

    errors: list[tuple[str, str]] = []
    notes: list[str] = []
    broken: set[str] = set()

    def call(rule: Rule, hook, *args):
        # A bug in one rule must not take the file's other findings with it: the rule is
        # switched off for this file and the error is reported next to the results.
        if rule.code in broken:
            return None
        try:
            return hook(*args)
        except Exception as exc:  # noqa: BLE001
            broken.add(rule.code)
            errors.append((rule.code, f"{type(exc).__name__}: {exc}"))
            return None

    for stage, instructions in _by_stage(doc, model):
        ctx.stage = stage
        key = memo.key(stage, model, file_part) if memo is not None and stage is not None else None
        replay = memo.get(key) if key is not None else None
        active = others if replay is not None else dispatch
        first = len(ctx.diagnostics)
        errors_before = len(errors)
        for ins in instructions:
            for r in active.rules_for(ins.keyword):
                call(r, r.check, ins, ctx)
            trig = ins.trigger
            if trig is not None:
                for r in active.onbuild_rules_for(trig.keyword):
                    call(r, r.check, trig, ctx)
        if stage is not None:
            for r in active.stage_enders:
                call(r, r.stage_end, stage, ctx)
        if replay is not None:
            ctx.diagnostics.extend(d.copy() for d in replay)
        elif key is not None and len(errors) == errors_before:
            codes = local.codes
            memo.put(key, [d.copy() for d in ctx.diagnostics[first:] if d.code in codes])
    ctx.stage = None
    for r in rules:
        if hasattr(r, "file_end"):
            call(r, r.file_end, ctx)
    keepers = {r.code: r for r in rules if hasattr(r, "keep") and r.code not in broken}
    if keepers:  # findings whose standing depends on the whole file (see layerlint.rule)
        ctx.diagnostics = [d for d in ctx.diagnostics  # a crash in keep switches the rule off
                           if d.code not in keepers or call(keepers[d.code], keepers[d.code].keep, d, ctx)]
    if memo is not None:
        memo.harvest(model, doc)

    if config.shellcheck:
        from .shellcheck import check as shellcheck

        for d in shellcheck(doc, model, notes):
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
    return LintResult(doc, model, out, sup, errors, notes)


class _Dispatch:
    """Which rules `check` an instruction of a given keyword, and which end a stage."""

    def __init__(self, rules: list[Rule]) -> None:
        self.codes = {r.code for r in rules}
        self._by_keyword: dict[str, list[Rule]] = {}
        self._onbuild: dict[str, list[Rule]] = {}
        wildcard = [r for r in rules if "*" in r.visits]
        onbuild_wildcard = [r for r in wildcard if r.onbuild]
        for r in rules:
            for kw in r.visits:
                if kw != "*":
                    self._by_keyword.setdefault(kw, []).append(r)
                    if r.onbuild:
                        self._onbuild.setdefault(kw, []).append(r)
        self._wildcard, self._onbuild_wildcard = wildcard, onbuild_wildcard
        self.stage_enders = [r for r in rules if hasattr(r, "stage_end")]
        self._for: dict[str, list[Rule]] = {}  # keyword -> rules_for(keyword), built once
        self._onbuild_for: dict[str, list[Rule]] = {}

    def rules_for(self, keyword: str) -> list[Rule]:
        found = self._for.get(keyword)
        if found is None:
            found = self._for[keyword] = self._wildcard + self._by_keyword.get(keyword, [])
        return found

    def onbuild_rules_for(self, keyword: str) -> list[Rule]:
        found = self._onbuild_for.get(keyword)
        if found is None:
            found = self._onbuild_for[keyword] = self._onbuild_wildcard + self._onbuild.get(keyword, [])
        return found


def _by_stage(doc: Dockerfile, model: Model):
    """(stage, its instructions) in file order; instructions before the first FROM have stage None."""
    current: Stage | None = None
    group: list[Instruction] = []
    for ins in doc.instructions:
        stage = model.stage_of.get(id(ins))
        if stage is not current and group:
            yield current, group
            group = []
        current = stage
        group.append(ins)
    if group:
        yield current, group


class StageMemo:
    """Stage-local findings of the previous lint of one document, by stage fingerprint.

    A stage's fingerprint is everything its stage-local rules can see (`Rule.stage_local`): the
    identity of each instruction of the stage, of the stages it is built on and of the stages it
    copies or mounts from, of the global ARGs; every stage's name and index; the directives and
    `# hadolint shell=` pragmas; the rules enabled. Instructions are compared by identity, which
    the parser's InstructionCache preserves for unchanged instructions; the memo keeps them
    referenced so that an identity is never reused by another object while it is remembered.
    """

    def __init__(self) -> None:
        self._previous: dict = {}
        self._current: dict = {}
        self._scripts: dict[int, tuple] = {}  # id(RUN) -> (RUN, shell, its shell analysis, its programs)
        self._globals: list[Instruction] = []
        self.reused = 0

    def start(self) -> None:
        self._previous, self._current, self.reused = self._current, {}, 0

    def seed(self, model: Model) -> None:
        """Give the model the shell analyses of unchanged RUNs (a pure function of the RUN and
        the shell in effect), the costliest part of a lint."""
        for key, (ins, shell, script, found) in self._scripts.items():
            if model.shell_at.get(key) == shell or (ins.parent is not None
                                                    and model.shell_at.get(id(ins.parent)) == shell):
                model.shell_cache[key] = script
                if found is not None:
                    model.shell_cache[("programs", key)] = found

    def harvest(self, model: Model, doc: Dockerfile) -> None:
        scripts = {}
        for top in doc.instructions:
            for ins in (top, top.trigger):
                if ins is not None and ins.keyword == "RUN" and id(ins) in model.shell_cache:
                    shell = model.shell_at.get(id(top))
                    scripts[id(ins)] = (ins, shell, model.shell_cache[id(ins)],
                                        model.shell_cache.get(("programs", id(ins))))
        self._scripts = scripts

    def file_part(self, model: Model, doc: Dockerfile, rule_codes: tuple[str, ...]) -> tuple:
        """The part of every stage's fingerprint that is the same for all stages of this lint."""
        self._globals = [i for i in doc.instructions if model.stage_of.get(id(i)) is None]
        global_args = tuple(map(id, self._globals))
        shape = tuple((s.name, s.index, s.copied_from_by_later) for s in model.stages)
        # comments attached to an instruction are part of its identity; of the others, only
        # `# hadolint shell=` pragmas change the model (the shell of the RUNs after them)
        notes = tuple((c.range, c.text) for c in doc.comments if c.text.startswith("hadolint")) \
            + tuple((d.name, d.value) for d in doc.directives)
        return (global_args, shape, notes, doc.escape, doc.path, rule_codes)

    def key(self, stage: Stage, model: Model, file_part: tuple):
        """(fingerprint, instructions to keep alive) of one stage."""
        related: list[Stage] = []
        todo = [stage]
        while todo:
            s = todo.pop()
            if s in related:
                continue
            related.append(s)
            if s.parent is not None:
                todo.append(s.parent)
            else:
                # `FROM name` where the stages so named are not its base (defined later, or the
                # stage itself): rules point at them (LL7003 gives their line)
                named = {s.image.text.lower(), s.image.resolved.lower()}
                todo.extend(t for t in model.stages if t.name in named)
                if "$" in s.image.text:  # a stage named through a variable of unknown value:
                    todo.extend(model.stages[:s.index])  # rules consider every earlier one
            for ins in s.instructions:
                todo.extend(stage_refs(ins, model))
        keep = [i for s in related for i in s.instructions]
        # the global ARGs' identities are in `file_part`: they are kept alive with each entry too
        return (tuple(map(id, keep)), stage.index, file_part), keep + self._globals

    def get(self, key):
        if key is None:
            return None
        entry = self._previous.get(key[0])
        if entry is None:
            return None
        self._current[key[0]] = entry
        self.reused += 1
        return entry[0]

    def put(self, key, diagnostics: list[Diagnostic]) -> None:
        self._current[key[0]] = (diagnostics, key[1])


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
