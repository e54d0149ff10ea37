"""Completion: what may be typed at the cursor.

- instruction keywords at the start of a line (snippets, exec form where it applies, when
  the client takes snippets); ONBUILD triggers; only FROM and ARG (and the parser
  directives at the very top) before the first FROM;
- the flags of the instruction after `-`; the values of `--network`, `--security`,
  `--platform`, boolean flags; `--mount=` keys (per mount type) and values;
- stage names after `FROM`, `COPY --from=` (and stage indexes) and `--mount=...,from=`;
- the variables visible at the cursor after `$` / `${`, with their values;
- rule codes and names in `# layerlint: ignore=` / `# hadolint ignore=` and BuildKit check
  names after `# check=skip=`; parser directives and their values in the leading comments.

The text being typed rarely parses cleanly, so the context is read from the raw text
before the cursor: the physical line for comments and keywords, the instruction's joined
logical line (continuations included) for flags and arguments. The parse and model of the
document still give the instruction, its stage, the variables in scope and the stages.
No network access: image tags are never looked up.
"""

from __future__ import annotations

import bisect
import logging
import re
from functools import lru_cache

from lsprotocol import types

from ..ast import Instruction, Pos, Range
from ..model import PLATFORM_ARGS, PROXY_ARGS, Stage
from ..parser import FLAG_SPECS
from ..rule import all_rules
from . import reference
from .core import Analysis, LayerlintServer

log = logging.getLogger("layerlint.server")

TRIGGER_CHARACTERS = ["-", "=", "$", "{", " ", ":", ","]
MAX_DETAIL = 60
Kind = types.CompletionItemKind


def register(server: LayerlintServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(
        trigger_characters=TRIGGER_CHARACTERS, resolve_provider=False))
    def completion(ls: LayerlintServer, params: types.CompletionParams) -> types.CompletionList | None:
        analysis = ls.analysis(params.text_document.uri)
        if analysis is None or analysis.skipped:
            return None
        lines = analysis.lines
        if params.position.line > len(lines):
            return None
        # the empty line after a final newline is not in `lines`: its position is (n, 0)
        pos = Pos(params.position.line, 0) if params.position.line == len(lines) else \
            ls.from_lsp_position(analysis, params.position)
        try:
            items = complete(analysis, pos, snippets=_snippet_support(ls),
                             to_lsp=lambda rng: ls.to_lsp_range(analysis, rng))
        except Exception:  # noqa: BLE001 - completion must never take the server down
            log.exception("completion failed at %s:%s", params.text_document.uri, params.position)
            return None
        return types.CompletionList(is_incomplete=False, items=items) if items else None


def _snippet_support(ls: LayerlintServer) -> bool:
    caps = ls.client_capabilities
    item = caps and caps.text_document and caps.text_document.completion and \
        caps.text_document.completion.completion_item
    return bool(item and item.snippet_support)


class _Items:
    """Collects completion items that all replace the same range before the cursor."""

    def __init__(self, replace: Range, to_lsp) -> None:
        self.out: list[types.CompletionItem] = []
        self.range = to_lsp(replace) if to_lsp else types.Range(types.Position(*replace.start),
                                                                 types.Position(*replace.end))

    def add(self, label: str, kind, *, insert: str | None = None, detail: str | None = None,
            doc: str | None = None, snippet: bool = False, sort: str = "", filter_text: str | None = None) -> None:
        self.out.append(types.CompletionItem(
            label=label, kind=kind, detail=detail,
            documentation=types.MarkupContent(types.MarkupKind.Markdown, doc) if doc else None,
            text_edit=types.TextEdit(self.range, label if insert is None else insert),
            insert_text_format=types.InsertTextFormat.Snippet if snippet else None,  # None: plain text
            sort_text=f"{sort}{label}" if sort else None, filter_text=filter_text))


