import posixpath

from layerlint.rule import Rule, register
from layerlint.rules._package_calls import expand
from layerlint.rules._user_security import (NonRootRunRule, absolute, chain_instructions, escalates, expand_text,
                                          is_root_user, is_under, redirect_targets, root_image, runs_as,
                                          runs_as_non_root, top, user_value)
from layerlint.shell import programs

# Directories owned by root and not writable by other users in every common base image.
SYSTEM_DIRS = ("/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/root")


def _short_value(p, letter: str):
    """(word, value) of `-X VALUE` / `-XVALUE` for a short option letter, last occurrence."""
    found = None
    args = p.args
    for i, a in enumerate(args):
        v = a.value
        if v == "--":
            break
        if v == f"-{letter}" and i + 1 < len(args):
            found = (args[i + 1], args[i + 1].value)
        elif v.startswith(f"-{letter}") and not v.startswith("--") and len(v) > 2:
            found = (a, v[2:])
    return found


def _long_value(p, name: str):
    found = None
    args = p.args
    for i, a in enumerate(args):
        v = a.value
        if v == "--":
            break
        if v.startswith(f"--{name}="):
            found = (a, v.split("=", 1)[1])
        elif v == f"--{name}" and i + 1 < len(args):
            found = (args[i + 1], args[i + 1].value)
    return found


def write_targets(p) -> list:
    """(word, value) pairs of the paths a command writes to (cp/mv/ln/install/tee/touch/sed -i)."""
    b = p.basename
    if b in ("cp", "mv", "ln", "install"):
        short, long = ("tS", ("target-directory", "suffix"))
        if b == "install":
            short, long = "mogtS", ("mode", "owner", "group", "target-directory", "suffix", "strip-program")
        target = _long_value(p, "target-directory") or _short_value(p, "t")
        ops = p.operands(short, long)
        if b == "install" and (p.has_short_flag("d") or p.has_long_flag("--directory")):
            return [(w, w.value) for w in ops]
        if target is not None:
            return [target]
        return [(ops[-1], ops[-1].value)] if len(ops) >= 2 else []
    if b == "tee":
        return [(w, w.value) for w in p.operands()]
    if b == "touch":
        return [(w, w.value) for w in p.operands("drt", ("date", "reference", "time"))]
    if b == "sed" and (p.has_short_flag("i") or p.has_long_flag("--in-place")):
        ops = p.operands("efl", ("expression", "file", "line-length"))
        scripted = p.has_short_flag("e") or p.has_short_flag("f") or p.has_long_flag("--expression", "--file")
        return [(w, w.value) for w in (ops if scripted else ops[1:])]
    return []


VERBS = {"cp": "Copying into", "mv": "Moving into", "ln": "Linking into", "install": "Installing into",
         "touch": "Touching", "sed": "Editing in place", "tee": "Writing to", "write": "Writing to"}
OWNERSHIP_TOOLS = ("chown", "chgrp", "chmod", "setfacl")


def _given_paths(i, current_user, ctx) -> list[str]:
    """The paths instruction `i` hands to a user (see `is_owned`)."""
    kw = i.keyword
    workdir = ctx.model.workdir_at.get(id(i))
    out = []
    if kw == "WORKDIR" and i.value and current_user and not is_root_user(current_user):
        path = expand_text(i.value[0], i, ctx)
        if path and (p := absolute(path, workdir)):
            out.append(p)
    elif kw in ("COPY", "ADD") and i.flag("chown") is not None and i.value:
        dest = expand_text(i.value[-1], i, ctx)
        if dest and (p := absolute(dest, workdir)):
            out.append(p)
    elif kw == "RUN":
        for prog in programs(i, ctx.model) or ():
            words = []
            if prog.basename in OWNERSHIP_TOOLS:
                ops = prog.operands()
                words = ops[1:] if prog.basename != "setfacl" else ops
            elif prog.basename in ("useradd", "adduser"):
                home = _short_value(prog, "d") or _long_value(prog, "home-dir") or _long_value(prog, "home")
                if prog.basename == "adduser" and home is None:
                    home = _short_value(prog, "h")
                words = [home[0]] if home else []
            elif prog.basename == "install" and (prog.has_short_flag("o") or prog.has_long_flag("--owner")):
                words = [w for w, _ in write_targets(prog)]
            for w in words:
                for v in expand(w, i, ctx) or ():
                    if v.startswith("/"):
                        out.append(absolute(v, None))
    return out


