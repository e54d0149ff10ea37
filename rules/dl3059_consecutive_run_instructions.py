from layerlint.rule import Rule, register
from layerlint.shell import commands


@register
class ConsecutiveRunInstructions(Rule):
    """Consecutive RUNs that each run a single simple command could be one RUN.

    A RUN is reported, on its keyword, when the instruction before it (comment
    lines and blank lines in between are allowed) is a RUN of the same stage
    with identical flags (`--mount`, `--network`, `--security`), and both run
    one simple command each: an exec-form RUN counts as one command, a RUN with
    `&&`, `;`, a pipe, a command substitution or a heredoc script does not
    (the split then looks deliberate). `ONBUILD RUN` is not checked and breaks
    the sequence, as every other instruction does.

    Differences from hadolint: RUN flags are compared as a set of
    `--name=value` texts; a heredoc RUN never counts as a single command; a
    command run through a variable (`yes | "$SDK/bin/sdkmanager" ...`) counts
    as a command (hadolint overlooks it and calls such a pipeline single);
    nothing is reported for shells layerlint cannot analyse (PowerShell, cmd),
    where the number of commands is unknown.

    ## Why is this bad?
    Every RUN adds a layer and a cache step; short commands in a row grow the
    image metadata and the build time without making the Dockerfile clearer.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN mkdir -p /app/data
    RUN chown 1000:1000 /app/data
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    RUN mkdir -p /app/data \\
     && chown 1000:1000 /app/data
    ```
    """

    code = "DL3059"
    name = "consecutive-run-instructions"
    groups = ("cache",)
    severity = "info"
    visits = ("*",)

    def check(self, ins, ctx):
        if ctx.stage is None:
            return
        state = ctx.stage_state(self, ctx.stage)  # per stage: a RUN never follows one of another stage
        prev = state.get("prev")
        if ins.keyword != "RUN":
            state["prev"] = None
            return
        flags = tuple(sorted(f.text for f in ins.flag_nodes))
        single = self._single(ins, ctx)
        state["prev"] = (ctx.stage, flags, single)
        if prev is not None and prev[1] == flags and prev[2] and single:
            ctx.report(self, ins.keyword_range, "Multiple consecutive `RUN` instructions. Consider consolidation.")

    @staticmethod
    def _single(ins, ctx) -> bool:
        if ins.json:
            return bool(ins.value)
        if ins.heredocs:
            return False
        script = commands(ins, ctx.model)
        return script is not None and len(script.commands) <= 1 and not script.has_pipe