def complete(analysis: Analysis, pos: Pos, *, snippets: bool = True, to_lsp=None) -> list[types.CompletionItem]:
    """Completion items at `pos` (a layerlint position; `to_lsp` converts ranges for the client)."""
    lines = analysis.lines
    row = lines[pos.line] if pos.line < len(lines) else ""
    before = row[:pos.column]
    ins = _instruction_on_line(analysis, pos.line) or _continued_by(analysis, pos.line)
    if ins is not None and _in_heredoc_body(ins, pos.line):
        return _variables(analysis, ins.trigger or ins, pos, before, to_lsp) if "$" in before else []
    stripped = before.lstrip()
    if stripped.startswith("#"):
        return _comment(analysis, pos, stripped[1:], to_lsp)
    if ins is None or ins.range.start.line == pos.line:
        m = re.fullmatch(r"(\s*)([A-Za-z]*)", before)
        if m:
            return _keywords(analysis, pos, m.group(2), row, snippets, to_lsp)
        m = re.fullmatch(r"\s*onbuild\s+([A-Za-z]*)", before, re.I)
        if m and ins is not None:
            return _keywords(analysis, pos, m.group(1), row, snippets, to_lsp, onbuild=True)
    if ins is None:
        return []
    text = _logical_before(ins, pos)
    if text is None:
        return []
    return _in_instruction(analysis, ins, pos, text, to_lsp)


def _in_heredoc_body(ins: Instruction, line: int) -> bool:
    last = ins.offsets[-1][1].line if ins.offsets else ins.range.start.line  # the instruction's own lines
    return line > last and any(h.body.start.line <= line <= h.body.end.line for h in ins.heredocs)


def _instruction_on_line(analysis: Analysis, line: int) -> Instruction | None:
    """The top-level instruction whose lines (continuations and heredoc bodies) include `line`."""
    instructions = analysis.dockerfile.instructions
    i = bisect.bisect_right(instructions, line, key=lambda ins: ins.range.start.line) - 1
    if i >= 0 and instructions[i].range.end.line >= line:
        return instructions[i]
    return None


def _continued_by(analysis: Analysis, line: int) -> Instruction | None:
    """The instruction whose last line, right above `line`, ends with a line continuation: the
    line being typed belongs to it (the parse ended it at the end of the text)."""
    if line == 0 or line - 1 >= len(analysis.lines):
        return None
    ins = _instruction_on_line(analysis, line - 1)
    if ins is None or ins.heredocs or ins.range.end.line != line - 1:
        return None
    escape = analysis.dockerfile.escape
    text = analysis.lines[line - 1].rstrip(" \t")
    return ins if text.endswith(escape) and not text.endswith(escape * 2) else None


def _logical_before(ins: Instruction, pos: Pos) -> str | None:
    """The instruction's logical line (continuations joined) up to the cursor."""
    text, anchors = ins.line_text, ins.offsets
    for n, (key, at) in enumerate(anchors):
        if at.line == pos.line:
            end = anchors[n + 1][0] if n + 1 < len(anchors) else len(text)
            return text[:max(key, min(key + pos.column - at.column, end))]
    if anchors and pos.line > anchors[-1][1].line:  # a blank or comment line the reader skipped
        return text + " "
    return None


def _word_start(pos: Pos, typed: str) -> Pos:
    return Pos(pos.line, max(pos.column - len(typed), 0))


# -- keywords ----------------------------------------------------------------------------

