"""`layerlint parse`: the syntax tree as JSON.

The first nine keys of each instruction (`instruction` ... `heredocs`) have exactly
the meaning of the `dockerfile` package's fields; the rest are layerlint's own.
Positions are 1-based, end exclusive.
"""

from __future__ import annotations

from .ast import Dockerfile, Instruction, Range


def _range(r: Range | None):
    if r is None:
        return None
    return {"start": {"line": r.start.line + 1, "column": r.start.column + 1},
            "end": {"line": r.end.line + 1, "column": r.end.column + 1}}


def instruction_to_json(ins: Instruction) -> dict:
    return {
        "instruction": ins.instruction,
        "sub_instruction": ins.sub_instruction,
        "json": ins.json,
        "original": ins.original,
        "start_line": ins.start_line,
        "end_line": ins.end_line,
        "flags": list(ins.flags),
        "value": list(ins.value),
        "heredocs": [{"name": h.name, "file_descriptor": h.file_descriptor, "content": h.content,
                      "expand": h.expand, "chomp": h.chomp, "opener": _range(h.opener), "body": _range(h.body)}
                     for h in ins.heredocs],
        "range": _range(ins.range),
        "keyword_range": _range(ins.keyword_range),
        "flag_nodes": [{"name": f.name, "value": f.value, "range": _range(f.range),
                        "value_range": _range(f.value_range)} for f in ins.flag_nodes],
        "args": ins.args_text,
        "args_range": _range(ins.args_range),
        "words": [{"text": w.text, "range": _range(w.range)} for w in ins.words],
        "pairs": [{"key": p.key.text, "value": p.value.text if p.value else None, "legacy": p.legacy,
                   "key_range": _range(p.key.range), "value_range": _range(p.value.range) if p.value else None}
                  for p in ins.pairs],
        "trigger": instruction_to_json(ins.trigger) if ins.trigger is not None else None,
        "comments": [c.text for c in ins.comments],
        "issues": [{"kind": i.kind, "message": i.message, "range": _range(i.range)} for i in ins.issues],
    }


def dockerfile_to_json(doc: Dockerfile) -> dict:
    return {
        "file": doc.path,
        "escape": doc.escape,
        "directives": [{"name": d.name, "value": d.value, "range": _range(d.range)} for d in doc.directives],
        "comments": [{"text": c.text, "range": _range(c.range)} for c in doc.comments],
        "instructions": [instruction_to_json(i) for i in doc.instructions],
        "issues": [{"kind": i.kind, "message": i.message, "range": _range(i.range)} for i in doc.issues],
    }
