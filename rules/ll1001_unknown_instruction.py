from layerlint.rule import Edit, Fix, ParseIssueRule, register


@register
class UnknownInstruction(ParseIssueRule):
    """The instruction keyword is not one BuildKit knows.

    BuildKit's parser accepts any word as a keyword and only fails afterwards with
    `unknown instruction: X`, adding a did-you-mean suggestion when a known
    instruction is close. layerlint reports the same message on the keyword.

    ## Why is this bad?
    The build fails with "dockerfile parse error ... unknown instruction". Often it
    is a typo (`RUM`, `COPPY`) or a line meant to continue the previous one whose
    trailing `\\` is missing.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUM echo hello
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN echo hello
    ```

    ## Fix
    Replaces the keyword with the suggested instruction. Unsafe: the line may have
    been meant as a continuation of the previous instruction instead.
    """

    code = "LL1001"
    name = "unknown-instruction"
    groups = ("syntax",)
    severity = "error"
    fixable = "sometimes"
    issue_kinds = ("unknown-instruction",)

    def fix_for(self, issue, ctx):
        if issue.suggestion is None:
            return None
        return Fix((Edit(issue.range, issue.suggestion),), safe=False, title=f"Replace with {issue.suggestion}")
