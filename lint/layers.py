"""Which cached layers a change to the build context invalidates (`layerlint cache`).

BuildKit reuses a step's cached result when its inputs are unchanged. An instruction
is rebuilt when:

- the step before it in its stage was rebuilt (each step builds on the previous one);
- it is a COPY/ADD whose context sources match a changed path (`.` matches every
  path, a directory matches the paths below it, globs match as in Go's filepath.Match);
- it is a COPY --from / RUN --mount=from= reading a stage that was rebuilt;
- it is the FROM of a stage built on a stage that was rebuilt.

ARG values, remote inputs (ADD of a URL, RUN fetching from the network) and base
image updates also invalidate layers but are not inputs of this command: it answers
"I edited these files: what rebuilds?". The `cache` rules report the other causes.
"""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass

from .ast import Dockerfile, Instruction
from .model import Model, Stage


@dataclass
class LayerState:
    instruction: Instruction
    stage: Stage
    rebuilt: bool
    reason: str  # why it is rebuilt, or "cached"


def _norm(path: str) -> str:
    p = posixpath.normpath("/" + path.strip().lstrip("./") if path.strip() not in (".", "./") else "/")
    return p.lstrip("/")


def source_matches(source: str, changed: str) -> bool:
    """Whether a COPY/ADD context source covers the changed path (both relative to the context)."""
    src, path = _norm(source), _norm(changed)
    if src in ("", "."):
        return True
    if any(ch in src for ch in "*?["):
        # Go's filepath.Match: wildcards never cross `/`; the glob may name the
        # changed path itself or one of its parent directories
        parts, segs = path.split("/"), src.split("/")
        return len(segs) <= len(parts) and all(fnmatch.fnmatchcase(p, g) for p, g in zip(parts, segs))
    return path == src or path.startswith(src.rstrip("/") + "/")


def context_sources(ins: Instruction) -> list[str]:
    """The COPY/ADD sources read from the build context, as written (no URLs, heredocs or --from)."""
    if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None or len(ins.value) < 2:
        return []
    out = []
    for src in ins.value[:-1]:
        if src.startswith("<<") and ins.heredocs:
            continue  # inline file, not from the context
        if "://" in src or src.startswith("git@"):
            continue  # remote source
        out.append(src)
    return out


def stage_refs(ins: Instruction, model: Model) -> list[Stage]:
    """The stages an instruction reads from: `COPY --from` and `RUN --mount=from=`."""
    refs = []
    names = [f.value for f in ins.flag_nodes if f.name == "from" and f.value]
    names += [m.from_ for m in ins.mounts if m.from_]
    for name in names:
        stage = model.stage_by_name(name)
        if stage is None and name.isdigit() and int(name) < len(model.stages):
            stage = model.stages[int(name)]
        if stage is not None:
            refs.append(stage)
    return refs


def invalidated(doc: Dockerfile, model: Model, changed: list[str]) -> list[LayerState]:
    """The state of every instruction inside a stage, in file order."""
    out: list[LayerState] = []
    rebuilt_stages: set[int] = set()
    for stage in model.stages:
        dirty = False
        reason = "cached"
        if stage.parent is not None and stage.parent.index in rebuilt_stages:
            dirty, reason = True, f"its base stage {stage.parent.label!r} was rebuilt"
        out.append(LayerState(stage.from_, stage, dirty, reason))
        for ins in stage.instructions:
            if ins is stage.from_:
                continue
            if dirty:
                out.append(LayerState(ins, stage, True, "the step before it was rebuilt"))
                continue
            hits = [c for src in context_sources(ins) for c in changed if source_matches(src, c)]
            refs = [s for s in stage_refs(ins, model) if s.index in rebuilt_stages]
            if hits:
                dirty, reason = True, f"it copies changed {', '.join(dict.fromkeys(hits))}"
            elif refs:
                dirty, reason = True, f"it reads from the rebuilt stage {refs[0].label!r}"
            out.append(LayerState(ins, stage, dirty, reason if dirty else "cached"))
        if dirty:
            rebuilt_stages.add(stage.index)
    return out
