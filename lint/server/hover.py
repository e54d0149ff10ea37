"""Hover: what the token under the cursor means.

- an instruction keyword (also a trigger after ONBUILD), a flag, a `--mount` key or type:
  its documentation (`reference`);
- a parser directive, or a rule reference inside a suppression comment
  (`# layerlint: ignore=`, `# hadolint ignore=`, `# check=skip=`): its documentation;
- a variable reference or the name in an ARG/ENV declaration: its value at that point
  and where it comes from;
- a stage name (`FROM <stage>`, `AS <name>`, `COPY --from=`, `--mount=...,from=`): that
  stage's FROM line and base image;
- inside a finding's range: the rule's summary, why it matters and its link (appended
  to the above);
- anywhere else on an instruction: what invalidates its cached layer.

Everything comes from the document's current Analysis (parse and model, cached by the
server, and its lint result when already computed: a hover never lints); a hover reads one
instruction, found by binary search, its stage, and the findings.
"""

from __future__ import annotations

import bisect
import logging
import re
from functools import lru_cache

from lsprotocol import types

from ..ast import Directive, Flag, Instruction, Pos, Range
from ..layers import context_sources, stage_refs
from ..lines import map_offset
from ..model import PLATFORM_ARGS, PROXY_ARGS, Model, Stage
from ..pragmas import parse_pragma
from ..rule import all_rules, resolve
from ..shellwords import Lex, ShellLexError
from . import reference
from .core import Analysis, LayerlintServer

log = logging.getLogger("layerlint.server")

# instructions that only change the image configuration: a new value rebuilds nothing after them
CONFIG_ONLY = ("LABEL", "EXPOSE", "CMD", "ENTRYPOINT", "HEALTHCHECK", "STOPSIGNAL", "MAINTAINER", "VOLUME",
               "ONBUILD")
MAX_VALUE = 120  # longer values are cut in hovers


def register(server: LayerlintServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: LayerlintServer, params: types.HoverParams) -> types.Hover | None:
        analysis = ls.analysis(params.text_document.uri)
        if analysis is None or analysis.skipped or params.position.line >= len(analysis.lines):
            return None
        try:
            diagnostics = ()
            if analysis.result is not None and ls.settings_for(analysis.uri).enable:
                diagnostics = analysis.result.diagnostics  # only what the editor shows: never lint here
            found = describe(analysis, ls.from_lsp_position(analysis, params.position), diagnostics)
        except Exception:  # noqa: BLE001 - a hover must never take the server down
            log.exception("hover failed at %s:%s", params.text_document.uri, params.position)
            return None
        if found is None:
            return None
        text, rng = found
        return types.Hover(types.MarkupContent(_markup_kind(ls), text), ls.to_lsp_range(analysis, rng))


def _markup_kind(ls: LayerlintServer) -> types.MarkupKind:
    caps = ls.client_capabilities
    formats = caps and caps.text_document and caps.text_document.hover and caps.text_document.hover.content_format
    if formats and types.MarkupKind.Markdown not in formats:
        return types.MarkupKind.PlainText
    return types.MarkupKind.Markdown


def describe(analysis: Analysis, pos: Pos, diagnostics=()) -> tuple[str, Range] | None:
    """The hover text at `pos` and the range it describes, or None."""
    doc = analysis.dockerfile
    line = pos.line
    if line >= len(analysis.lines) or pos.column >= len(analysis.lines[line]):
        return None  # no character there (the server clamps positions past the end of a line to it)
    for d in doc.directives:
        if d.range.start.line == line:
            return _directive(d, pos)
    comment = _comment_on(analysis, line)
    if comment is not None:
        return _pragma(analysis, comment, pos)
    ins = instruction_at(analysis, pos)
    token = _token(analysis, ins, pos) if ins is not None else None
    sections = [token[0]] if token else []
    rng = token[1] if token else None
    seen: set[str] = set()
    for d in diagnostics:
        if _within(d.range, pos) and d.code not in seen:
            seen.add(d.code)
            sections.append(rule_markdown(d.code))
            rng = rng or d.range
    if not sections and ins is not None:
        cache = cache_markdown(analysis, ins)
        if cache:
            sections.append(cache)
            rng = _word_at(ins.trigger or ins, pos) or ins.range
    if not sections:
        return None
    return "\n\n---\n\n".join(sections), rng


