"""Definition, references, document highlight and rename of stage names, ARG/ENV variables
and heredoc delimiters, all read from the scoped `symbol_index` of the document."""

from __future__ import annotations

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from .core import Analysis, LayerlintServer
from .symbol_index import HEREDOC_NAME, STAGE_NAME, VARIABLE_NAME, Occurrence, Symbol, forget, index_for


def register(server: LayerlintServer) -> None:
    server.on_forget.append(forget)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: LayerlintServer, params: types.DefinitionParams):
        found = occurrence_at(ls, params.text_document.uri, params.position)
        if found is None or found[1].target is None:
            return None
        analysis, occ = found
        return types.Location(analysis.uri, ls.to_lsp_range(analysis, occ.target))

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(ls: LayerlintServer, params: types.ReferenceParams):
        found = occurrence_at(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        analysis, occ = found
        return [types.Location(analysis.uri, ls.to_lsp_range(analysis, o.range)) for o in occ.symbol.occurrences
                if params.context.include_declaration or not o.declaration]

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)
    def highlight(ls: LayerlintServer, params: types.DocumentHighlightParams):
        found = occurrence_at(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        analysis, occ = found
        return [types.DocumentHighlight(ls.to_lsp_range(analysis, o.range),
                                        types.DocumentHighlightKind.Write if o.declaration
                                        else types.DocumentHighlightKind.Read)
                for o in occ.symbol.occurrences]

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    def prepare_rename(ls: LayerlintServer, params: types.PrepareRenameParams):
        found = occurrence_at(ls, params.text_document.uri, params.position)
        if found is None or rename_refusal(found[1]) is not None:
            return None
        analysis, occ = found
        return ls.to_lsp_range(analysis, occ.range)

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    def rename(ls: LayerlintServer, params: types.RenameParams):
        found = occurrence_at(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        analysis, occ = found
        problem = rename_refusal(occ) or invalid_new_name(occ.symbol, params.new_name, index_for(analysis).symbols)
        if problem:
            raise JsonRpcException(problem, code=types.LSPErrorCodes.RequestFailed)
        edits = [types.TextEdit(ls.to_lsp_range(analysis, o.range), params.new_name)
                 for o in occ.symbol.occurrences if o.renameable]
        return workspace_edit(ls, analysis, edits)


def occurrence_at(ls: LayerlintServer, uri: str, position: types.Position) -> tuple[Analysis, Occurrence] | None:
    analysis = ls.analysis(uri)
    if analysis is None or position.line < 0 or position.line >= len(analysis.lines):
        return None
    occ = index_for(analysis).at(ls.from_lsp_position(analysis, position))
    return (analysis, occ) if occ is not None else None


def rename_refusal(occ: Occurrence) -> str | None:
    """Why the symbol under the cursor cannot be renamed here, or None."""
    sym = occ.symbol
    if not sym.declared:
        if sym.kind == "stage":
            return f"stage {sym.name} has no name to rename (give it one with `AS name`)"
        return f"{sym.name} is not declared in this Dockerfile"
    if not occ.renameable:
        return "a stage referenced by its index keeps its index; rename it from its name"
    return None


def invalid_new_name(sym: Symbol, new: str, symbols: list[Symbol]) -> str | None:
    """Why `new` cannot replace the name of `sym`, or None."""
    if sym.kind == "stage":
        if not STAGE_NAME.match(new):
            return (f"invalid stage name {new!r}: BuildKit wants a lower-case letter first, then lower-case "
                    "letters, digits, '-', '_' or '.'")
        if any(s is not sym and s.kind == "stage" and s.declared and s.name.lower() == new for s in symbols):
            return f"a stage named {new!r} already exists"
    elif sym.kind == "variable":
        if not VARIABLE_NAME.match(new):
            return f"invalid variable name {new!r}: use letters, digits and '_', not starting with a digit"
        stages = sym.stages
        if new != sym.name and any(s is not sym and s.kind == "variable" and s.name == new and s.stages & stages
                                   for s in symbols):
            return f"{new} is already used where {sym.name} is visible"
    elif sym.kind == "heredoc":
        if not HEREDOC_NAME.match(new):
            return f"invalid heredoc delimiter {new!r}: use letters, digits, '_', '-' and '.'"
        if new in (sym.body or ()):
            return f"the heredoc body has a line {new!r}, which would end it early"
    return None


def workspace_edit(ls: LayerlintServer, analysis: Analysis, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    """`documentChanges` pinned to the analysed version when the client takes them, else `changes`."""
    caps = ls.client_capabilities
    workspace = caps.workspace if caps else None
    if workspace and workspace.workspace_edit and workspace.workspace_edit.document_changes:
        ident = types.OptionalVersionedTextDocumentIdentifier(uri=analysis.uri, version=analysis.version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(ident, edits)])
    return types.WorkspaceEdit(changes={analysis.uri: edits})
