from layerlint.ast import Pos, Range
from layerlint.rule import Edit, Fix, ParseIssueRule, register


@register
class EmptyContinuationLine(ParseIssueRule):
    """An empty line inside a multi-line instruction.

    BuildKit skips empty lines inside a `\\` continuation but warns
    (build check `NoEmptyContinuation`): such lines "will become errors in a future
    release". Comment lines inside a continuation are fine.

    ## Why is this bad?
    The empty line looks like the end of the instruction, but the next lines
    still belong to it; a future BuildKit will reject the file.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache \\

        curl
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache \\
        curl
    ```

    ## Fix
    Deletes the empty lines inside the instruction. Safe: BuildKit ignores them.
    """

    code = "LL1005"
    name = "empty-continuation-line"
    groups = ("syntax", "style")
    severity = "warning"
    aliases = ("NoEmptyContinuation",)
    fixable = "always"
    issue_kinds = ("empty-continuation",)

    def fix_for(self, issue, ctx):
        ins = next((i for i in ctx.dockerfile.instructions if i.keyword_range == issue.range), None)
        if ins is None:
            return None
        first = ins.range.start.line
        last = ins.heredocs[0].body.start.line - 1 if ins.heredocs else ins.range.end.line
        lines = ctx.dockerfile.lines
        edits = tuple(self._remove_line(n, ctx.dockerfile) for n in range(first + 1, last + 1)
                      if not lines[n].strip())
        return Fix(edits, safe=True, title="Remove empty continuation lines") if edits else None

    @staticmethod
    def _remove_line(n: int, doc) -> Edit:
        if n + 1 < len(doc.lines) or doc.text.endswith("\n"):
            return Edit(Range(Pos(n, 0), Pos(n + 1, 0)), "")
        # the last line, without a line break of its own: take the one before it instead of
        # pointing past the end of the file
        return Edit(Range(Pos(n - 1, len(doc.lines[n - 1])), Pos(n, len(doc.lines[n]))), "")
