import os

from layerlint.rule import Rule, register
from layerlint.shell import programs


@register
class SudoInRun(Rule):
    """RUN uses `sudo`.

    Reports every `sudo` command, pointing at the word `sudo`; also inside
    `ONBUILD RUN`, heredoc scripts and exec-form RUN (`RUN ["sudo", ...]`), and
    behind `command`, `exec` or `busybox`. Installing the package
    (`apt-get install sudo`) is fine.

    Differences from hadolint: each `sudo` gets its own finding on the word
    (hadolint reports the RUN once, on its first line); a path
    (`/usr/bin/sudo`) counts; nothing is
    reported when the SHELL is not a POSIX shell (PowerShell, cmd), and heredoc
    bodies fed to another interpreter (`RUN python3 <<EOF`) are not read as
    shell code.

    ## Why is this bad?
    Build steps run as the current USER without a terminal; sudo adds
    unpredictable behaviour (TTY requirements, environment resets, password
    prompts) and leaves a privilege-escalation tool in the image. Switch users
    with USER, or use a tool like gosu at run time.

    ## Example
    ```dockerfile
    FROM debian:12.5
    USER app
    RUN sudo apt-get update
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update
    USER app
    ```
    """

    code = "DL3004"
    name = "sudo-in-run"
    groups = ("shell", "security", "user")
    severity = "error"
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        for program in programs(ins, ctx.model) or ():
            for word in [*program.wrappers, program.name]:  # `sudo apt-get ...` runs apt-get through sudo
                if os.path.basename(word.value) == "sudo":
                    ctx.report(self, word.range,
                               "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to "
                               "enforce root")
