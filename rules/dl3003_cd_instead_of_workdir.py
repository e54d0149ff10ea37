from layerlint.rule import Rule, register
from layerlint.shell import programs


@register
class CdInsteadOfWorkdir(Rule):
    """RUN changes directory with `cd` instead of using WORKDIR.

    Reports every `cd` command of a shell-form RUN (heredoc scripts included),
    pointing at the word `cd`. As in hadolint, `ONBUILD RUN` is not checked.

    Differences from hadolint: a `cd` inside a subshell `( ... )` or a command
    substitution `$( ... )` is fine, as hadolint's own documentation recommends
    (hadolint still reports it, issue #422); exec-form RUN is not checked (it
    cannot change the directory of anything that follows); nothing is reported
    when the SHELL is not a POSIX shell.

    ## Why is this bad?
    A `cd` lasts only until the end of its RUN, so later instructions silently
    run elsewhere, and the reader has to track the directory through shell
    code. WORKDIR states it once for every following instruction.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN cd /usr/src/app && make
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    WORKDIR /usr/src/app
    RUN make
    ```
    """

    code = "DL3003"
    name = "cd-instead-of-workdir"
    groups = ("shell", "style")
    severity = "warning"
    visits = ("RUN",)

    def check(self, ins, ctx):
        if ins.json:
            return
        for inv in programs(ins, ctx.model) or ():
            if inv.basename == "cd" and inv.command is not None and not inv.command.in_subshell:
                ctx.report(self, inv.range, "Use WORKDIR to switch to a directory.")