# -- locating --------------------------------------------------------------------------------

def instruction_at(analysis: Analysis, pos: Pos) -> Instruction | None:
    """The top-level instruction whose range (heredoc bodies included) holds `pos`."""
    instructions = analysis.dockerfile.instructions
    i = bisect.bisect_right(instructions, pos, key=lambda ins: ins.range.start) - 1
    if i >= 0 and instructions[i].range.start <= pos <= instructions[i].range.end:
        return instructions[i]
    return None


def _comment_on(analysis: Analysis, line: int):
    comments = analysis.dockerfile.comments
    i = bisect.bisect_right(comments, line, key=lambda c: c.range.start.line) - 1
    return comments[i] if i >= 0 and comments[i].range.start.line == line else None


def _within(rng: Range, pos: Pos) -> bool:
    """Whether the character at `pos` is inside `rng` (end exclusive; an empty range holds its start)."""
    return rng.start <= pos < rng.end or rng.start == rng.end == pos


def _word_at(ins: Instruction, pos: Pos) -> Range | None:
    return next((w.range for w in ins.words if _within(w.range, pos)), None)


# -- tokens ---------------------------------------------------------------------------------

def _token(analysis: Analysis, top: Instruction, pos: Pos) -> tuple[str, Range] | None:
    ins = top
    if top.trigger is not None and top.trigger.range.start <= pos:
        ins = top.trigger
    if _within(ins.keyword_range, pos):
        doc = reference.INSTRUCTIONS.get(ins.keyword)
        return (doc.markdown(), ins.keyword_range) if doc else None
    var = variable_at(analysis, top, ins, pos)
    if var is not None:
        return var
    for f in ins.flag_nodes:
        if _within(f.name_range, pos) or (f.value_range is None and _within(f.range, pos)):
            doc = reference.FLAGS.get(ins.keyword, {}).get(f.name)
            return (doc.markdown(), f.name_range) if doc else None
        if f.value_range is not None and _within(f.value_range, pos):
            return _flag_value(analysis, ins, f, pos)
    if ins.keyword == "FROM":
        stage = analysis.model.stage_of.get(id(ins))
        words = ins.words
        if stage is not None and words and _within(words[0].range, pos) and stage.parent is not None:
            return stage_markdown(analysis, stage.parent), words[0].range
        if stage is not None and stage.name_word is not None and _within(stage.name_word.range, pos):
            return stage_markdown(analysis, stage), stage.name_word.range
    return None


def _flag_value(analysis: Analysis, ins: Instruction, f: Flag, pos: Pos) -> tuple[str, Range] | None:
    if f.name == "mount" and ins.keyword == "RUN":
        for key, key_range, value, value_range in mount_fields(analysis.lines, f):
            if _within(key_range, pos):
                doc = reference.mount_key_doc(key)
                return (doc.markdown(), key_range) if doc else None
            if value_range is not None and _within(value_range, pos):
                k = key.lower()
                if k == "type" and value.lower() in reference.MOUNT_TYPES:
                    return reference.MOUNT_TYPES[value.lower()].markdown(), value_range
                if k == "from":
                    stage = analysis.model.stage_by_name(value)
                    if stage is not None:
                        return stage_markdown(analysis, stage), value_range
                doc = reference.mount_key_doc(k)
                return (doc.markdown(), value_range) if doc else None
        return None
    if f.name == "from" and ins.keyword == "COPY" and f.value:
        stage = find_stage(analysis.model, f.value)
        if stage is not None:
            return stage_markdown(analysis, stage), f.value_range
    doc = reference.FLAGS.get(ins.keyword, {}).get(f.name)
    return (doc.markdown(), f.value_range) if doc else None


