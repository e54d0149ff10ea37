import re

from layerlint.ast import Range
from layerlint.rule import Edit, Fix, Rule, register
from layerlint.rules._package_calls import expand
from layerlint.rules._user_security import (absolute, chain_instructions, expand_text, final_user, is_root_user,
                                          is_under, is_windows, user_value)
from layerlint.shell import programs


def _world_writable(mode: str) -> bool:
    """A `--chmod` value that lets other users write (`666`, `0777`, `o+w`, `a=rwx`)."""
    if re.fullmatch(r"[0-7]{3,4}", mode):
        return int(mode[-1]) & 2 != 0
    # a who list with `o` or `a` (`[ug]*` stops at the first of them, so no quadratic backtracking)
    return any(re.match(r"^[ug]*[ao][ugoa]*[+=][rwxXst]*w", clause) or re.match(r"^[+=][rwxXst]*w", clause)
               for clause in mode.split(","))


def _chowned(prog, ins, ctx) -> list[tuple[str, bool]]:
    """(path, recursive) of a chown/chgrp command's operands."""
    if prog.basename not in ("chown", "chgrp"):
        return []
    recursive = prog.has_short_flag("R") or prog.has_long_flag("--recursive")
    out = []
    for w in prog.operands()[1:]:
        for v in expand(w, ins, ctx) or ():
            if v.startswith("/"):
                out.append((absolute(v, None), recursive))
    return out


def _source_key(value: str) -> str:
    """A COPY source compared across instructions: `./a/` and `a` are the same, `./` is `.`."""
    value = value.strip().rstrip("/")
    while value.startswith("./"):
        value = value[2:]
    return value or "."


@register
class CopyWithoutChownIntoWritableDir(Rule):
    """COPY/ADD without `--chown` into a directory the final non-root user is meant to write.

    Applies when the final stage (with the stages it is built `FROM`) ends with
    a known non-root USER. A directory counts as written by that user when it is
    a VOLUME, or when it is the final WORKDIR and the Dockerfile hands it to the
    user: the WORKDIR was created while that USER was in effect (BuildKit then
    creates it owned by the user), a `chown`/`chgrp` names it, or another
    `COPY --chown` copies into it. Every COPY/ADD into such a directory without
    `--chown` is reported on its destination, unless a later `chown -R` covers
    the destination, its `--chmod` lets others write, or it copies `--from`
    another stage or image (where ownership may be preserved). Destinations with
    variables without a value are skipped, and so are Windows stages.

    ## Why is this bad?
    COPY and ADD create files owned by root (uid 0) whatever the current USER
    is. In a directory the application writes to, it can then create new
    files but not modify or delete the copied ones; a volume is even
    initialised from them with root ownership.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN useradd --system --uid 10001 app
    USER app
    WORKDIR /srv/app
    COPY settings.ini .
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    RUN useradd --system --uid 10001 app
    USER app
    WORKDIR /srv/app
    COPY --chown=app settings.ini .
    ```

    ## Fix
    Inserts `--chown=<final user>` after the keyword. Unsafe: the files become
    writable by that user, which changes what the running application may do.
    """

    code = "LL5004"
    name = "copy-without-chown-into-writable-dir"
    groups = ("user", "copy")
    severity = "info"
    fixable = "always"

    def file_end(self, ctx):
        if not ctx.model.stages:
            return
        final = ctx.model.stages[-1]
        if is_windows(final):
            return
        user_ins, user = final_user(final, ctx)
        if user is None or is_root_user(user):
            return
        volumes: list[str] = []
        copies = []  # (ins, dest word, path)
        chowns = []  # (index, path, recursive)
        chown_copies: list[str] = []
        rechowned = []  # (index, dest, source keys) of context copies with --chown
        workdir: str | None = None
        workdir_known = True
        workdir_owned: set[str] = set()
        current_user = None
        for index, ins in enumerate(chain_instructions(final)):
            kw = ins.keyword
            if kw == "USER":
                current_user = user_value(ins, ctx)
            elif kw == "WORKDIR" and ins.value:
                value = expand_text(ins.value[0], ins, ctx)
                if value is None or not workdir_known:
                    workdir_known = False
                    continue
                workdir = absolute(value, workdir)
                if current_user and not is_root_user(current_user):
                    workdir_owned.add(workdir)
            elif kw == "VOLUME":
                for v in ins.value:
                    path = expand_text(v, ins, ctx)
                    if path and path.startswith("/"):
                        volumes.append(absolute(path, None))
            elif kw in ("COPY", "ADD") and len(ins.value) >= 2 and len(ins.words) == len(ins.value):
                dest = expand_text(ins.value[-1], ins, ctx)
                if dest is None or (not dest.startswith("/") and not workdir_known):
                    continue
                path = absolute(dest, workdir)
                if path is None:
                    continue
                if ins.flag("chown") is not None:
                    chown_copies.append(path)
                    if ins.flag("from") is None:
                        rechowned.append((index, path, {_source_key(v) for v in ins.value[:-1]}))
                    continue
                chmod = ins.flag("chmod")
                if ins.flag("from") is not None or (chmod is not None and _world_writable(chmod.value or "")):
                    continue
                copies.append((index, ins, ins.words[-1], path))
            elif kw == "RUN":
                for prog in programs(ins, ctx.model) or ():
                    chowns.extend((index, p, r) for p, r in _chowned(prog, ins, ctx))
        writable = {v: "a VOLUME" for v in volumes}
        if workdir_known and workdir and workdir != "/" and workdir not in writable:
            if workdir in workdir_owned:
                writable[workdir] = f"the WORKDIR, created owned by `{user}`"
            elif any(p == workdir or (r and is_under(workdir, p)) for _, p, r in chowns):
                writable[workdir] = "the WORKDIR, chowned in a RUN"
            elif any(is_under(p, workdir) for p in chown_copies):
                writable[workdir] = "the WORKDIR, where other files are copied with `--chown`"
        if not writable:
            return
        line = user_ins.range.start.line + 1
        for index, ins, word, path in copies:
            target = next((d for d in writable if is_under(path, d)), None)
            if target is None:
                continue
            if any(i > index and (p == path or (r and is_under(path, p))) for i, p, r in chowns):
                continue
            # a later `COPY --chown=... . .` puts the same files there again, owned by the user
            sources = {_source_key(v) for v in ins.value[:-1]}
            if any(i > index and p == path and ("." in keys or sources <= keys) for i, p, keys in rechowned):
                continue
            end = ins.keyword_range.end
            fix = Fix((Edit(Range(end, end), f" --chown={user}"),), safe=False, title=f"Add --chown={user}")
            ctx.report(self, word.range,
                       f"`{ins.keyword}` without `--chown` creates these files owned by root, so the final user "
                       f"`{user}` (USER on line {line}) cannot modify or delete them in `{target}`, "
                       f"{writable[target]}", fix=fix)
