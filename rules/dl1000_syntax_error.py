from layerlint.rule import ParseIssueRule, register


@register
class DockerfileSyntaxError(ParseIssueRule):
    """The Dockerfile cannot be parsed the way BuildKit parses it.

    Reports what BuildKit's parser rejects before a build even starts: a JSON
    array with non-string elements, `ENV`/`LABEL` in the legacy form without a
    value, a `key=value` list with a word lacking `=`, an unterminated heredoc or a
    badly quoted heredoc delimiter, a line longer than 65,535 bytes, a file
    without instructions. Unlike hadolint's DL1000, the rest of the file is still
    parsed and linted: each malformed instruction gets its own positioned finding.

    Difference from hadolint: only what BuildKit rejects is an error. hadolint's
    parser also rejects valid files (heredocs followed directly by an instruction,
    newer flags such as `ADD --unpack` or `COPY --exclude`): 27 of the 1,542 corpus
    files, which BuildKit and layerlint parse, get nothing but DL1000 from hadolint.

    ## Why is this bad?
    `docker build` stops at the first of these errors without building anything.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    CMD ["sleep", 10]
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    CMD ["sleep", "10"]
    ```
    """

    code = "DL1000"
    name = "syntax-error"
    groups = ("syntax",)
    severity = "error"
    issue_kinds = ("syntax",)