def mount_fields(lines: list[str], flag: Flag) -> list[tuple[str, Range, str, Range | None]]:
    """The `key=value` fields of a `--mount` flag written on one line: (key, its range, value,
    its range). BuildKit reads the value as CSV; quotes around the whole value or a field are
    left out of the ranges."""
    vr = flag.value_range
    if vr is None or vr.start.line != vr.end.line or vr.start.line >= len(lines):
        return []
    row = vr.start.line
    raw = lines[row][vr.start.column:vr.end.column]
    out = []
    at = vr.start.column
    for part in raw.split(","):
        stripped = part.strip("\"'")
        lead = len(part) - len(part.lstrip("\"'"))
        key, eq, value = stripped.partition("=")
        k0 = at + lead
        key_range = Range(Pos(row, k0), Pos(row, k0 + len(key)))
        value_range = Range(Pos(row, k0 + len(key) + 1), Pos(row, k0 + len(stripped))) if eq else None
        out.append((key.strip(), key_range, value, value_range))
        at += len(part) + 1
    return out


# -- directives and pragmas --------------------------------------------------------------------

def _directive(d: Directive, pos: Pos) -> tuple[str, Range] | None:
    if d.name == "check" and _within(d.value_range, pos):
        rule = _rule_reference_at(d.value_range.start, d.value, pos, after="skip")
        if rule is not None:
            return rule
    doc = reference.DIRECTIVES.get(d.name)
    return (doc.markdown(), d.range) if doc else None


def _pragma(analysis: Analysis, comment, pos: Pos) -> tuple[str, Range] | None:
    pragma = parse_pragma(comment)
    if pragma is None:
        return None
    line = analysis.lines[comment.range.start.line]
    start = Pos(comment.range.start.line, 0)
    after = "skip" if pragma.origin == "check" else "ignore"
    return _rule_reference_at(start, line, pos, after=after, references=pragma.references)


_REF_WORD = re.compile(r"[A-Za-z0-9_\-]+")


def _rule_reference_at(start: Pos, text: str, pos: Pos, *, after: str,
                       references: list[str] | None = None) -> tuple[str, Range] | None:
    """The rule named by the comma-separated word under `pos` in `text` (which starts at `start`),
    looking only after `<after>=` (`ignore=`, `ignore-file=`, `skip=`)."""
    m = re.search(rf"{after}(?:-file)?\s*=\s*", text, re.I)
    if m is None:
        return None
    for w in _REF_WORD.finditer(text, m.end()):
        rng = Range(Pos(start.line, start.column + w.start()), Pos(start.line, start.column + w.end()))
        if not _within(rng, pos):
            continue
        word = w.group()
        if references is not None and word not in references:
            return None
        codes = sorted(resolve(word))
        if not codes or len(codes) > 3:  # unknown, or a group: no single rule to explain
            return None
        return "\n\n---\n\n".join(rule_markdown(c) for c in codes), rng
    return None


@lru_cache(maxsize=None)
def rule_markdown(code: str) -> str:
    """A rule's code, name, summary, the "Why is this bad?" part of its docs and its link."""
    rule = all_rules().get(code)
    if rule is None:
        return f"**{code}**"
    head = f"**{rule.code}** `{rule.name}` ({rule.severity})"
    if rule.aliases:
        head += " · BuildKit: " + ", ".join(f"`{a}`" for a in rule.aliases)
    doc = rule.documentation()
    why = re.search(r"^## Why is this bad\?\s*\n(.*?)(?=^## |\Z)", doc, re.S | re.M)
    parts = [head, rule.summary()]
    if why:
        parts.append("**Why is this bad?** " + " ".join(why.group(1).split()))
    parts.append(f"[{rule.code} documentation]({rule.url})")
    return "\n\n".join(parts)


# -- variables --------------------------------------------------------------------------------

_DOLLAR = re.compile(r"\$(?:\{([A-Za-z0-9_]+)\}?|([A-Za-z_][A-Za-z0-9_]*|[0-9]+))")


def references(top: Instruction, escape: str) -> list[tuple[str, int, int]]:
    """(name, start, end) offsets in `top.line_text` of each `$name` / `${name...}` reference,
    as BuildKit's lexer reads them (quotes and escapes respected); a quick scan when the text
    does not lex (an unbalanced quote in a shell command, a line being typed)."""
    text = top.line_text
    if "$" not in text:
        return []
    lex = Lex(escape, skip_unset_env=True)
    try:
        lex.process_word(text, {})
        return list(lex.references)
    except ShellLexError:
        return [(m.group(1) or m.group(2), m.start(), m.end()) for m in _DOLLAR.finditer(text)
                if not _escaped(text, m.start(), escape)]


