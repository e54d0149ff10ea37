from layerlint.rule import ParseIssueRule, register


@register
class InvalidArguments(ParseIssueRule):
    """The instruction's arguments do not have the shape BuildKit requires.

    Wrong argument counts (`FROM` takes one or three, `COPY`/`ADD` at least two,
    `USER`/`WORKDIR` exactly one, `EXPOSE`, `VOLUME`, `SHELL`, `ENV`, `LABEL`,
    `ONBUILD` and `HEALTHCHECK` at least one), `FROM x foo y` without `AS`, an
    invalid stage name, `SHELL` not in JSON form, an unknown `HEALTHCHECK` type or
    a missing command after `HEALTHCHECK CMD`, blank ARG names, empty VOLUME
    entries.

    ## Why is this bad?
    BuildKit rejects the Dockerfile with "dockerfile parse error" before building.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    COPY app.tar.gz
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    COPY app.tar.gz /opt/
    ```
    """

    code = "LL1003"
    name = "invalid-arguments"
    groups = ("syntax",)
    severity = "error"
    issue_kinds = ("arguments",)
