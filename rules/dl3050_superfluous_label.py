from layerlint.rule import Rule, register
from layerlint.rules._labels import label_pairs


@register
class SuperfluousLabel(Rule):
    """A label is not listed in `label-schema` while `strict-labels` is on.

    Inactive unless `strict-labels = true`; then every LABEL key must be one of
    the `label-schema` keys (with no schema at all, every label is reported, as
    in hadolint). Keys are compared as BuildKit stores them (quotes removed,
    variables expanded; keys made from a variable without a known value are
    skipped). `ONBUILD LABEL` is not checked, as in hadolint. Each extra key is
    reported on its own word (hadolint reports the instruction once).

    ## Why is this bad?
    With a strict schema, labels outside it are typos of schema labels or
    metadata nobody agreed on and nobody maintains.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.source="https://github.com/acme/api" build-host="ci-runner-7"
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.source="https://github.com/acme/api"
    ```
    """

    code = "DL3050"
    name = "superfluous-label"
    groups = ("style",)
    severity = "info"
    visits = ("LABEL",)
    # the configuration the documented examples assume
    example_config = {"label-schema": {"org.opencontainers.image.source": "url"}, "strict-labels": True}

    def check(self, ins, ctx):
        if not ctx.config.strict_labels:
            return
        schema = ctx.config.label_schema
        for lp in label_pairs(ins, ctx):
            if lp.key is not None and lp.key not in schema:
                ctx.report(self, lp.key_range, f"Superfluous label(s) present: `{lp.key}` is not in label-schema")