def _keywords(analysis: Analysis, pos: Pos, prefix: str, row: str, snippets: bool, to_lsp,
              onbuild: bool = False) -> list[types.CompletionItem]:
    model = analysis.model
    after = re.match(r"[A-Za-z]*", row[pos.column:]).group(0)
    items = _Items(Range(_word_start(pos, prefix), Pos(pos.line, pos.column + len(after))), to_lsp)
    rest_of_line = row[pos.column + len(after):].strip()
    before_first_from = not model.stages or model.stages[0].from_.range.start.line >= pos.line
    if onbuild:
        keywords = [k for k in reference.INSTRUCTIONS if k not in reference.NOT_TRIGGERS]
    elif before_first_from:
        keywords = ["FROM", "ARG"]
    else:
        keywords = list(reference.INSTRUCTIONS)
    lower = prefix != "" and prefix.islower()
    for kw in keywords:
        doc = reference.INSTRUCTIONS[kw]
        label = kw.lower() if lower else kw
        if not snippets or rest_of_line:  # editing an existing instruction: only its keyword changes
            items.add(label, Kind.Keyword, insert=label if rest_of_line else label + " ", detail=doc.summary,
                      doc=doc.markdown())
            continue
        for n, body in enumerate(reference.SNIPPETS[kw]):
            body = (label + body[len(kw):])
            shown = label if n == 0 else re.sub(r"\$\{\d+:([^}]*)\}", r"\1", body)
            items.add(shown, Kind.Snippet if n else Kind.Keyword, insert=body, detail=doc.summary,
                      doc=doc.markdown(), snippet=True, filter_text=label, sort=f"{n}")
    if not onbuild and _in_directive_block(analysis, pos.line) and prefix == "":
        present = {d.name for d in analysis.dockerfile.directives}
        for name, doc in reference.DIRECTIVES.items():
            if name not in present:
                value = {"syntax": reference.SYNTAX_VALUES[0], "escape": "`", "check": "skip="}[name]
                items.add(f"# {name}={value}", Kind.Property, detail=doc.summary, doc=doc.markdown(), sort="~")
    return items.out


def _in_directive_block(analysis: Analysis, line: int) -> bool:
    """Whether a parser directive may still be written on `line`: every line above it is one."""
    directive_lines = {d.range.start.line for d in analysis.dockerfile.directives}
    return all(n in directive_lines for n in range(line))


# -- comments: directives and pragmas ---------------------------------------------------------

_LAYERLINT_KEY = re.compile(r"\s*layerlint\s*:\s*([\w-]*)", re.I)
_LAYERLINT_REFS = re.compile(r"\s*layerlint\s*:\s*ignore(?:-file)?\s*=\s*((?:[^\s,#]+\s*,\s*)*)([^\s,#]*)", re.I)
_HADOLINT_REFS = re.compile(r"\s*hadolint\s+(?:(?:global|stage)\s+)?ignore\s*=\s*((?:[\w-]+\s*,\s*)*)([\w-]*)")
_CHECK = re.compile(r"\s*check\s*=\s*(.*)", re.I | re.S)


def _comment(analysis: Analysis, pos: Pos, body: str, to_lsp) -> list[types.CompletionItem]:
    """`body` is the comment text before the cursor, after its `#`."""
    top = _in_directive_block(analysis, pos.line)
    if top:
        m = re.fullmatch(r"\s*([A-Za-z]*)", body)
        if m:
            items = _Items(Range(_word_start(pos, m.group(1)), pos), to_lsp)
            present = {d.name for d in analysis.dockerfile.directives if d.range.start.line != pos.line}
            for name, doc in reference.DIRECTIVES.items():
                if name not in present:
                    items.add(f"{name}=", Kind.Property, detail=doc.summary, doc=doc.markdown())
            return items.out
        m = re.fullmatch(r"\s*(syntax|escape)\s*=\s*(\S*)", body, re.I)
        if m:
            items = _Items(Range(_word_start(pos, m.group(2)), pos), to_lsp)
            values = reference.SYNTAX_VALUES if m.group(1).lower() == "syntax" else reference.ESCAPE_VALUES
            for value in values:
                items.add(value, Kind.Value)
            return items.out
    m = _CHECK.fullmatch(body)
    if m:
        return _check_value(pos, m.group(1), to_lsp, file_level=top)
    m = _LAYERLINT_REFS.fullmatch(body) or _HADOLINT_REFS.fullmatch(body)
    if m:
        listed = {r.strip() for r in m.group(1).split(",")}
        return _rule_items(pos, m.group(2), listed, to_lsp)
    m = _LAYERLINT_KEY.fullmatch(body)
    if m:
        items = _Items(Range(_word_start(pos, m.group(1)), pos), to_lsp)
        items.add("ignore=", Kind.Keyword, detail="ignore rules for the next instruction")
        items.add("ignore-file=", Kind.Keyword, detail="ignore rules in the whole file")
        return items.out
    return []


