"""Code actions: each rule's fix as a quick fix, "suppress CODE for this instruction", and
`source.fixAll.layerlint` (every safe fix, repeated until nothing changes, as `check --fix`).

Fix edits travel in the diagnostic's `data` (already in the client's position units), so a
quick fix needs no re-lint.
"""

from __future__ import annotations

import re

from lsprotocol import types

from ..engine import lint_dockerfile
from ..fix import fix_text
from ..parser import parse
from .core import Analysis, LayerlintServer

FIX_ALL = "source.fixAll.layerlint"
_PRAGMA = re.compile(r"^(\s*#\s*layerlint\s*:\s*ignore\s*=\s*)([^\s#]+(?:\s*,\s*[^\s#,]+)*)", re.I)


def register(server: LayerlintServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL],
        resolve_provider=False))
    def code_actions(ls: LayerlintServer, params: types.CodeActionParams):
        analysis = ls.analysis(params.text_document.uri)
        if analysis is None:
            return None
        wanted = params.context.only
        out: list[types.CodeAction] = []
        if not wanted or types.CodeActionKind.QuickFix in wanted:
            for diag in params.context.diagnostics:
                if diag.source != "layerlint":
                    continue
                action = quick_fix(params.text_document.uri, diag)
                if action is not None:
                    out.append(action)
                suppress = suppress_action(ls, analysis, diag)
                if suppress is not None:
                    out.append(suppress)
        if not wanted or any(k in (types.CodeActionKind.SourceFixAll, FIX_ALL, types.CodeActionKind.Source)
                             for k in wanted):
            action = fix_all(ls, analysis)
            if action is not None:
                out.append(action)
        return out


def quick_fix(uri: str, diag: types.Diagnostic) -> types.CodeAction | None:
    fix = (diag.data or {}).get("fix") if isinstance(diag.data, dict) else None
    if not fix:
        return None
    edits = [types.TextEdit(_range(e["range"]), e["newText"]) for e in fix["edits"]]
    title = fix.get("title") or f"Fix {diag.code}"
    if not fix.get("safe", True):
        title += " (unsafe: may change what the build does)"
    return types.CodeAction(title=f"{diag.code}: {title}", kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diag], is_preferred=bool(fix.get("safe", True)),
                            edit=types.WorkspaceEdit(changes={uri: edits}))


def suppress_action(ls: LayerlintServer, analysis: Analysis, diag: types.Diagnostic) -> types.CodeAction | None:
    """Write `# layerlint: ignore=CODE` above the instruction (or add CODE to such a line there)."""
    code = str(diag.code or "")
    if not code:
        return None
    line = ls.from_lsp_position(analysis, diag.range.start).line
    ins = next((i for i in analysis.dockerfile.instructions
                if i.range.start.line <= line <= i.range.end.line), None)
    if ins is None:
        return None
    first = ins.range.start.line
    lines = analysis.lines
    above = first - 1
    edit = None
    if above >= 0 and (m := _PRAGMA.match(lines[above])):
        codes = [c.strip() for c in m.group(2).split(",")]
        if code in codes:
            return None
        end = len(m.group(1)) + len(m.group(2))
        edit = types.TextEdit(types.Range(types.Position(above, end), types.Position(above, end)), f",{code}")
    else:
        indent = re.match(r"[ \t]*", lines[first]).group(0)
        edit = types.TextEdit(types.Range(types.Position(first, 0), types.Position(first, 0)),
                              f"{indent}# layerlint: ignore={code}\n")
    return types.CodeAction(title=f"Suppress {code} for this instruction", kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diag], edit=types.WorkspaceEdit(changes={analysis.uri: [edit]}))


def fix_all(ls: LayerlintServer, analysis: Analysis) -> types.CodeAction | None:
    """Every safe fix, applied until stable, as one edit of the changed lines."""
    path, config = analysis.path, analysis.config
    fixed, count = fix_text(analysis.text, lambda t: lint_dockerfile(parse(t, path), path, config).diagnostics)
    if count == 0 or fixed == analysis.text:
        return None
    old, new = analysis.text.split("\n"), fixed.split("\n")
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    if tail:
        rng = types.Range(types.Position(head, 0), types.Position(len(old) - tail, 0))
        replacement = "".join(line + "\n" for line in new[head:len(new) - tail])
    else:  # the change reaches the end of the document
        head = min(head, len(old) - 1)
        end_col = ls.workspace.position_codec.client_num_units(old[-1])
        rng = types.Range(types.Position(head, 0), types.Position(len(old) - 1, end_col))
        replacement = "\n".join(new[head:])
    return types.CodeAction(title=f"Fix all safe layerlint findings ({count})", kind=FIX_ALL,
                            edit=types.WorkspaceEdit(changes={analysis.uri: [types.TextEdit(rng, replacement)]}))


def _range(r: dict) -> types.Range:
    return types.Range(types.Position(r["start"]["line"], r["start"]["character"]),
                       types.Position(r["end"]["line"], r["end"]["character"]),)