def _escaped(text: str, at: int, escape: str) -> bool:
    n = 0
    while at - n - 1 >= 0 and text[at - n - 1] == escape:
        n += 1
    return n % 2 == 1


def _reference_span(text: str, name: str, start: int, end: int) -> tuple[int, int]:
    """`$NAME` or `${NAME` (with `}` when nothing follows the name): the part a hover covers, so
    that a reference nested in a `${A:-$B}` default keeps its own span."""
    if text.startswith("${", start):
        head = start + 2 + len(name)
        return (start, end) if end == head + 1 else (start, head)
    return start, end


def variable_at(analysis: Analysis, top: Instruction, ins: Instruction, pos: Pos) -> tuple[str, Range] | None:
    """Hover for a variable reference or an ARG/ENV declared name at `pos`."""
    model = analysis.model
    if ins.keyword in ("ARG", "ENV"):
        for p in ins.pairs:
            if _within(p.key.range, pos):
                return declaration_markdown(analysis, ins, p), p.key.range
    for h in top.heredocs:
        if h.body.start <= pos <= h.body.end:
            if not h.expand and ins.keyword in ("COPY", "ADD"):
                return None  # a quoted delimiter keeps the inline file's `$` literal (a RUN's shell expands)
            row = analysis.lines[pos.line]
            for m in _DOLLAR.finditer(row):
                rng = Range(Pos(pos.line, m.start()), Pos(pos.line, m.end()))
                if _within(rng, pos) and not _escaped(row, m.start(), analysis.dockerfile.escape):
                    return variable_markdown(model, ins, m.group(1) or m.group(2)), rng
            return None
    if not top.offsets:
        return None
    keys = [k for k, _ in top.offsets]
    anchors = [a for _, a in top.offsets]
    best = None
    for name, start, end in references(top, analysis.dockerfile.escape):
        a, b = _reference_span(top.line_text, name, start, end)
        rng = Range(map_offset(keys, anchors, a), map_offset(keys, anchors, b, end=True))
        if _within(rng, pos) and (best is None or b - a < best[2]):
            best = (name, rng, b - a)
    if best is None:
        return None
    return variable_markdown(model, ins, best[0]), best[1]


def _code(value: str) -> str:
    """`value` as inline code (cut when long; double backticks when it holds one)."""
    if len(value) > MAX_VALUE:
        value = value[:MAX_VALUE - 1] + "…"
    if value == "":
        return "`\"\"` (empty)"
    fence = "``" if "`" in value else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _line(ins: Instruction) -> str:
    return f"line {ins.range.start.line + 1}"


def _stage_label(stage: Stage) -> str:
    return f"stage `{stage.name}`" if stage.name else f"stage {stage.index}"


def _declarations(model: Model, top: Instruction, name: str, keyword: str):
    """The instructions declaring `name` with `keyword` visible at `top`, nearest first, with the
    stage holding each: earlier in its stage, then in the stages it is built on, then (for ARG)
    the global ARGs (stage None)."""
    s, limit = model.stage_of.get(id(top)), top.range.start
    while s is not None:
        for i in reversed(s.instructions):
            if i.range.start < limit and i.keyword == keyword and any(p.key.text == name for p in i.pairs):
                yield i, s
        s, limit = s.parent, Pos(1 << 30, 0)
    if keyword == "ARG":
        glob = _global_declaration(model, name, top.range.start)
        if glob is not None:
            yield glob, None


def _global_declaration(model: Model, name: str, before: Pos | None = None) -> Instruction | None:
    """The last ARG before the first FROM (and before `before`) declaring `name`."""
    found = None
    for i in model.dockerfile.instructions:
        if i.keyword == "FROM" or (before is not None and i.range.start >= before):
            break
        if i.keyword == "ARG" and any(p.key.text == name for p in i.pairs):
            found = i
    return found