def _check_value(pos: Pos, value: str, to_lsp, *, file_level: bool) -> list[types.CompletionItem]:
    """Inside `# check=`: its keys, and check names after `skip=` / `experimental=`."""
    part = value.split(";")[-1]
    key, eq, rest = part.partition("=")
    if not eq:
        items = _Items(Range(_word_start(pos, part.lstrip()), pos), to_lsp)
        for k in (reference.CHECK_KEYS if file_level else ("skip",)):
            items.add(f"{k}=", Kind.Property)
        return items.out
    key = key.strip().lower()
    typed = rest.split(",")[-1].lstrip()
    items = _Items(Range(_word_start(pos, typed), pos), to_lsp)
    if key == "error":
        for v in ("true", "false"):
            items.add(v, Kind.Value)
    elif key in ("skip", "experimental"):
        listed = {r.strip() for r in rest.split(",")}
        for name, (codes, summary) in _check_names().items():
            if name not in listed:
                items.add(name, Kind.Constant, detail=", ".join(codes), doc=summary)
        if "all" not in listed:
            items.add("all", Kind.Constant, detail="every check", sort="~")
    return items.out


@lru_cache(maxsize=1)
def _check_names() -> dict[str, tuple[tuple[str, ...], str]]:
    """BuildKit check name -> (layerlint codes, summary)."""
    out: dict[str, tuple[list[str], str]] = {}
    for code, rule in all_rules().items():
        for alias in rule.aliases:
            if alias[:1].isupper():
                codes, _ = out.setdefault(alias, ([], rule.summary()))
                codes.append(code)
    return {name: (tuple(codes), summary) for name, (codes, summary) in sorted(out.items())}


@lru_cache(maxsize=1)
def _rules() -> list[tuple[str, str, str]]:
    return [(code, rule.name, rule.summary()) for code, rule in all_rules().items()]


def _rule_items(pos: Pos, typed: str, listed: set[str], to_lsp) -> list[types.CompletionItem]:
    items = _Items(Range(_word_start(pos, typed), pos), to_lsp)
    for code, name, summary in _rules():
        if code in listed or name in listed:
            continue
        items.add(code, Kind.Constant, detail=name, doc=summary)
        items.add(name, Kind.Constant, detail=code, sort="~")  # its code's item carries the summary
    return items.out


# -- inside an instruction --------------------------------------------------------------------

_VAR_TYPED = re.compile(r"\$(\{?)([A-Za-z0-9_]*)$")


def _in_instruction(analysis: Analysis, ins: Instruction, pos: Pos, text: str, to_lsp) -> list[types.CompletionItem]:
    """`text` is the logical line up to the cursor: keyword, flags, then arguments."""
    words = text.split()
    current = "" if not text or text[-1].isspace() else words.pop()
    onbuild = bool(words) and words[0].upper() == "ONBUILD"
    if onbuild:
        words = words[1:]
    m = _VAR_TYPED.search(text)
    if m and not _escaped(text, m.start(), analysis.dockerfile.escape):
        return _variables(analysis, ins.trigger if onbuild and ins.trigger else ins, pos, text, to_lsp)
    if not words:
        return []
    keyword, args = words[0].upper(), words[1:]
    flags = next((n for n, w in enumerate(args) if not w.startswith("--")), len(args))
    positional = args[flags:]  # the arguments before the cursor, after the flags
    if not positional and current.startswith("-"):
        if "=" not in current:
            row = analysis.lines[pos.line] if pos.line < len(analysis.lines) else ""
            after = re.match(r"[\w-]*=?", row[pos.column:]).group(0)
            return _flag_names(keyword, args, pos, current, after, to_lsp)
        name, _, value = current[2:].partition("=")
        return _flag_values(analysis, ins, keyword, name, value, pos, to_lsp)
    items = _Items(Range(_word_start(pos, current), pos), to_lsp)
    if keyword == "FROM" and not positional:
        for stage in _earlier_stages(analysis, ins):
            if stage.name:
                items.add(stage.name, Kind.Reference, detail=_stage_detail(stage))
    elif keyword == "FROM" and len(positional) == 1:
        upper = words[0].isupper()
        items.add("AS" if upper else "as", Kind.Keyword, insert="AS " if upper else "as ", detail="name this stage")
    elif keyword == "HEALTHCHECK" and not positional:
        items.add("CMD", Kind.Keyword, insert="CMD ", detail="the command that checks the container")
        items.add("NONE", Kind.Keyword, detail="disable the health check inherited from the base image")
    elif keyword == "ARG" and "=" not in current and not onbuild and analysis.model.stage_of.get(id(ins)) is not None:
        # redeclaring a global or predefined ARG inside a stage
        for name, value in analysis.model.global_args.items():
            items.add(name, Kind.Variable, detail=_value_detail("global ARG", value))
        for name in PLATFORM_ARGS:
            items.add(name, Kind.Variable, detail="predefined platform ARG",
                      doc=reference.platform_arg_doc(name), sort="~")
    return items.out


