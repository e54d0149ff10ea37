"""Shared pieces of batch D's stage-aware rules (DL3026, DL3049, DL3057).

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

import csv
import re
from dataclasses import dataclass

from layerlint.ast import Pos, Range

_FROM_FIELD = re.compile(r"(?:^|[,\"'])\s*from=([^,\"']*)", re.I)


@dataclass(slots=True)
class MountSource:
    value: str
    range: Range


def _fields(value: str) -> list[str]:
    try:
        return next(csv.reader([value]))
    except (csv.Error, StopIteration):
        return value.split(",")


def mount_sources(ins, ctx) -> list[MountSource]:
    out = []
    for flag in ins.flag_nodes:
        if flag.name != "mount" or not flag.value:
            continue
        opts = {}
        for field in _fields(flag.value):
            key, _, val = field.partition("=")
            opts[key.strip().lower()] = val.strip()
        if opts.get("type", "bind").lower() not in ("bind", "cache") or not opts.get("from"):
            continue
        src = opts["from"]
        rng = flag.value_range or flag.range
        if rng.start.line == rng.end.line:
            raw = ctx.dockerfile.lines[rng.start.line][rng.start.column:rng.end.column]
            for m in _FROM_FIELD.finditer(raw):
                if m.group(1).strip() == src:
                    col = rng.start.column + m.start(1)
                    rng = Range(Pos(rng.start.line, col), Pos(rng.start.line, col + len(m.group(1))))
        out.append(MountSource(src, rng))
    return out


def stage_named(model, value: str):
    """The stage `value` (a `--from` value) names, or None when it names no stage."""
    low = value.lower()
    for s in model.stages:
        if s.name == low:
            return s
    if value.isdigit() and int(value) < len(model.stages):
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
                    refs.append(flag.value)
            elif ins.keyword == "RUN":
                refs.extend(m.value for m in mount_sources(ins, ctx))
            for ref in refs:
                target = stage_named(model, ref)
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


def from_range(stage) -> Range:
    ins = stage.from_
    end = ins.words[-1].range.end if ins.words else ins.keyword_range.end
    return Range(ins.keyword_range.start, end)