def _declared(decl, stage: Stage | None) -> str:
    """`line N` / `line N, in stage x` for a declaration found by `_declarations`."""
    if decl is None:
        return "declared earlier"
    ins, where = decl
    if where is None:
        return f"global ARG, {_line(ins)}"
    return _line(ins) if where is stage else f"{_line(ins)}, inherited from {_stage_label(where)}"


def variable_markdown(model: Model, ins: Instruction, name: str) -> str:
    """The value of `$name` where `ins` is, and where it is declared."""
    top = ins.parent if ins.parent is not None else ins
    scope = model.scope_at.get(id(top))
    stage = model.stage_of.get(id(top))
    head = f"**`${name}`**"
    unset = f"empty unless given with `--build-arg {name}=...`"
    notes: list[str] = []
    if scope is None:
        text = f"{head}: not defined here"
    elif stage is None or top.keyword == "FROM":  # FROM lines and global ARGs see the global scope only
        if name in scope.args:
            glob = _global_declaration(model, name, top.range.start)
            where = _declared((glob, None) if glob else None, None)
            value = scope.args[name]
            text = f"{head} = {_code(value)} ({where})" if value is not None else \
                f"{head}: global ARG without a default ({where}): {unset}"
        elif name in PLATFORM_ARGS:
            text = f"{head}: {reference.platform_arg_doc(name)}"
        else:
            text = (f"{head}: not a global ARG, so it is empty here: a FROM line only sees the ARGs declared "
                    "before the first FROM and BuildKit's platform ARGs")
    elif name in scope.env:
        where = _declared(next(_declarations(model, top, name, "ENV"), None), stage)
        text = f"{head} = {_code(scope.env[name])} (ENV, {where})"
        if name in scope.args:
            notes.append(f"This ENV value hides the ARG `{name}`.")
    elif name in scope.args:
        value = scope.args[name]
        decls = list(_declarations(model, top, name, "ARG"))
        where = _declared(decls[0] if decls else None, stage)
        if value is None:
            text = f"{head}: build arg without a default (ARG, {where}): {unset}"
        else:
            text = f"{head} = {_code(value)} (ARG, {where}); `--build-arg {name}=...` overrides it"
        own = next((p for p in decls[0][0].pairs if p.key.text == name), None) if decls else None
        glob = next((d for d in decls if d[1] is None), None)
        if own is not None and own.value is None and glob is not None and value is not None:
            notes.append(f"The value is the default of the global ARG ({_line(glob[0])}).")
        elif own is not None and own.value is None and name in PLATFORM_ARGS:
            notes.append(reference.platform_arg_doc(name))
    elif name in PROXY_ARGS:
        text = f"{head}: {reference.PROXY_ARG_DOC}"
    elif name in model.global_args:
        glob = _global_declaration(model, name)
        text = (f"{head}: empty here: the global ARG ({_line(glob) if glob else 'before the first FROM'}) is not "
                f"redeclared in this stage; "
                f"add `ARG {name}` to the stage to use it")
    elif name in PLATFORM_ARGS:
        text = f"{head}: empty here, not declared in this stage. {reference.platform_arg_doc(name)}"
    else:
        text = (f"{head}: not declared in this Dockerfile before this line; only the base image's "
                "environment (or the command itself) can set it")
    if ins.parent is not None:
        notes.append("In an ONBUILD trigger it is expanded in the child build, which has none of this "
                     "file's ARGs.")
    return "\n\n".join([text, *notes])


