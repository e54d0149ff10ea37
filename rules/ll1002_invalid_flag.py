from layerlint.rule import Edit, Fix, ParseIssueRule, register


@register
class InvalidFlag(ParseIssueRule):
    """An instruction flag that BuildKit rejects.

    Covers the errors BuildKit raises while reading flags: an unknown flag (with
    a did-you-mean suggestion), a flag given twice that may not repeat, a string
    flag without `=value`, a boolean flag with a value other than true/false, and
    values BuildKit validates before building: `RUN --network`, `--security`,
    `--mount` keys, types and sharing modes, HEALTHCHECK durations and retries.
    hadolint's parser fails on flags it does not know yet (`ADD --unpack`,
    `--keep-git-dir`, `--exclude`); layerlint knows every current BuildKit flag.

    ## Why is this bad?
    The build fails with "unknown flag" or a similar error before any step runs.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    COPY --chmown=app:app . /app
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    COPY --chown=app:app . /app
    ```

    ## Fix
    For an unknown flag with a close match, renames the flag. Unsafe: the intended
    flag may be a different one.
    """

    code = "LL1002"
    name = "invalid-flag"
    groups = ("syntax",)
    severity = "error"
    fixable = "sometimes"
    issue_kinds = ("flag",)

    def fix_for(self, issue, ctx):
        if issue.suggestion is None:
            return None
        return Fix((Edit(issue.range, issue.suggestion),), safe=False, title=f"Rename to {issue.suggestion}")
