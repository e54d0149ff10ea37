from layerlint.rule import Rule, register
from layerlint.shell import programs

# hadolint's list, plus `ifconfig`, which hadolint's message names but its check omits.
COMMANDS = frozenset({"free", "ifconfig", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim"})


@register
class SystemCommandInRun(Rule):
    """RUN calls an interactive or system-management tool that makes no sense in a build.

    Reports every command named `ssh`, `vim`, `shutdown`, `service`, `ps`,
    `free`, `top`, `kill`, `mount` or `ifconfig`, pointing at the command name;
    also inside `ONBUILD RUN`, heredoc scripts and exec-form RUN. Commands run
    through `command`, `builtin`, `busybox`, `exec` or `time` count, as in
    hadolint; arguments never count (`apt-get install ssh` is fine).

    Differences from hadolint: each offending command gets its own finding on
    its name (hadolint reports the RUN once, on its first line); `ifconfig` is
    checked (hadolint's message lists it but its check does not); a command
    given by path (`/usr/bin/top`) counts;
    nothing is reported when the SHELL is not a POSIX shell (PowerShell, cmd),
    and heredoc bodies fed to another interpreter (`RUN python3 <<EOF`) are not
    read as shell code.

    ## Why is this bad?
    A build step runs without a terminal, an init system or a running container
    around it: editors and monitors hang or print nothing useful, service
    managers and `shutdown` act on a system that does not exist, and `ssh`
    needs credentials that should never be baked into an image.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN service nginx start && ps aux
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    CMD ["nginx", "-g", "daemon off;"]
    ```
    """

    code = "DL3001"
    name = "system-command-in-run"
    groups = ("shell",)
    severity = "info"
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        for inv in programs(ins, ctx.model) or ():
            if inv.basename in COMMANDS:
                ctx.report(self, inv.range,
                           f"For some bash commands it makes no sense running them in a Docker container like "
                           f"`ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, "
                           f"`ifconfig`: `{inv.basename}`")