def declaration_markdown(analysis: Analysis, ins: Instruction, pair) -> str:
    """Hover on the name in `ARG NAME[=v]` / `ENV NAME=v`: the value it gets here."""
    model = analysis.model
    top = ins.parent if ins.parent is not None else ins
    name = pair.key.text
    stage = model.stage_of.get(id(top))
    head = f"**`{name}`**"
    unset = f"empty unless given with `--build-arg {name}=...`"
    if pair.value is not None:
        shown, note = _expanded(analysis, ins, pair.value.text)
        if ins.keyword == "ENV":
            return f"{head} = {shown}: ENV, kept in the image and in the stages built FROM this one{note}"
        text = f"{head} = {shown}: {'global ARG' if stage is None else 'ARG'} default; `--build-arg {name}=...` " \
               "overrides it"
        if stage is None:
            text += f". Usable in FROM lines, and in a stage after `ARG {name}` there"
        return text + note
    if ins.keyword == "ENV":
        return f"{head}: ENV without a value"
    if stage is not None and name in model.global_args:
        glob = model.global_args[name]
        return f"{head}: ARG without a default, so it takes the global ARG's: " + (
            _code(glob) if glob is not None else f"none there either, {unset}")
    if name in PLATFORM_ARGS:
        return f"{head}: {reference.platform_arg_doc(name)}"
    if name in PROXY_ARGS:
        return f"{head}: {reference.PROXY_ARG_DOC}"
    return f"{head}: {'global ARG' if stage is None else 'ARG'} without a default: {unset}"


def _expanded(analysis: Analysis, ins: Instruction, text: str) -> tuple[str, str]:
    """(value as inline code, note): `text` expanded with the variables before `ins`, or as written
    when it uses a variable without a known value."""
    scope = analysis.model.scope_at.get(id(ins.parent if ins.parent is not None else ins))
    values = {} if scope is None else dict(scope.env) if ins.parent is not None else scope.values()
    lex = Lex(analysis.dockerfile.escape)
    try:
        value = lex.process_word(text, values)
    except ShellLexError as e:
        return _code(text), f". It does not expand: {e}"
    if lex.unset:
        return _code(text), f". It uses {_names(dict.fromkeys(lex.unset))}, without a known value here"
    return _code(value), ""


# -- stages ---------------------------------------------------------------------------------

def find_stage(model: Model, ref: str) -> Stage | None:
    """A stage by name (case-insensitive) or by index, as COPY --from reads it."""
    stage = model.stage_by_name(ref)
    if stage is None and ref.isdigit() and int(ref) < len(model.stages):
        stage = model.stages[int(ref)]
    return stage


def stage_markdown(analysis: Analysis, stage: Stage) -> str:
    from_line = stage.from_.original.split("\n")[0].strip()
    if len(from_line) > MAX_VALUE:
        from_line = from_line[:MAX_VALUE - 1] + "…"
    title = f"**Stage `{stage.name}`** (stage {stage.index})" if stage.name else f"**Stage {stage.index}**"
    parts = [title, f"```dockerfile\n{from_line}\n```", f"Defined on {_line(stage.from_)}."]
    if stage.parent is not None:
        parts.append(f"Built on {_stage_label(stage.parent)}, base image {_code(_root_image(stage))}.")
    else:
        image = stage.image
        base = f"Base image {_code(image.text)}"
        if image.resolved != image.text:
            base += f" (with the global ARG defaults: {_code(image.resolved)})"
        parts.append(base + ".")
    if stage.platform:
        parts.append(f"Platform: {_code(stage.platform)}.")
    return "\n\n".join(parts)


def _root_image(stage: Stage) -> str:
    seen = set()
    while stage.parent is not None and id(stage) not in seen:
        seen.add(id(stage))
        stage = stage.parent
    return stage.image.resolved


# -- cache --------------------------------------------------------------------------------------

