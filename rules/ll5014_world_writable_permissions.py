from layerlint.rule import Rule, register
from layerlint.shell import programs
from layerlint.patterns import lazy_pattern

# octal modes whose "others" digit grants write (2, 3, 6, 7), e.g. 777, 0666, 1777 excluded below
_OCTAL = lazy_pattern(r"^[0-7]?[0-7]{2}[2367]$")
# an explicit `o` or `a`: without a who, `+w` honours the umask (022) and others get nothing
# (`[ug]*` stops at the first `o` or `a`: `[ugoa]*[oa]` backtracked quadratically on a long who list)
_SYMBOLIC = lazy_pattern(r"(^|,)[ug]*[oa][ugoa]*[+=][rwxXst]*w")


@register
class WorldWritablePermissions(Rule):
    """`chmod` makes files or directories writable by every user (`777`, `o+w`, `a+w`).

    Reported on the mode of `chmod` in RUN (also through `sudo` and in ONBUILD
    triggers) and of `COPY/ADD --chmod`. The sticky-bit modes for shared temporary
    directories (`1777`, `+t` together with write) are not reported.

    ## Why is this bad?
    Any process in the container, whatever user it runs as, can then replace the
    files: a compromised low-privilege process can rewrite the application or its
    configuration, and a non-root USER no longer protects anything.

    ## Example
    ```dockerfile
    FROM node:22.4.1-alpine3.20
    COPY . /app
    RUN chmod -R 777 /app
    ```

    ## Use instead
    ```dockerfile
    FROM node:22.4.1-alpine3.20
    COPY --chown=node:node . /app
    ```
    """

    code = "LL5014"
    name = "world-writable-permissions"
    groups = ("security",)
    severity = "warning"
    visits = ("RUN", "COPY", "ADD")
    onbuild = True

    def check(self, ins, ctx):
        if ins.keyword in ("COPY", "ADD"):
            flag = ins.flag("chmod")
            if flag is not None and flag.value and _world_writable(flag.value):
                ctx.report(self, flag.value_range or flag.range, self._message(flag.value))
            return
        for program in programs(ins, ctx.model) or ():
            if program.basename != "chmod":
                continue
            modes = [a for a in program.args if not a.value.startswith("-") or a.value[1:2] in "rwxXst"]
            if modes and _world_writable(modes[0].value):
                ctx.report(self, modes[0].range, self._message(modes[0].value))

    @staticmethod
    def _message(mode: str) -> str:
        return (f"Mode `{mode}` lets every user in the container write here, so a non-root or compromised "
                f"process can change these files")


def _world_writable(mode: str) -> bool:
    if mode.isdigit():
        if len(mode) == 4 and mode[0] in "1357":  # sticky bit: a shared directory like /tmp
            return False
        return bool(_OCTAL.match(mode))
    if "t" in mode:
        return False
    return bool(_SYMBOLIC.search(mode))
