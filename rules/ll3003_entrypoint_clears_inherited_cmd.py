from layerlint.rule import Rule, register
from layerlint.rules._image_config import image_configs, is_empty, show
from layerlint.rules._stage_sources import result_stages


@register
class EntrypointClearsInheritedCmd(Rule):
    """ENTRYPOINT clears the CMD a stage inherits from its parent stage.

    Reported on the first ENTRYPOINT of a stage built on an earlier stage
    (`FROM <stage>`) whose image ends with a non-empty CMD, when the stage sets
    no CMD of its own and the clearing reaches a final image: only images no
    later stage builds on or copies from are followed (a later stage that sets
    its own CMD makes the clearing harmless). Stages built on a base image from
    a registry are not checked: its CMD is not known. A parent stage with `ONBUILD CMD` or
    `ONBUILD ENTRYPOINT` makes the inherited values unknown, so it is skipped.

    The message explains the mechanism: BuildKit (and Docker's classic builder)
    reset the CMD to nothing when a stage sets ENTRYPOINT without having set CMD
    earlier in the same stage, so the inherited CMD is gone.

    ## Why is this bad?
    A base stage often defines the default command (`CMD ["serve"]`) and a
    derived stage adds a wrapper (`ENTRYPOINT ["/entrypoint.sh"]`) that ends in
    `exec "$@"`. Because ENTRYPOINT clears the inherited CMD, the wrapper starts
    with no arguments and the container exits or runs something else.
    `ENTRYPOINT []`, written to run the parent's CMD without its entrypoint,
    leaves nothing to run at all.

    ## Example
    ```dockerfile
    FROM node:22-alpine AS base
    WORKDIR /app
    CMD ["node", "server.js"]

    FROM base AS prod
    COPY entrypoint.sh /
    ENTRYPOINT ["/entrypoint.sh"]
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-alpine AS base
    WORKDIR /app
    CMD ["node", "server.js"]

    FROM base AS prod
    COPY entrypoint.sh /
    ENTRYPOINT ["/entrypoint.sh"]
    CMD ["node", "server.js"]
    ```
    """

    code = "LL3003"
    name = "entrypoint-clears-inherited-cmd"
    groups = ("entrypoint",)
    severity = "warning"

    def file_end(self, ctx):
        configs = image_configs(ctx.model)
        done = set()
        for stage in result_stages(ctx):
            setting = configs[id(stage)].cmd
            while setting.reset_by is not None and setting.cleared is not None:
                if setting.cleared.is_set:
                    self._report(ctx, setting.reset_by, setting.cleared.ins, done)
                    break
                setting = setting.cleared

    def _report(self, ctx, ep, inherited, done):
        if id(ep) in done:
            return
        done.add(id(ep))
        origin = ctx.model.stage_of.get(id(inherited))
        where = f"stage `{origin.label}`" if origin is not None else "the parent stage"
        if is_empty(ep):
            consequence = "so the image has nothing to run"
        else:
            consequence = "so the entrypoint starts without those arguments"
        ctx.report(self, ep.keyword_range,
                   f"ENTRYPOINT clears the CMD inherited from {where} (`{show(inherited)}`, line "
                   f"{inherited.start_line}) because this stage sets no CMD of its own, {consequence}")
