from layerlint.rule import ParseIssueRule, register


@register
class InvalidParserDirective(ParseIssueRule):
    """A parser directive (`# syntax=`, `# escape=`, `# check=`) is invalid or repeated.

    Directives are read only at the very top of the file. Each may appear once,
    and `escape` accepts only a backslash or a backtick.

    ## Why is this bad?
    BuildKit fails with "only one escape parser directive can be used" or
    "invalid escape token".

    ## Example
    ```dockerfile
    # escape=^
    FROM mcr.microsoft.com/windows/servercore:ltsc2022
    ```

    ## Use instead
    ```dockerfile
    # escape=`
    FROM mcr.microsoft.com/windows/servercore:ltsc2022
    ```
    """

    code = "LL1004"
    name = "invalid-parser-directive"
    groups = ("syntax",)
    severity = "error"
    issue_kinds = ("directive",)
