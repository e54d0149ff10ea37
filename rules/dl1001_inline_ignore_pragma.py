from layerlint.pragmas import parse_pragma
from layerlint.rule import Rule, register


@register
class InlineIgnorePragma(Rule):
    """An inline ignore pragma (`# hadolint ignore=...`, `# layerlint: ignore=...`) is used.

    Off by default; enable it where suppressions must not be added on the quiet
    (a CI policy). Every comment that is an instruction-level ignore pragma is
    reported on the comment itself: hadolint's `# hadolint ignore=...` and
    layerlint's own `# layerlint: ignore=...`. File-wide pragmas
    (`# hadolint global ignore=`, `# layerlint: ignore-file=`) and
    `# hadolint stage ignore=` are not reported, as in hadolint, and neither are
    `# check=skip=` comments. Differences from hadolint: layerlint's own pragma
    is reported too, and so is every spelling layerlint honours (lower-case codes
    such as `# hadolint ignore=dl3008`, rule names), since each of them silences
    findings here. hadolint has no "ignore" severity to borrow for an enabled
    rule; layerlint reports it as `info`, which fails the default threshold.

    ## Why is this bad?
    A suppression comment lets anyone silence a finding next to the code it
    concerns, without review. Teams that keep exceptions in the central
    configuration (or forbid them) use this rule to catch new ones.

    ## Example
    ```dockerfile
    FROM debian:12.5
    # hadolint ignore=DL3008
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
    ```
    """

    code = "DL1001"
    name = "inline-ignore-pragma"
    groups = ("style",)
    severity = "info"
    enabled_by_default = False

    def file_end(self, ctx):
        for comment in ctx.dockerfile.comments:
            p = parse_pragma(comment)
            if p is None or p.scope != "instruction" or p.origin not in ("hadolint", "layerlint"):
                continue
            spelled = "# hadolint ignore=" if p.origin == "hadolint" else "# layerlint: ignore="
            ctx.report(self, comment.range,
                       f"Please refrain from using inline ignore pragmas `{spelled}...`: this one silences "
                       f"{', '.join(p.references)}")