def cache_markdown(analysis: Analysis, ins: Instruction) -> str | None:
    """What invalidates the cached result of `ins`: the model of `layerlint cache` (copied files,
    rebuilt stages, earlier steps) plus the inputs that command leaves out (ARGs, base images,
    remote sources)."""
    model = analysis.model
    kw = ins.keyword
    if kw not in reference.INSTRUCTIONS:
        return None
    stage = model.stage_of.get(id(ins))
    if stage is None:  # before the first FROM: a global ARG
        return ("**Cache:** a global ARG makes no layer; a new value (`--build-arg`) changes the FROM lines "
                "that use it, and the RUN steps of the stages that redeclare it.")
    if kw == "ONBUILD":
        return ("**Cache:** ONBUILD only records a trigger in the image configuration; the trigger runs, and "
                "is cached, in the builds that use this image as their base.")
    if kw == "FROM":
        return "**Cache:** " + _from_cache(stage)
    scope = model.scope_at.get(id(ins))
    args = sorted(n for n in scope.args if n not in scope.env) if scope is not None else []
    used = _used_args(analysis, ins, set(args))
    if kw in CONFIG_ONLY:
        return ("**Cache:** no layer: it only sets the image configuration, and changing it rebuilds no "
                "later step" + (f" (its value follows ARG {_names(used)})" if used else "") + ".")
    if kw in ("ENV", "USER", "SHELL", "ARG"):
        what = "a new value (`--build-arg`)" if kw == "ARG" else "a change to it"
        return (f"**Cache:** no layer; {what} rebuilds the later steps of {_stage_label(stage)} that "
                + ("run commands (RUN sees every ARG)" if kw == "ARG" else "depend on it")
                + (f". Its value follows ARG {_names(used)}" if used else "") + ".")
    reasons: list[str] = []
    if kw in ("COPY", "ADD"):
        reasons += _copy_reasons(analysis, ins)
    if kw == "RUN":
        reasons += _run_reasons(analysis, ins)
        if args:
            reasons.append(f"ARG {_names(args)} changes (RUN sees every ARG of its stage)")
    elif used:
        reasons.append(f"ARG {_names(used)} changes")
    link = ins.flag("link") if kw in ("COPY", "ADD") else None
    if link is not None and (link.value or "true").lower() != "false":
        reasons.append("its own text changes; with `--link`, not when earlier steps are rebuilt")
    else:
        reasons.append(f"any earlier step of {_stage_label(stage)} is rebuilt")
    text = "**Cache:** rebuilt when " + (", when ".join(reasons[:-1]) + ", or when " if len(reasons) > 1 else "")
    text += reasons[-1] + "."
    if kw == "RUN":
        text += " Not when what it downloads changes upstream."
    return text


def _names(names) -> str:
    names = list(names)
    shown = ", ".join(f"`{n}`" for n in names[:4])
    return shown + (f" (+{len(names) - 4} more)" if len(names) > 4 else "")


def _used_args(analysis: Analysis, ins: Instruction, args: set[str]) -> list[str]:
    if not args:
        return []
    top = ins.parent if ins.parent is not None else ins
    return sorted({name for name, _, _ in references(top, analysis.dockerfile.escape) if name in args})


def _from_cache(stage: Stage) -> str:
    if stage.parent is not None:
        return f"rebuilt when {_stage_label(stage.parent)}, which it is built on, is rebuilt."
    image = stage.image
    if image.is_scratch:
        return "`scratch` is the empty image: nothing to rebuild."
    if image.digest:
        return f"the base image is pinned by digest ({_code(image.resolved)}): only an edit of this line changes it."
    return (f"rebuilt when the base image {_code(image.resolved)} changes: a tag can move to new content, "
            "taken when the builder pulls it again; pin a digest to freeze it.")


def _copy_reasons(analysis: Analysis, ins: Instruction) -> list[str]:
    model = analysis.model
    reasons = []
    sources = context_sources(ins)
    if sources:
        reasons.append(f"the files it copies change ({', '.join(_code(s) for s in sources[:4])}"
                       + (", ..." if len(sources) > 4 else "") + ")")
    src_flag = ins.flag("from")
    if src_flag is not None and src_flag.value:
        stage = find_stage(model, src_flag.value)
        if stage is not None:
            reasons.append(f"{_stage_label(stage)} is rebuilt")
        else:
            reasons.append(f"the image {_code(src_flag.value)} changes")
    remote = [s for s in ins.value[:-1] if "://" in s or s.startswith("git@")]
    if remote and ins.keyword == "ADD" and ins.flag("checksum") is None:
        reasons.append(f"the remote content of {_code(remote[0])} changes (checked on every build)")
    return reasons


def _run_reasons(analysis: Analysis, ins: Instruction) -> list[str]:
    reasons = []
    bind_sources = [m.source or "." for m in ins.mounts if m.type == "bind" and not m.from_]
    if bind_sources:
        reasons.append(f"the files it bind-mounts change ({', '.join(_code(s) for s in bind_sources[:4])})")
    for stage in stage_refs(ins, analysis.model):
        reasons.append(f"{_stage_label(stage)}, which it mounts, is rebuilt")
    return reasons
