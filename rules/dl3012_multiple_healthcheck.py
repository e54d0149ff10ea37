from layerlint.rule import register
from layerlint.rules._last_one_wins import LastOneWins


@register
class MultipleHealthcheck(LastOneWins):
    """A stage has more than one HEALTHCHECK.

    Every HEALTHCHECK of a stage except the last is reported, on its keyword;
    `HEALTHCHECK NONE` counts, `ONBUILD HEALTHCHECK` does not.

    Differences from hadolint: hadolint reports every HEALTHCHECK except the
    first; layerlint reports the ones that do not take effect (all but the
    last), like DL4003/DL4004 and BuildKit's MultipleInstructionsDisallowed
    check, so the finding sits on the dead instruction that should be removed.

    ## Why is this bad?
    Only the last HEALTHCHECK of a stage takes effect; the earlier ones are dead
    code that misleads the reader about how the container is probed.

    ## Example
    ```dockerfile
    FROM nginx:1.27
    HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]
    HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost/health"]
    ```

    ## Use instead
    ```dockerfile
    FROM nginx:1.27
    HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost/health"]
    ```
    """

    code = "DL3012"
    name = "multiple-healthcheck"
    groups = ("entrypoint",)
    severity = "error"
    aliases = ("MultipleInstructionsDisallowed",)
    visits = ("HEALTHCHECK",)

    def stage_end(self, stage, ctx):
        seen = ctx.stage_state(self, stage).get("seen", [])
        if len(seen) < 2:
            return
        last = seen[-1]
        for ins in seen[:-1]:
            ctx.report(self, ins.keyword_range,
                       f"Multiple `HEALTHCHECK` instructions: only the last one (line {last.start_line}) takes "
                       f"effect")
