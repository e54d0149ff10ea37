"""Paths that COPY/ADD instructions of a stage wrote, for rules about later RUNs touching them."""

from __future__ import annotations

import posixpath


def absolute(path: str, workdir: str | None) -> str | None:
    """`path` resolved against WORKDIR and normalised; None when it holds a variable."""
    if "$" in path or not path:
        return None
    if not path.startswith("/"):
        path = posixpath.join(workdir or "/", path)
    return posixpath.normpath(path)


def overlaps(target: str, dest: str) -> bool:
    """The target is the destination, contains it, or lies inside it."""
    return target == dest or dest.startswith(target.rstrip("/") + "/") or target.startswith(dest.rstrip("/") + "/")


def copied_destinations(rule, ins, ctx) -> list[str]:
    """Record a COPY/ADD destination of the current stage (per rule) and return all so far."""
    dests = ctx.stage_state(rule).setdefault("copied", [])
    if ins.keyword in ("COPY", "ADD") and len(ins.value) >= 2:
        dest = absolute(ins.value[-1], ctx.model.workdir_at.get(id(ins)))
        if dest is not None:
            dests.append(dest)
    return dests


def copied_regions(rule, ins, ctx) -> list[tuple[str, bool]]:
    """What the stage's COPY/ADD instructions wrote so far: (path, is a directory's contents).

    `COPY app.py /srv/` wrote `/srv/app.py`; `COPY . /srv` and `COPY src/ /srv/src`
    wrote everything below the destination. Records the current instruction first.
    """
    regions = ctx.stage_state(rule).setdefault("regions", [])
    if ins.keyword in ("COPY", "ADD") and len(ins.value) >= 2 and not ins.heredocs:
        workdir = ctx.model.workdir_at.get(id(ins))
        dest_text = ins.value[-1]
        dest = absolute(dest_text, workdir)
        sources = ins.value[:-1]
        if dest is not None:
            into_dir = dest_text.endswith("/") or len(sources) > 1
            for src in sources:
                name = posixpath.basename(src.rstrip("/").split("?")[0]) if "://" in src else posixpath.basename(src)
                if src in (".", "./", "/") or src.endswith("/") or any(c in src for c in "*?["):
                    regions.append((dest, True))
                elif into_dir and name:
                    regions.append((posixpath.join(dest, name), False))
                else:
                    regions.append((dest, False))
    return regions
