from layerlint.rule import Rule, register

RESERVED_STAGE_NAMES = ("scratch", "context")


@register
class ReservedStageName(Rule):
    """A stage is named `scratch` or `context`.

    The finding points at the name. Names are compared case-insensitively, as
    BuildKit lower-cases stage names; this is BuildKit's `ReservedStageName`
    check. Difference from hadolint: `AS Scratch` or `AS CONTEXT` are reported
    too (hadolint compares case-sensitively, although BuildKit treats them the
    same).

    ## Why is this bad?
    `scratch` is the empty base image and `context` is how named build contexts
    are referred to: `FROM scratch` or `COPY --from=context` next to a stage of
    that name does not mean what a reader expects, and BuildKit warns.

    ## Example
    ```dockerfile
    FROM alpine:3.20 AS scratch
    RUN echo hi > /greeting
    FROM alpine:3.20
    COPY --from=scratch /greeting /greeting
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20 AS greeting
    RUN echo hi > /greeting
    FROM alpine:3.20
    COPY --from=greeting /greeting /greeting
    ```
    """

    code = "DL3063"
    name = "reserved-stage-name"
    groups = ("stages",)
    severity = "warning"
    aliases = ("ReservedStageName",)
    visits = ("FROM",)

    def check(self, ins, ctx):
        stage = ctx.model.stage_of.get(id(ins))
        if stage is None or stage.name_word is None or stage.name not in RESERVED_STAGE_NAMES:
            return
        ctx.report(self, stage.name_word.range,
                   f"stage name should not be a reserved word: `{stage.name_word.text}`")
