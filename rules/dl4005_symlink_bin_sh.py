from layerlint.rule import Rule, register
from layerlint.shell import programs

SHELL_PATHS = ("/bin/sh", "/usr/bin/sh")


@register
class SymlinkBinSh(Rule):
    """RUN replaces `/bin/sh` with `ln`.

    Reports an `ln` command whose link name (its last argument) is `/bin/sh`
    (or `/usr/bin/sh`, the same file on merged-/usr systems), pointing at that
    argument; also inside `ONBUILD RUN`, heredoc scripts and exec-form RUN.

    Differences from hadolint: hadolint reports any `ln` with a `/bin/sh`
    argument, also when `/bin/sh` is only the link target
    (`ln -s /bin/sh /usr/local/bin/sh` leaves the shell alone); `/usr/bin/sh`
    and `ln` given by path count; nothing is reported when the SHELL is not a
    POSIX shell.

    ## Why is this bad?
    Re-linking `/bin/sh` changes the shell of every later RUN behind the
    reader's back, and of every process in the container that calls
    `system()`. The SHELL instruction changes the shell of the build steps
    explicitly.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN ln -sf /bin/bash /bin/sh
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    SHELL ["/bin/bash", "-c"]
    ```
    """

    code = "DL4005"
    name = "symlink-bin-sh"
    groups = ("shell",)
    severity = "warning"
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        for inv in programs(ins, ctx.model) or ():
            if inv.basename != "ln" or inv.has_short_flag("t") or inv.has_long_flag("--target-directory"):
                continue
            positional = inv.positional
            if len(positional) >= 2 and positional[-1].value.rstrip("/") in SHELL_PATHS:
                ctx.report(self, positional[-1].range, "Use SHELL to change the default shell")