def _escaped(text: str, at: int, escape: str) -> bool:
    n = 0
    while at - n - 1 >= 0 and text[at - n - 1] == escape:
        n += 1
    return n % 2 == 1


def _flag_names(keyword: str, given: list[str], pos: Pos, typed: str, after: str,
                to_lsp) -> list[types.CompletionItem]:
    """The flags of `keyword` not given yet (list flags may repeat); `after` is the rest of the
    flag name after the cursor (with its `=`, when there is one), replaced too."""
    specs = FLAG_SPECS.get(keyword, {})
    docs = reference.FLAGS.get(keyword, {})
    used = {w[2:].partition("=")[0] for w in given}
    items = _Items(Range(_word_start(pos, typed), Pos(pos.line, pos.column + len(after))), to_lsp)
    for name, kind in specs.items():
        if name in used and kind != "list":
            continue
        doc = docs.get(name)
        items.add(f"--{name}", Kind.Property, insert=f"--{name}" if kind == "bool" and not after.endswith("=")
                  else f"--{name}=",
                  detail=doc.summary if doc else None, doc=doc.markdown() if doc else None)
    return items.out


def _flag_values(analysis: Analysis, ins: Instruction, keyword: str, name: str, value: str, pos: Pos,
                 to_lsp) -> list[types.CompletionItem]:
    if keyword == "RUN" and name == "mount":
        return _mount_values(analysis, ins, value, pos, to_lsp)
    items = _Items(Range(_word_start(pos, value), pos), to_lsp)
    if keyword == "COPY" and name == "from":
        for stage in _earlier_stages(analysis, ins):
            if stage.name:
                items.add(stage.name, Kind.Reference, detail=_stage_detail(stage))
            items.add(str(stage.index), Kind.Reference, detail=_stage_detail(stage), sort="~")
        for context in analysis.config.build_contexts:
            items.add(context, Kind.Folder, detail="named build context (`--build-context`)", sort="~~")
    elif keyword == "FROM" and name == "platform":
        for n, platform in enumerate(reference.PLATFORMS):
            items.add(platform, Kind.Value, sort=f"{n:02}")
    elif name in reference.FLAG_VALUES and name in FLAG_SPECS.get(keyword, {}):
        for n, v in enumerate(reference.FLAG_VALUES[name]):
            items.add(v, Kind.EnumMember, sort=f"{n}")
    return items.out


