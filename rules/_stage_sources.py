"""Shared pieces of the stage-aware rules (DL3026, DL3049, DL3057).

- `mount_sources(ins, ctx)`: the `from=` of each `RUN --mount` of type bind or
  cache (BuildKit's default type is bind), with the position of the value;
- `stage_named(model, value)`: the stage a `--from` value refers to (a stage name,
  compared case-insensitively as BuildKit lower-cases names, or a stage number);
- `result_stages(ctx)`: the stages that end up as an image someone can run or push,
  i.e. those no later stage builds on (`FROM <stage>`), copies from
  (`COPY --from=<stage>`) or mounts (`RUN --mount=from=<stage>`);
- `stage_chain(stage)`: the stage and the earlier stages it is built on;
- `possible_parents(stage, model)`: its parent, or the stages a `FROM` with an
  unknown variable (`FROM binaries-$TARGETOS`) may name;
- `from_range(stage)`: the stage's FROM line (keyword to last word), where
  findings about a whole stage point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from layerlint.ast import Range



@dataclass(slots=True)
class MountSource:
    value: str
    range: Range


def mount_sources(ins, ctx) -> list[MountSource]:
    """The `from=` of each bind or cache `RUN --mount`, pointed at precisely."""
    return [MountSource(m.from_, m.range_of("from")) for m in ins.mounts
            if m.type in ("bind", "cache") and m.from_]


def stage_named(model, value: str, by_index: bool = True):
    """The stage `value` (a `--from` value) names, or None when it names no stage."""
    low = value.lower()
    for s in model.stages:
        if s.name == low:
            return s
    if by_index and value.isdigit() and int(value) < len(model.stages):  # COPY --from only
        return model.stages[int(value)]
    return None


def result_stages(ctx) -> list:
    model = ctx.model
    used: set[int] = set()
    for stage in model.stages:
        if stage.parent is not None:
            used.add(stage.parent.index)
        for ins in stage.instructions:
            refs = []
            if ins.keyword == "COPY":
                flag = ins.flag("from")
                if flag is not None and flag.value:
                    refs.append((flag.value, True))
            elif ins.keyword == "RUN":  # a mount's from= names a stage only by name
                refs.extend((m.value, False) for m in mount_sources(ins, ctx))
            for ref, by_index in refs:
                target = stage_named(model, ref, by_index)
                if target is not None and target is not stage and target.index < stage.index:
                    used.add(target.index)
    return [s for s in model.stages if s.index not in used and not s.copied_from_by_later]


def possible_parents(stage, model) -> list:
    """The earlier stages a stage may be built on: its parent, or, when its FROM names a stage
    through a variable without a known value (`FROM binaries-$TARGETOS`), every earlier stage
    whose name fits the pattern."""
    if stage.parent is not None:
        return [stage.parent]
    text = stage.image.text
    if "$" not in text:
        return []
    parts = re.split(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*", text.lower())
    pattern = re.compile(".*".join(re.escape(p) for p in parts) + "$")
    return [s for s in model.stages[:stage.index] if s.name and pattern.match(s.name)]


def stage_chain(stage) -> list:
    out = []
    seen = set()
    while stage is not None and id(stage) not in seen:
        seen.add(id(stage))
        out.append(stage)
        stage = stage.parent
    return out


def along_chain(stage, known: dict, value):
    """`known[id(stage)]`, each stage's entry being `value(stage, the entry of the stage it is
    built on, or None)`: computed for `stage` and, as needed, the stages below it, walking down
    only to the nearest one already in `known`, so that asking for every stage of a long FROM
    chain stays linear."""
    todo, seen = [], set()
    s = stage
    while s is not None and id(s) not in known and id(s) not in seen:
        seen.add(id(s))
        todo.append(s)
        s = s.parent
    entry = known.get(id(s)) if s is not None else None
    for s in reversed(todo):  # the root-most first
        entry = known[id(s)] = value(s, entry)
    return known[id(stage)]


def from_range(stage) -> Range:
    ins = stage.from_
    end = ins.words[-1].range.end if ins.words else ins.keyword_range.end
    return Range(ins.keyword_range.start, end)
