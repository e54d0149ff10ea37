from layerlint.rule import Rule, register
from layerlint.rules._labels import label_pairs


@register
class EmptyLabel(Rule):
    """A label required by `label-schema` has an empty value.

    Inactive until `label-schema` is configured; applies to every schema label,
    whatever its type. The value is judged as BuildKit stores it: quotes removed
    and variables expanded. Difference from hadolint: a value made from a
    variable is judged by the variable's value (`LABEL version=$VERSION` after
    `ARG VERSION=""` is empty), and skipped when the variable has no known value
    (it is set at build time).

    ## Why is this bad?
    An empty label passes a presence check while telling nobody anything; it
    usually means a build argument that was never passed.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.source=""
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.source="https://github.com/acme/api"
    ```
    """

    code = "DL3051"
    name = "empty-label"
    groups = ("style",)
    severity = "warning"
    visits = ("LABEL",)
    # the configuration the documented examples assume
    example_config = {"label-schema": {"org.opencontainers.image.source": "url"}}

    def check(self, ins, ctx):
        schema = ctx.config.label_schema
        if not schema:
            return
        for lp in label_pairs(ins, ctx):
            if lp.key is not None and lp.key in schema and lp.value == "":
                ctx.report(self, lp.value_range, f"label `{lp.key}` is empty.")