def _mount_values(analysis: Analysis, ins: Instruction, value: str, pos: Pos, to_lsp) -> list[types.CompletionItem]:
    """Keys of a `--mount` value (those of its type not given yet), or the values of the key typed."""
    *given, current = value.split(",")
    options = {}
    for field in given:
        k, _, v = field.partition("=")
        k = k.strip().strip("\"'").lower()
        options[reference.MOUNT_KEY_ALIASES.get(k, k)] = v.strip().strip("\"'").lower()
    key, eq, typed = current.partition("=")
    if eq:
        key = key.strip().strip("\"'").lower()
        key = reference.MOUNT_KEY_ALIASES.get(key, key)
        items = _Items(Range(_word_start(pos, typed), pos), to_lsp)
        if key == "from":
            for stage in _earlier_stages(analysis, ins):
                if stage.name:
                    items.add(stage.name, Kind.Reference, detail=_stage_detail(stage))
            for context in analysis.config.build_contexts:
                items.add(context, Kind.Folder, detail="named build context (`--build-context`)", sort="~")
        elif key == "type":
            for n, (name, doc) in enumerate(reference.MOUNT_TYPES.items()):
                items.add(name, Kind.EnumMember, detail=doc.summary, doc=doc.markdown(), sort=f"{n}")
        else:
            for n, v in enumerate(reference.MOUNT_KEY_VALUES.get(key, ())):
                items.add(v, Kind.EnumMember, sort=f"{n}")
        return items.out
    items = _Items(Range(_word_start(pos, current.lstrip("\"'")), pos), to_lsp)
    mount_type = options.get("type", "bind")
    keys = (() if "type" in options else ("type",)) + reference.MOUNT_KEYS_BY_TYPE.get(mount_type, ())
    for n, key in enumerate(keys):
        canonical = reference.MOUNT_KEY_ALIASES.get(key, key)
        if canonical in options:
            continue
        doc = reference.mount_key_doc(key)
        bare = canonical in ("readonly", "readwrite", "required")
        alias = canonical != key
        items.add(key, Kind.Property, insert=key if bare else f"{key}=",
                  detail=(f"alias of {canonical}: " if alias else "") + (doc.summary if doc else ""),
                  doc=doc.markdown() if doc else None, sort=f"{1 if alias else 0}{n:02}")
    return items.out


# -- stages and variables ------------------------------------------------------------------------

def _earlier_stages(analysis: Analysis, ins: Instruction) -> list[Stage]:
    """Stages defined before `ins`, without the stage `ins` is in."""
    model = analysis.model
    own = model.stage_of.get(id(ins))
    line = ins.range.start.line
    return [s for s in model.stages if s.from_.range.start.line < line and s is not own]


def _stage_detail(stage: Stage) -> str:
    return _cut(f"stage {stage.index}: FROM {stage.image.text}")


def _cut(text: str) -> str:
    return text if len(text) <= MAX_DETAIL else text[:MAX_DETAIL - 1] + "…"


def _value_detail(kind: str, value: str | None) -> str:
    return f"{kind} (no default)" if value is None else _cut(f"{kind} = {value}")


def _variables(analysis: Analysis, ins: Instruction, pos: Pos, text: str, to_lsp) -> list[types.CompletionItem]:
    """Names visible where `ins` is, after the `$` / `${` that ends `text`."""
    m = _VAR_TYPED.search(text)
    if m is None:
        return []
    brace, typed = m.group(1), m.group(2)
    model = analysis.model
    top = ins.parent if ins.parent is not None else ins
    row = analysis.lines[pos.line] if pos.line < len(analysis.lines) else ""
    close = "}" if brace and not row[pos.column:].startswith("}") else ""
    items = _Items(Range(_word_start(pos, typed), pos), to_lsp)
    scope = model.scope_at.get(id(top))
    if scope is None:
        return []
    if model.stage_of.get(id(top)) is None or top.keyword == "FROM":
        for name, value in scope.args.items():
            items.add(name, Kind.Variable, insert=name + close, detail=_value_detail("global ARG", value))
        for name in PLATFORM_ARGS:
            if name not in scope.args:
                items.add(name, Kind.Variable, insert=name + close, detail="predefined platform ARG",
                          doc=reference.platform_arg_doc(name), sort="~")
        return items.out
    if ins.parent is None:  # an ONBUILD trigger runs in the child build: none of this file's ARGs
        for name, value in scope.args.items():
            if name not in scope.env:
                items.add(name, Kind.Variable, insert=name + close, detail=_value_detail("ARG", value))
    for name, value in scope.env.items():
        items.add(name, Kind.Variable, insert=name + close, detail=_value_detail("ENV", value))
    for name in PROXY_ARGS:
        if name not in scope.args and name not in scope.env:
            items.add(name, Kind.Variable, insert=name + close, detail="predefined proxy ARG",
                      doc=reference.PROXY_ARG_DOC, sort="~")
    return items.out
