"""Document structure: the outline (stages and their instructions), folding ranges and
links from FROM images to their registry pages."""

from __future__ import annotations

import functools
import re

from lsprotocol import types

from ..ast import Instruction, Pos, Range, Word
from ..model import ImageRef, Stage
from .core import Analysis, LayerlintServer

SUMMARY_LENGTH = 40
_SPACES = re.compile(r"\s+")
KINDS = {
    "ARG": types.SymbolKind.Variable, "ENV": types.SymbolKind.Variable, "LABEL": types.SymbolKind.Property,
    "RUN": types.SymbolKind.Function, "CMD": types.SymbolKind.Method, "ENTRYPOINT": types.SymbolKind.Method,
    "HEALTHCHECK": types.SymbolKind.Method, "COPY": types.SymbolKind.File, "ADD": types.SymbolKind.File,
    "WORKDIR": types.SymbolKind.Namespace, "VOLUME": types.SymbolKind.Namespace,
    "EXPOSE": types.SymbolKind.Interface, "USER": types.SymbolKind.Key, "SHELL": types.SymbolKind.Property,
    "STOPSIGNAL": types.SymbolKind.Event, "ONBUILD": types.SymbolKind.Event,
    "MAINTAINER": types.SymbolKind.Property, "FROM": types.SymbolKind.Class,
}
DOCKER_HUB = ("docker.io", "index.docker.io", "registry-1.docker.io")
REGISTRY_PAGES = {  # registry -> URL prefix of an image's page
    "ghcr.io": "https://ghcr.io/",  # the GitHub package page needs the owning repository: not derivable
    "quay.io": "https://quay.io/repository/",
    "mcr.microsoft.com": "https://mcr.microsoft.com/artifact/mar/",
}


def register(server: LayerlintServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbols(ls: LayerlintServer, params: types.DocumentSymbolParams):
        analysis = ls.analysis(params.text_document.uri)
        if analysis is None:
            return None
        tree = outline(ls, analysis)
        caps = text_document_capabilities(ls)
        if caps and caps.document_symbol and caps.document_symbol.hierarchical_document_symbol_support:
            return tree
        return flatten(analysis.uri, tree)

    @server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    def folding_ranges(ls: LayerlintServer, params: types.FoldingRangeParams):
        analysis = ls.analysis(params.text_document.uri)
        if analysis is None:
            return None
        caps = text_document_capabilities(ls)
        folding = caps.folding_range if caps else None
        line_only = bool(folding and folding.line_folding_only)
        limit = folding.range_limit if folding and folding.range_limit else None
        return folds(ls, analysis, line_only)[:limit]

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK, types.DocumentLinkOptions(resolve_provider=False))
    def document_links(ls: LayerlintServer, params: types.DocumentLinkParams):
        analysis = ls.analysis(params.text_document.uri)
        if analysis is None:
            return None
        return [types.DocumentLink(ls.to_lsp_range(analysis, rng), target=url, tooltip=f"Open {name} on {where}")
                for rng, url, name, where in image_links(analysis)]


def text_document_capabilities(ls: LayerlintServer) -> types.TextDocumentClientCapabilities | None:
    caps = ls.client_capabilities
    return caps.text_document if caps else None


# -- outline -----------------------------------------------------------------------------
def outline(ls: LayerlintServer, analysis: Analysis) -> list[types.DocumentSymbol]:
    doc, model = analysis.dockerfile, analysis.model
    position = functools.lru_cache(maxsize=None)(lambda pos: ls.to_lsp_position(analysis, pos))

    def lsp(rng: Range) -> types.Range:  # symbols share many positions (an instruction and its keyword start)
        return types.Range(position(rng.start), position(rng.end))

    out = [types.DocumentSymbol(name=d.name, detail=d.value, kind=types.SymbolKind.Property,
                                range=lsp(d.range), selection_range=lsp(d.range)) for d in doc.directives]
    in_stage = {id(ins) for st in model.stages for ins in st.instructions}
    out += [instruction_symbol(lsp, ins) for ins in doc.instructions if id(ins) not in in_stage and ins.instruction]
    out += [stage_symbol(lsp, st) for st in model.stages]
    out.sort(key=lambda s: (s.range.start.line, s.range.start.character))
    return out


def stage_symbol(lsp, st: Stage) -> types.DocumentSymbol:
    end = max((ins.range.end for ins in st.instructions), default=st.from_.range.end)
    head: Word | None = st.name_word or (st.from_.words[0] if st.from_.words else None)
    detail = st.image.text + (f" ({st.platform})" if st.platform else "")
    return types.DocumentSymbol(
        name=st.name_word.text if st.name_word else f"stage {st.index}", detail=detail or None,
        kind=types.SymbolKind.Class, range=lsp(Range(st.from_.range.start, end)),
        selection_range=lsp(head.range if head else st.from_.keyword_range),
        # (an empty keyword is what a lone escape character at the end of the file leaves)
        children=[instruction_symbol(lsp, ins) for ins in st.instructions if ins is not st.from_ and ins.instruction])


def instruction_symbol(lsp, ins: Instruction) -> types.DocumentSymbol:
    deprecated = ins.keyword == "MAINTAINER"
    children = None
    if ins.keyword in ("ARG", "ENV") and len(ins.pairs) > 1:
        children = [types.DocumentSymbol(
            name=p.key.text or "(blank)", detail=p.value.text if p.value else None, kind=types.SymbolKind.Variable,
            range=lsp(Range(p.key.range.start, (p.value or p.key).range.end)), selection_range=lsp(p.key.range))
            for p in ins.pairs]
    flags = " ".join(f.raw for f in ins.flag_nodes)
    return types.DocumentSymbol(
        name=instruction_name(ins), detail=_shorten(flags, 2 * SUMMARY_LENGTH) or None,
        kind=KINDS.get(ins.keyword, types.SymbolKind.Field),
        range=lsp(ins.range), selection_range=lsp(ins.keyword_range), children=children,
        tags=[types.SymbolTag.Deprecated] if deprecated else None, deprecated=deprecated or None)


