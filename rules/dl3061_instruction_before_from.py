from layerlint.rule import ParseIssueRule, register


@register
class InstructionBeforeFrom(ParseIssueRule):
    """An instruction other than ARG comes before the first FROM.

    Only ARG (and comments and parser directives) may precede the first FROM;
    those ARGs are the global ARGs usable in FROM lines.

    ## Why is this bad?
    BuildKit fails with "no build stage in current context".

    ## Example
    ```dockerfile
    ENV APP_HOME=/app
    FROM alpine:3.20
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    ENV APP_HOME=/app
    ```
    """

    code = "DL3061"
    name = "instruction-before-from"
    groups = ("syntax", "stages")
    severity = "error"
    issue_kinds = ("no-stage",)
