from layerlint.rule import Rule, register
from layerlint.shellwords import Lex, ShellLexError


@register
class CopyMultipleSourcesDestinationWithoutSlash(Rule):
    """COPY with several sources has a destination that does not end in `/`.

    Counts the sources in both forms (`COPY a b /dst/`, `COPY ["a", "b", "/dst/"]`),
    heredoc sources included. Surrounding quotes are ignored. Unlike hadolint, a
    destination given by a variable passes when the variable's known value ends
    in `/` (`ENV DEST=/app/` then `COPY a b $DEST`). The finding points at the
    destination.

    ## Why is this bad?
    With more than one source, the destination must be a directory, and BuildKit
    only treats it as one when it ends in `/`: otherwise the build fails with
    "When using COPY with more than one source file, the destination must be a
    directory and end with a /".

    ## Example
    ```dockerfile
    FROM node:22-alpine
    COPY package.json package-lock.json /app
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-alpine
    COPY package.json package-lock.json /app/
    ```
    """

    code = "DL3021"
    name = "copy-multiple-sources-destination-without-slash"
    groups = ("copy",)
    severity = "error"
    visits = ("COPY",)

    def check(self, ins, ctx):
        if len(ins.value) < 3 or len(ins.words) != len(ins.value):
            return
        dest = ins.value[-1]
        if dest.strip("\"'").endswith("/"):
            return
        if not ins.json or "$" in dest:
            scope = ctx.model.scope_at.get(id(ins))
            try:
                if Lex(ctx.dockerfile.escape).process_word(dest, scope.values() if scope else {}).endswith("/"):
                    return
            except ShellLexError:
                pass
        ctx.report(self, ins.words[-1].range,
                   f"COPY with more than 2 arguments requires the last argument to end with /: `{dest}`")