def instruction_name(ins: Instruction) -> str:
    """The keyword as written and the start of its arguments on one line (never empty); the
    flags go to the symbol's detail."""
    summary = _shorten(ins.args_text, SUMMARY_LENGTH)
    return f"{ins.instruction} {summary}".strip() or "(empty instruction)"


def _shorten(text: str, length: int) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def flatten(uri: str, tree: list[types.DocumentSymbol], container: str | None = None) -> list:
    """The outline as flat SymbolInformation, for clients without hierarchical support."""
    out = []
    for sym in tree:
        out.append(types.SymbolInformation(name=sym.name, kind=sym.kind, location=types.Location(uri, sym.range),
                                           container_name=container, tags=sym.tags))
        out += flatten(uri, sym.children or [], sym.name)
    return out


# -- folding -------------------------------------------------------------------------------
def folds(ls: LayerlintServer, analysis: Analysis, line_only: bool) -> list[types.FoldingRange]:
    """Stages, instructions over several lines, heredoc bodies and runs of comment lines.
    At most one range starts on a line (the largest), as clients keep only one there."""
    doc, model = analysis.dockerfile, analysis.model
    found: dict[int, tuple[Range, str | None]] = {}

    def add(rng: Range, kind: str | None = None) -> None:
        if rng.end.line <= rng.start.line:
            return
        known = found.get(rng.start.line)
        if known is None or known[0].end < rng.end:
            found[rng.start.line] = (rng, kind)

    for st in model.stages:
        add(Range(st.from_.range.start, max(ins.range.end for ins in st.instructions)))
    for ins in doc.instructions:
        add(ins.range)
        for body in ins.heredocs:
            add(body.body)
    run: list[Range] = []
    for comment in doc.comments + [None]:
        if comment is not None and run and comment.range.start.line == run[-1].start.line + 1:
            run.append(comment.range)
            continue
        if len(run) >= 2:
            add(Range(run[0].start, run[-1].end), types.FoldingRangeKind.Comment)
        run = [comment.range] if comment is not None else []
    out = []
    for line in sorted(found):
        rng, kind = found[line]
        if line_only:
            out.append(types.FoldingRange(start_line=rng.start.line, end_line=rng.end.line, kind=kind))
        else:
            # fold after the first line's text, so it stays readable when folded
            first = Pos(rng.start.line, len(doc.lines[rng.start.line]) if rng.start.line < len(doc.lines) else 0)
            start, end = ls.to_lsp_position(analysis, first), ls.to_lsp_position(analysis, rng.end)
            out.append(types.FoldingRange(start_line=start.line, start_character=start.character,
                                          end_line=end.line, end_character=end.character, kind=kind))
    return out


# -- links ---------------------------------------------------------------------------------
def image_links(analysis: Analysis) -> list[tuple[Range, str, str, str]]:
    """(range of the image name, URL, image, registry page name) for each FROM image."""
    out = []
    for st in analysis.model.stages:
        words = st.from_.words
        if not words or st.parent is not None or st.image.is_scratch:
            continue
        word = words[0]
        name_end = image_name_length(word.text)
        if word.range.start.line != word.range.end.line or name_end == 0:
            continue
        name = word.text[:name_end]
        if "$" in name:
            resolved = analysis.model.expand_known(name, st.from_)
            if not resolved:
                continue  # a variable without a known value: no idea where it leads
            ref = ImageRef.parse(resolved)
        else:
            ref = ImageRef.parse(name)
        if analysis.model.stage_by_name(ref.resolved) is not None:
            continue  # `FROM Builder` for stage `builder`: neither the stage (BuildKit) nor a real image
        link = image_page(ref)
        if link is None:
            continue
        start = word.range.start
        rng = Range(start, Pos(start.line, start.column + name_end))
        out.append((rng, link[0], ((ref.registry + "/") if ref.registry else "") + ref.repository, link[1]))
    return out


def image_name_length(text: str) -> int:
    """Length of the repository part of an image reference (without `:tag` or `@digest`);
    a `:` inside `${...}` does not end it."""
    depth = 0
    end = len(text)
    i = 0
    while i < len(text):
        ch = text[i]
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if ch == "}" and depth:
            depth -= 1
        elif depth == 0 and ch == "@":
            return min(end, i)
        elif depth == 0 and ch == ":" and end == len(text):
            end = i
        elif depth == 0 and ch == "/":
            end = len(text)  # a `:` before a `/` was a registry port
        i += 1
    return end


def image_page(ref: ImageRef) -> tuple[str, str] | None:
    """(URL, page name) of the image's page on its registry, or None for registries without one."""
    repo = ref.repository.strip("/")
    if not repo or "$" in repo or "$" in (ref.registry or ""):
        return None
    registry = (ref.registry or "docker.io").lower()
    if registry in DOCKER_HUB:
        if repo.startswith("library/"):
            repo = repo[len("library/"):]
        if "/" not in repo:
            return f"https://hub.docker.com/_/{repo}", "Docker Hub"
        return f"https://hub.docker.com/r/{repo}", "Docker Hub"
    if registry in REGISTRY_PAGES:
        return REGISTRY_PAGES[registry] + repo, registry
    return None
