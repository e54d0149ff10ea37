"""Judge shell parsers for RUN analysis on a corpus: tree-sitter-bash vs bashlex.

    python benchmarks/shell_parsers.py [DIR]    (default: ../shared/corpus/dockerfiles)

For every shell-form RUN that layerlint would analyse (POSIX SHELL, heredoc bodies
that are shell code), it reports how many each parser handles without error, how
many simple commands it finds, and the time taken. bashlex is optional
(`pip install bashlex`); it is only measured, never used by layerlint.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from layerlint import parse
from layerlint.model import build_model
from layerlint.shell import analyse


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/corpus/dockerfiles"
    scripts = []
    for p in sorted(root.rglob("*")):
        if not p.is_file():
            continue
        doc = parse(p.read_bytes().decode("utf-8", "replace"))
        model = build_model(doc)
        for ins in doc.instructions:
            ins = ins.trigger or ins
            t = time.perf_counter()
            s = analyse(ins, model)
            if s is not None:
                scripts.append((s, time.perf_counter() - t))
    ts_ok = sum(1 for s, _ in scripts if not s.errors)
    ts_time = sum(t for _, t in scripts)
    ts_cmds = sum(len(s.commands) for s, _ in scripts)
    print(f"RUN scripts analysed: {len(scripts)}")
    print(f"tree-sitter-bash: {ts_ok} parsed without error ({100 * ts_ok / max(len(scripts), 1):.1f} %), "
          f"{ts_cmds} commands, {1000 * ts_time:.0f} ms including position mapping")
    try:
        import bashlex
    except ImportError:
        print("bashlex: not installed (pip install bashlex to compare)")
        return
    ok = cmds = 0
    t = time.perf_counter()
    for s, _ in scripts:
        try:
            trees = bashlex.parse(s.source)
        except Exception:
            continue
        ok += 1
        stack = list(trees)
        while stack:
            n = stack.pop()
            cmds += n.kind == "command"
            stack.extend(getattr(n, "parts", []) or [])
            if getattr(n, "list", None):
                stack.extend(n.list)
    print(f"bashlex: {ok} parsed without exception ({100 * ok / max(len(scripts), 1):.1f} %), {cmds} commands, "
          f"{1000 * (time.perf_counter() - t):.0f} ms")


if __name__ == "__main__":
    main()
