from layerlint.rule import Rule, register
from layerlint.shellwords import Lex, ShellLexError
from layerlint.patterns import lazy_pattern

_WINDOWS_ABSOLUTE = lazy_pattern(r"^[A-Za-z]:[\\/]")


@register
class CopyRelativeWithoutWorkdir(Rule):
    """COPY to a relative destination while no WORKDIR is set.

    A COPY whose destination does not start with `/` (or a Windows drive such
    as `c:\\` or `c:/`) is reported, on the destination, when no WORKDIR was set
    earlier in the stage or in the stages it is built on (`FROM <stage>`).
    Destinations that start with a variable are skipped unless the variable's
    value is known. `ONBUILD COPY` is not checked, as in hadolint.

    Differences from hadolint: stages are told apart by their position, not by
    image name, so a WORKDIR in an unrelated earlier `FROM debian:12` stage
    does not exempt a later stage `FROM debian:12`; a destination given by a
    variable with a known value (`ENV APP=/app` then `COPY . $APP`) is judged
    by that value.

    ## Why is this bad?
    A relative destination is resolved against the working directory, which
    then comes from the base image and may change when the base image does.
    Setting WORKDIR (or using an absolute path) makes the destination explicit.

    ## Example
    ```dockerfile
    FROM node:22-slim
    COPY package.json .
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-slim
    WORKDIR /app
    COPY package.json .
    ```
    """

    code = "DL3045"
    name = "copy-relative-without-workdir"
    groups = ("copy",)
    severity = "warning"
    visits = ("COPY",)

    def check(self, ins, ctx):
        if ins.parent is not None or ctx.stage is None or len(ins.words) < 2:
            return
        if ctx.model.workdir_at.get(id(ins)):
            return
        word = ins.words[-1]
        dest = ins.value[-1] if len(ins.value) == len(ins.words) else word.text
        if not ins.json:
            dest = dest.lstrip("\"'")
        if dest.startswith("$"):
            lex = Lex(ctx.dockerfile.escape)
            scope = ctx.model.scope_at.get(id(ins))
            try:
                dest = lex.process_word(ins.value[-1], scope.values() if scope else {})
            except ShellLexError:
                return
            if lex.unset:
                return
        if dest.startswith("/") or _WINDOWS_ABSOLUTE.match(dest):
            return
        ctx.report(self, word.range, f"`COPY` to a relative destination without `WORKDIR` set: `{word.text}`")
