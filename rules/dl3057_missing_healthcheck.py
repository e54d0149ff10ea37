from layerlint.rule import Rule, register
from layerlint.rules._stage_sources import from_range, result_stages, stage_chain


@register
class MissingHealthcheck(Rule):
    """A final image has no HEALTHCHECK.

    Off by default, as in hadolint. Reported for every result stage (one that no
    later stage builds on, copies from or mounts) when neither it nor a stage it
    is built on (`FROM <stage>`) has a HEALTHCHECK; `HEALTHCHECK NONE` counts as
    a deliberate choice, `ONBUILD HEALTHCHECK` does not count. The finding points
    at the stage's FROM. hadolint has no "ignore" severity to borrow for an
    enabled rule; layerlint reports it as `info`.

    Differences from hadolint: build stages whose output is only copied or
    mounted into later stages are not reported, since they never run as a
    container (hadolint asks for a HEALTHCHECK in every stage), and stage names
    are compared case-insensitively, as BuildKit does.

    ## Why is this bad?
    Without a HEALTHCHECK, Docker and Swarm only know whether the main process
    is alive, not whether the service answers; a hung server keeps receiving
    traffic. (Orchestrators with their own probes, like Kubernetes, ignore it:
    leave the rule off there.)

    ## Example
    ```dockerfile
    FROM nginx:1.27
    COPY site/ /usr/share/nginx/html/
    ```

    ## Use instead
    ```dockerfile
    FROM nginx:1.27
    COPY site/ /usr/share/nginx/html/
    HEALTHCHECK --interval=30s CMD ["curl", "-fsS", "http://localhost/"]
    ```
    """

    code = "DL3057"
    name = "missing-healthcheck"
    groups = ("style",)
    severity = "info"
    enabled_by_default = False
    visits = ("HEALTHCHECK",)

    def check(self, ins, ctx):
        if ctx.stage is not None:
            ctx.stage_state(self)["has_healthcheck"] = True

    def file_end(self, ctx):
        for stage in result_stages(ctx):
            if not any(ctx.stage_state(self, s).get("has_healthcheck") for s in stage_chain(stage)):
                ctx.report(self, from_range(stage), "`HEALTHCHECK` instruction missing.")
