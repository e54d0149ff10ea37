"""The symbols of one Dockerfile version: stage names, ARG/ENV variables and heredoc
delimiters, each with its declarations and uses, scoped the way BuildKit scopes them.

Navigation (definition, references, highlight, rename) reads this index; it is built
once per `Analysis` in one pass over the instructions.

Scoping, as BuildKit dispatches a Dockerfile:

- ARGs before the first FROM are global: visible in FROM lines (image and `--platform`)
  and in later global ARG defaults; inside a stage only where a bare `ARG NAME`
  redeclares them (that redeclaration belongs to the global variable);
- inside a stage, a `$X` refers to the declaration in scope *before* its instruction
  (`ENV a=1 b=$a` reads the old `a`); ENV wins over ARG whatever their order; CMD,
  ENTRYPOINT and HEALTHCHECK run in the container, where only ENV exists;
- a stage built FROM an earlier stage inherits that stage's ENV and ARGs, so a
  redeclaration there is the same variable; the same name in two unrelated stages is
  two variables;
- an ONBUILD trigger runs in a child build: it sees the ENV this stage ends with (the
  image's config) and what earlier triggers declared, but none of this file's ARGs,
  and a `--from` in it names the child's stages, so it is not linked here;
- stage names match case-insensitively (`AS Builder` is `--from=builder`), but a FROM
  names a stage only by its exact lower-cased text, as in BuildKit; `--from=N` refers
  to a stage by index (a use, never renamed).

A `$X` that no declaration in scope defines (`$HOME`, a platform ARG used without its
ARG line) is grouped with the other undeclared uses of X in its stage: they can be
highlighted and listed, but have no definition and cannot be renamed.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, field

from ..ast import Dockerfile, Heredoc, Instruction, Pos, Range
from ..lines import map_offset
from ..model import Model
from ..shellwords import Lex, ShellLexError

log = logging.getLogger("layerlint.server")

VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
STAGE_NAME = re.compile(r"^[a-z][a-z0-9\-_.]*$")  # BuildKit's stage-name check
HEREDOC_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_FALLBACK_REF = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")
_RUNTIME_ONLY = ("CMD", "ENTRYPOINT", "HEALTHCHECK")  # run in the container: ENV only, no ARGs
_NOT_EXPANDED = ("MAINTAINER", "SHELL", "ONBUILD", "")
GLOBAL = -1  # the `stage` of an occurrence before the first FROM or in a FROM line


@dataclass(slots=True, eq=False)
class Symbol:
    kind: str  # "stage", "variable" or "heredoc"
    name: str  # as first declared (or used, when undeclared)
    occurrences: list[Occurrence] = field(default_factory=list)
    definition: Range | None = None  # where `--from=N` of an unnamed stage leads
    body: list[str] | None = None  # a heredoc's body lines (a new delimiter must not be one of them)

    @property
    def declared(self) -> bool:
        return any(o.declaration for o in self.occurrences)

    @property
    def stages(self) -> set[int]:
        return {o.stage for o in self.occurrences}


@dataclass(slots=True, eq=False)
class Occurrence:
    range: Range  # the name only (not `$`, braces, quotes or `--from=`)
    symbol: Symbol
    declaration: bool
    target: Range | None  # where go-to-definition leads from here
    stage: int  # index of the stage holding it, or GLOBAL
    renameable: bool = True  # False for `--from=N`

    def add(self) -> Occurrence:
        self.symbol.occurrences.append(self)
        return self


class SymbolIndex:
    """Every occurrence of every symbol, findable by position."""

    def __init__(self) -> None:
        self.symbols: list[Symbol] = []
        self._by_line: dict[int, list[Occurrence]] = {}

    def at(self, pos: Pos) -> Occurrence | None:
        """The occurrence under `pos` (its end counts, so a cursor right after a name finds it)."""
        for occ in self._by_line.get(pos.line, ()):
            if occ.range.start <= pos <= occ.range.end:
                return occ
        return None

    def _finish(self) -> None:
        for sym in self.symbols:
            sym.occurrences.sort(key=lambda o: o.range.start)
            for occ in sym.occurrences:
                self._by_line.setdefault(occ.range.start.line, []).append(occ)
        for occs in self._by_line.values():
            occs.sort(key=lambda o: o.range.start)


# -- one index per analysed version ------------------------------------------------------
_CACHE_SIZE = 16
_cache: dict[str, tuple[object, SymbolIndex]] = {}


def forget(uri: str) -> None:
    """The document was closed: its analysis is not kept alive here."""
    _cache.pop(uri, None)


def index_for(analysis) -> SymbolIndex:
    """The index of `analysis` (a `core.Analysis`), built on first use; recent ones are kept."""
    hit = _cache.get(analysis.uri)
    if hit is not None and hit[0] is analysis:
        return hit[1]
    try:
        index = build_index(analysis.dockerfile, analysis.model)
    except Exception:  # noqa: BLE001 - a navigation request must never fail on odd input
        log.exception("layerlint: cannot index symbols of %s", analysis.uri)
        index = SymbolIndex()
    _cache.pop(analysis.uri, None)
    _cache[analysis.uri] = (analysis, index)
    while len(_cache) > _CACHE_SIZE:
        _cache.pop(next(iter(_cache)))
    return index


# -- building ---------------------------------------------------------------------------
Scope = dict  # a variable name -> its latest declaring Occurrence


def build_index(doc: Dockerfile, model: Model) -> SymbolIndex:
    return _Builder(doc, model).build()


class _Builder:
    def __init__(self, doc: Dockerfile, model: Model) -> None:
        self.doc = doc
        self.model = model
        self.index = SymbolIndex()
        self.global_args: Scope = {}
        self.undeclared: dict[tuple[int, str], Symbol] = {}
        self.stage_symbols: list[Symbol] = []
        self.stage_names: dict[str, int] = {}  # lower-cased name -> index (the first, if repeated)
        self.final_scopes: dict[int, tuple[Scope, Scope]] = {}  # stage index -> (env, args) at its end

    def symbol(self, kind: str, name: str) -> Symbol:
        sym = Symbol(kind, name)
        self.index.symbols.append(sym)
        return sym

    def build(self) -> SymbolIndex:
        self._stage_declarations()
        stage = GLOBAL
        env: Scope = {}
        args: Scope = {}
        triggers: list[Instruction] = []
        for ins in self.doc.instructions:
            self._heredoc_delimiters(ins)
            if ins.keyword == "FROM":
                if stage != GLOBAL:
                    self._end_stage(stage, env, args, triggers)
                stage += 1
                env, args, triggers = self._enter_stage(ins, stage)
            elif stage == GLOBAL:
                self._uses(ins, GLOBAL, self.global_args.get)
                if ins.keyword == "ARG":
                    self._global_arg(ins)
            elif ins.keyword == "ONBUILD":
                if ins.trigger is not None:
                    triggers.append(ins.trigger)  # resolved against the stage's final ENV, below
            else:
                self._stage_instruction(ins, stage, env, args)
        if stage != GLOBAL:
            self._end_stage(stage, env, args, triggers)
        self.index._finish()
        return self.index

    # -- stages ---------------------------------------------------------------------------
    def _stage_declarations(self) -> None:
        for st in self.model.stages:
            sym = self.symbol("stage", st.name_word.text if st.name_word else str(st.index))
            sym.definition = st.name_word.range if st.name_word else st.from_.range
            if st.name_word is not None:
                Occurrence(st.name_word.range, sym, True, st.name_word.range, st.index).add()
                self.stage_names.setdefault(st.name, st.index)
            self.stage_symbols.append(sym)

    def _enter_stage(self, ins: Instruction, stage: int) -> tuple[Scope, Scope, list]:
        self._uses(ins, GLOBAL, self.global_args.get)
        st = self.model.stages[stage] if stage < len(self.model.stages) else None
        if st is not None and st.parent is not None and ins.words and "$" not in ins.words[0].text:
            self._stage_use(st.parent.index, ins.words[0].range, stage)
        if st is not None and st.parent is not None and st.parent.index in self.final_scopes:
            env, args = self.final_scopes[st.parent.index]
            return dict(env), dict(args), []
        return {}, {}, []

    def _stage_use(self, target: int, rng: Range, stage: int, *, by_index: bool = False) -> None:
        sym = self.stage_symbols[target]
        Occurrence(rng, sym, False, sym.definition, stage, renameable=not by_index).add()

    def _stage_references(self, ins: Instruction, stage: int) -> None:
        """`COPY --from=NAME|N` and `RUN --mount=...,from=NAME` (the stage may come later in the
        file: BuildKit resolves these once every stage is known)."""
        for flag in ins.flag_nodes if ins.keyword == "COPY" else ():
            if flag.name != "from" or not flag.value or flag.value_range is None:
                continue
            rng = _unquoted_range(self.doc, flag.value_range, flag.value)
            target = self.stage_names.get(flag.value.lower())
            by_index = target is None and flag.value.isdigit() and int(flag.value) < len(self.model.stages)
            if by_index:
                target = int(flag.value)
            if rng is not None and target is not None:
                self._stage_use(target, rng, stage, by_index=by_index)
        for mount in ins.mounts:
            name = mount.from_
            rng = mount.value_ranges.get("from")
            if not name or rng is None or _source(self.doc, rng) != name:
                continue
            target = self.stage_names.get(name.lower())
            if target is not None:
                self._stage_use(target, rng, stage)

    # -- variables ------------------------------------------------------------------------
    def _global_arg(self, ins: Instruction) -> None:
        for pair in ins.pairs:
            name = pair.key.text
            if not VARIABLE_NAME.match(name):
                continue
            previous = self.global_args.get(name)
            sym = previous.symbol if previous else self.symbol("variable", name)
            self.global_args[name] = Occurrence(pair.key.range, sym, True, pair.key.range, GLOBAL).add()

    def _stage_instruction(self, ins: Instruction, stage: int, env: Scope, args: Scope) -> None:
        if ins.keyword in _RUNTIME_ONLY:
            self._uses(ins, stage, env.get)
        else:
            self._uses(ins, stage, lambda name: env.get(name) or args.get(name))
        self._stage_references(ins, stage)
        self._declarations(ins, stage, env, args)

    def _declarations(self, ins: Instruction, stage: int, env: Scope, args: Scope,
                      inherited_env: Scope | None = None) -> None:
        """ARG/ENV names of `ins` into `env`/`args`; a redeclaration of a visible variable of the
        same kind (or a bare ARG of a global one) joins that variable."""
        if ins.keyword not in ("ARG", "ENV"):
            return
        for pair in ins.pairs:
            name = pair.key.text
            if not VARIABLE_NAME.match(name):
                continue
            rng = pair.key.range
            target = rng
            if ins.keyword == "ENV":
                scope = env
                previous = env.get(name) or (inherited_env or {}).get(name)
            else:
                scope = args
                previous = args.get(name)
                if previous is None and pair.value is None and inherited_env is None:
                    previous = self.global_args.get(name)
                    if previous is not None:
                        target = previous.range  # its value comes from the global ARG
            sym = previous.symbol if previous else self.symbol("variable", name)
            scope[name] = Occurrence(rng, sym, True, target, stage).add()

    def _end_stage(self, stage: int, env: Scope, args: Scope, triggers: list[Instruction]) -> None:
        self.final_scopes[stage] = (env, args)
        # ONBUILD triggers run in order in a child build started from this stage's image
        trigger_env: Scope = {}
        trigger_args: Scope = {}
        for trig in triggers:
            if trig.keyword in _RUNTIME_ONLY:
                self._uses(trig, stage, lambda name: trigger_env.get(name) or env.get(name))
            else:
                self._uses(trig, stage, lambda name: trigger_env.get(name) or env.get(name)
                           or trigger_args.get(name))
            self._declarations(trig, stage, trigger_env, trigger_args, inherited_env=env)

    def _uses(self, ins: Instruction, stage: int, resolve) -> None:
        """Every `$NAME` / `${NAME...}` BuildKit (or the shell of a RUN) expands in `ins`."""
        if ins.keyword in _NOT_EXPANDED:
            return
        top = ins.parent if ins.parent is not None else ins
        # the logical line starts at the top keyword; a trigger's keyword starts ONBUILD's arguments
        start = (top.args_offset if ins.parent is not None else 0) + len(ins.instruction)
        text = top.line_text[start:]
        if "$" in text:
            keys = [a[0] for a in top.offsets]
            anchors = [a[1] for a in top.offsets]
            for name, a, b in _references(text, self.doc.escape):
                rng = Range(map_offset(keys, anchors, start + a), map_offset(keys, anchors, start + b, end=True))
                self._use(name, rng, stage, resolve)
        for doc in top.heredocs:
            if _expands_body(ins, doc) and "$" in doc.content:
                for name, rng in _body_references(doc):
                    self._use(name, rng, stage, resolve)

    def _use(self, name: str, rng: Range, stage: int, resolve) -> None:
        decl = resolve(name)
        if decl is not None:
            Occurrence(rng, decl.symbol, False, decl.range, stage).add()
            return
        key = (stage, name)
        sym = self.undeclared.get(key)
        if sym is None:
            sym = self.undeclared[key] = self.symbol("variable", name)
        Occurrence(rng, sym, False, None, stage, renameable=False).add()

    # -- heredoc delimiters ---------------------------------------------------------------
    def _heredoc_delimiters(self, ins: Instruction) -> None:
        for doc in ins.heredocs:
            opener = _source(self.doc, doc.opener)
            at = opener.find(doc.name, opener.find("<<") + 2) if opener else -1
            if at < 0:
                continue  # e.g. a delimiter quoted piecewise (`"E"OF`): no single range to point at
            start = Pos(doc.opener.start.line, doc.opener.start.column + at)
            decl = Range(start, Pos(start.line, start.column + len(doc.name)))
            sym = self.symbol("heredoc", doc.name)
            sym.body = [line.lstrip("\t") if doc.chomp else line for line in doc.content.splitlines()]
            Occurrence(decl, sym, True, decl, GLOBAL).add()
            end_line = doc.body.end.line
            if doc.terminated and end_line < len(self.doc.lines):
                line = self.doc.lines[end_line]
                col = len(line) - len(line.lstrip("\t")) if doc.chomp else 0
                if line[col:] == doc.name:
                    Occurrence(Range(Pos(end_line, col), Pos(end_line, col + len(doc.name))), sym, False, decl,
                               GLOBAL).add()


# -- helpers ----------------------------------------------------------------------------
def _references(text: str, escape: str) -> list[tuple[str, int, int]]:
    """(name, start, end) offsets of each variable name referenced in `text`, read with
    BuildKit's lexer (so nothing inside single quotes or after an escape); text it cannot
    lex (shell syntax such as `${#x}` or an apostrophe in a RUN) falls back to a plain scan."""
    lex = Lex(escape, skip_unset_env=True)  # never fails on `${X:?}` of an unset X
    out = []
    try:
        lex.process_word(text, {})
    except ShellLexError:
        for m in _FALLBACK_REF.finditer(text):
            group = 1 if m.group(1) else 2
            out.append((m.group(group), m.start(group), m.end(group)))
        return out
    for name, start, _end in lex.references:
        if not VARIABLE_NAME.match(name):
            continue  # `$1`, `$@`, ...
        at = start + (2 if text.startswith("${", start) else 1)
        out.append((name, at, at + len(name)))
    return out


def _expands_body(ins: Instruction, doc: Heredoc) -> bool:
    """Whether variables in a heredoc body are expanded: by BuildKit for COPY/ADD with an
    unquoted delimiter; by the shell for RUN, where a quoted delimiter keeps the text
    literal unless the body is the script itself (`RUN <<'EOF'`)."""
    if ins.keyword == "RUN":
        return doc.expand or ins.args_text.lstrip().startswith("<<")
    return ins.keyword in ("COPY", "ADD") and doc.expand


def _body_references(doc: Heredoc) -> list[tuple[str, Range]]:
    content = doc.content
    starts = [0] + [i + 1 for i, ch in enumerate(content) if ch == "\n"]
    first = doc.body.start.line

    def pos(offset: int) -> Pos:
        row = bisect.bisect_right(starts, offset) - 1
        return Pos(first + row, offset - starts[row])

    return [(name, Range(pos(a), pos(b))) for name, a, b in _references(content, "\\")]


def _source(doc: Dockerfile, rng: Range) -> str:
    """The source text of a single-line range ('' for a range over several lines)."""
    if rng.start.line != rng.end.line or rng.start.line >= len(doc.lines):
        return ""
    return doc.lines[rng.start.line][rng.start.column:rng.end.column]


def _unquoted_range(doc: Dockerfile, rng: Range, value: str) -> Range | None:
    """The range of `value` inside a flag value written `value`, `"value"` or `'value'`."""
    text = _source(doc, rng)
    if text == value:
        return rng
    if len(text) == len(value) + 2 and text[0] in "'\"" and text[-1] == text[0] and text[1:-1] == value:
        return Range(Pos(rng.start.line, rng.start.column + 1), Pos(rng.end.line, rng.end.column - 1))
    return None
