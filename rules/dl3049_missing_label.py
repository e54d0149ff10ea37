from layerlint.rule import Rule, register
from layerlint.rules._labels import label_pairs
from layerlint.rules._stage_sources import from_range, result_stages, stage_chain


@register
class MissingLabel(Rule):
    """A result stage lacks a label that `label-schema` requires.

    Inactive until `label-schema` is configured. Each label of the schema must be
    set in every result stage: a stage that no later stage builds on
    (`FROM <stage>`), copies from (`COPY --from`) or mounts
    (`RUN --mount=from=`). Labels set in the stages it is built on count, since
    images inherit them; `ONBUILD LABEL` does not (it labels the images built
    from this one). The finding points at the stage's FROM and names the label;
    one finding per missing label.

    Differences from hadolint: only result stages are reported, so a missing
    label is reported once, on the image that lacks it. hadolint also reports a
    stage that a later stage builds on (unless that later stage sets the label),
    stages used through `RUN --mount=from=<stage>` or `COPY --from=<number>`,
    and compares stage names case-sensitively, so it asks for labels on build
    stages.

    ## Why is this bad?
    Labels are how registries, scanners and people find out what an image is,
    where its source lives and who owns it. A schema only helps when every
    published image carries it.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.title="api"
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.title="api" \\
          org.opencontainers.image.source="https://github.com/acme/api"
    ```
    """

    code = "DL3049"
    name = "missing-label"
    groups = ("style",)
    severity = "info"
    visits = ("LABEL",)
    # the configuration the documented examples assume
    example_config = {"label-schema": {"org.opencontainers.image.source": "url"}}

    def check(self, ins, ctx):
        if ctx.config.label_schema and ctx.stage is not None:
            keys = ctx.stage_state(self).setdefault("keys", set())
            keys.update(lp.key for lp in label_pairs(ins, ctx) if lp.key is not None)

    def file_end(self, ctx):
        schema = ctx.config.label_schema
        if not schema:
            return
        for stage in result_stages(ctx):
            present = set()
            for s in stage_chain(stage):
                present |= ctx.stage_state(self, s).get("keys", set())
            for label in schema:
                if label not in present:
                    ctx.report(self, from_range(stage), f"Label `{label}` is missing.")