def _ownership(stage, ctx) -> tuple[dict[int, int], dict[str, int]]:
    """For the stage chain: the index of each instruction, and for each path handed to a user
    the index of the first instruction that did so. Built once per stage and file (asking per
    RUN from the start of the chain took time quadratic in the number of instructions)."""
    memo = ctx._state.setdefault("LL5003.ownership", {})
    if id(stage) not in memo:
        index_of: dict[int, int] = {}
        first: dict[str, int] = {}
        current_user = None
        for n, i in enumerate(chain_instructions(stage)):
            index_of[id(i)] = n
            if i.keyword == "USER":
                current_user = user_value(i, ctx)
            for path in _given_paths(i, current_user, ctx):
                first.setdefault(path, n)
        memo[id(stage)] = (index_of, first)
    return memo[id(stage)]


def is_owned(path: str, ins, ctx) -> bool:
    """Whether the Dockerfile handed `path` (absolute, normalised), or a directory above it, to a
    user before (or in) `ins`: chown/chmod/setfacl operands, `COPY --chown` destinations, home
    directories given to useradd/adduser, and WORKDIRs created while a non-root USER was in
    effect (BuildKit creates them owned by that user)."""
    target = top(ins)
    stage = ctx.model.stage_of.get(id(target))
    if stage is None:
        return False
    index_of, first = _ownership(stage, ctx)
    at = index_of.get(id(target))
    if at is None:
        return False
    while True:
        given = first.get(path)
        if given is not None and given <= at:
            return True
        if path in ("/", ""):
            return False
        path = posixpath.dirname(path)


@register
class SystemPathWriteAsNonRootUser(NonRootRunRule, Rule):
    """A RUN writes into a system directory after USER switched to a non-root user.

    Looks at every RUN whose USER in effect is known and not root (set in the
    stage or the stage it is built `FROM`) and at the paths it writes:
    output redirections (`>`, `>>`, `&>`), the destination of `cp`, `mv`,
    `ln` and `install` (`-t DIR` or the last operand; every operand of `install
    -d`), the files of `tee`, `touch` and `sed -i`. A path under `/etc`, `/usr`,
    `/bin`, `/sbin`, `/lib*`, `/boot` or `/root` is reported: these belong to root
    in every common base image.

    Not reported when the Dockerfile gave the path to a user before (or in) the
    RUN: a `chown`, `chgrp`, `chmod` or `setfacl` naming it or a directory above
    it, a `COPY --chown` to it, a WORKDIR created while a non-root USER was in
    effect, a home directory given to `useradd -d`/`adduser -h`; when the command
    runs through `sudo`, `doas` or `fakeroot` (a redirection is still done by the
    calling shell and is reported: `sudo echo x > /etc/f` fails); when the base
    image is known to run as non-root (such images often open up some of these
    directories); when the path has a variable without a value or is relative.
    `ONBUILD RUN` triggers run as the image's final USER.

    ## Why is this bad?
    RUN executes as the current USER, and system directories are writable only
    by root: the write fails with "Permission denied" and the build stops.
    Unlike package installs, a base image may have handed such a directory to its
    user, hence a warning rather than an error.

    ## Example
    ```dockerfile
    FROM node:22-bookworm-slim
    USER node
    RUN echo "export PATH=/opt/tools:$PATH" >> /etc/profile
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-bookworm-slim
    RUN echo "export PATH=/opt/tools:$PATH" >> /etc/profile
    USER node
    ```
    """

    code = "LL5003"
    name = "system-path-write-as-non-root-user"
    groups = ("user",)
    severity = "warning"
    visits = ("RUN", "USER")
    onbuild = True

    def check_run(self, ins, ctx, user, user_ins, onbuild):
        stage = ctx.model.stage_of.get(id(top(ins)))
        if stage is None or runs_as_non_root(root_image(stage)):
            return
        found = programs(ins, ctx.model)
        if found is None:
            return
        targets = [(w, w.value, "write") for w in redirect_targets(ins, ctx)]
        for p in found:
            if escalates(p):
                continue
            targets.extend((w, v, p.basename) for w, v in write_targets(p))
        if not targets:
            return
        seen = set()
        for word, raw, how in targets:
            for value in self._values(word, raw, ins, ctx):
                if not value.startswith("/"):
                    continue
                path = absolute(value, None)
                if not any(is_under(path, d) for d in SYSTEM_DIRS) or is_owned(path, ins, ctx):
                    continue
                key = (word.range, path)
                if key in seen:
                    continue
                seen.add(key)
                ctx.report(self, word.range,
                           f"{VERBS.get(how, 'Writing to')} `{path}` needs root, but "
                           f"{runs_as(user, user_ins, onbuild)}, so the build stops with a permission error")
                break

    @staticmethod
    def _values(word, raw, ins, ctx):
        if "$" not in raw and "`" not in raw:
            return [raw]
        if raw != word.value:  # `-t$DIR`: the value is part of the option word
            return []
        return expand(word, ins, ctx) or []
