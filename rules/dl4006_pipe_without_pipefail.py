import os

from layerlint.rule import Rule, register
from layerlint.shell import commands, shell_of

PIPEFAIL_SHELLS = ("bash", "zsh", "ash")


def _shell_has_pipefail(shell: tuple[str, ...]) -> bool:
    """`SHELL ["/bin/bash", "-o", "pipefail", "-c"]` and the like (`-eo pipefail`, any path)."""
    if not shell or os.path.basename(shell[0]) not in PIPEFAIL_SHELLS:
        return False
    args = shell[1:]
    has_o = any(a.startswith("-") and not a.startswith("--") and "o" in a[1:] for a in args)
    return has_o and "pipefail" in args


def _sets_pipefail(cmd) -> bool:
    """`set -o pipefail`, `set -euo pipefail`, `set -o errexit -o pipefail`."""
    return cmd.basename == "set" and cmd.has_flag("-o") and any(a.value == "pipefail" for a in cmd.args)


@register
class PipeWithoutPipefail(Rule):
    """RUN has a pipe while the shell does not fail on errors inside it.

    A shell-form RUN (heredoc scripts included) with a pipe `|` is reported,
    on the first command of its first pipeline, unless the active SHELL is
    bash, zsh or ash (matched by basename: `/usr/bin/bash` counts) started with
    `-o pipefail`, or a `set -o pipefail` (also `set -euo pipefail`) runs
    earlier in the same RUN. Non-POSIX shells (PowerShell, cmd) are exempt and
    `ONBUILD RUN` is not checked, as in hadolint.

    Differences from hadolint (2.15.1): `set -o pipefail` before the pipe in the
    same RUN is accepted (hadolint issue #522): if the shell lacks the option,
    `set` is a special built-in whose failure ends the shell, so the RUN fails
    loudly instead of hiding an error; the SHELL executable is matched by
    basename (hadolint fixed this after 2.15.1, issue #977); a `|` inside
    quotes or in an exec-form RUN (`RUN ["echo", "a | b"]`) is not a pipe;
    heredoc bodies fed to another interpreter (`RUN python3 <<EOF`) are not
    read as shell code (hadolint issue #806).

    ## Why is this bad?
    A pipeline's exit status is that of its last command, so
    `RUN wget -O - https://example.com/x | tar -xz` succeeds even when the
    download fails, and the broken layer is cached.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN wget -O - https://some.site | wc -l > /number
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN wget -O - https://some.site | wc -l > /number
    ```
    """

    code = "DL4006"
    name = "pipe-without-pipefail"
    groups = ("shell",)
    severity = "warning"
    visits = ("RUN",)

    def check(self, ins, ctx):
        if ins.parent is not None:
            return
        script = commands(ins, ctx.model)
        if script is None or not script.has_pipe:
            return
        if _shell_has_pipefail(shell_of(ins, ctx.model)):
            return
        first = next((c for c in script.commands if c.in_pipeline), None)
        limit = first.range.start if first is not None else None
        if any(_sets_pipefail(c) and (limit is None or c.range.start < limit) for c in script.commands):
            return
        rng = first.range if first is not None else ins.args_range
        ctx.report(self, rng,
                   "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an "
                   "alpine image or if your shell is symlinked to busybox then consider explicitly setting your "
                   "SHELL to /bin/ash, or disable this check")
