from layerlint.rule import Rule, register


@register
class MultipleEntrypoint(Rule):
    """A stage has more than one ENTRYPOINT.

    Every ENTRYPOINT of a stage except the last is reported, on its keyword
    (hadolint reports every one except the first instead). `ONBUILD ENTRYPOINT`
    does not count.

    ## Why is this bad?
    Only the last ENTRYPOINT takes effect; the earlier ones are dead code that
    misleads the reader about what the container runs.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    ENTRYPOINT ["/bin/sh"]
    ENTRYPOINT ["/usr/local/bin/app"]
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    ENTRYPOINT ["/usr/local/bin/app"]
    ```
    """

    code = "DL4004"
    name = "multiple-entrypoint"
    groups = ("entrypoint",)
    severity = "error"
    visits = ("ENTRYPOINT",)

    def check(self, ins, ctx):
        if ctx.stage is not None:
            ctx.stage_state(self).setdefault("seen", []).append(ins)

    def stage_end(self, stage, ctx):
        seen = ctx.stage_state(self, stage).get("seen", [])
        if len(seen) < 2:
            return
        last = seen[-1]
        for ins in seen[:-1]:
            ctx.report(self, ins.keyword_range,
                       f"Multiple ENTRYPOINT instructions found: only the last one (line {last.start_line}) "
                       f"takes effect")
