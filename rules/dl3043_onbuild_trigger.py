from layerlint.rule import ParseIssueRule, register


@register
class OnbuildTrigger(ParseIssueRule):
    """ONBUILD wraps ONBUILD, FROM or MAINTAINER.

    `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER` are not allowed as
    triggers; the finding points at the offending trigger keyword.

    ## Why is this bad?
    BuildKit refuses the Dockerfile ("Chaining ONBUILD via `ONBUILD ONBUILD` isn't
    allowed", "FROM isn't allowed as an ONBUILD trigger").

    ## Example
    ```dockerfile
    FROM alpine:3.20
    ONBUILD FROM alpine:3.20
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    ONBUILD RUN echo "building a child image"
    ```
    """

    code = "DL3043"
    name = "onbuild-invalid-trigger"
    groups = ("onbuild", "syntax")
    severity = "error"
    issue_kinds = ("onbuild",)
