from layerlint.rule import Rule, register


@register
class CopyFromOwnStage(Rule):
    """`COPY --from` names the stage the COPY is in.

    Matches the stage's alias case-insensitively, or its number (`--from=1` in
    the second stage); a `--from` with variables is left to LL1002, since
    BuildKit refuses to expand it. hadolint only compares the alias, case-sensitively.

    ## Why is this bad?
    A stage cannot copy from itself: BuildKit fails with a circular dependency
    error.

    ## Example
    ```dockerfile
    FROM golang:1.23 AS build
    COPY --from=build /src/go.mod /app/
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.23 AS build
    COPY go.mod /app/
    ```
    """

    code = "DL3023"
    name = "copy-from-own-stage"
    groups = ("copy", "stages")
    severity = "error"
    visits = ("COPY",)

    def check(self, ins, ctx):
        stage = ctx.stage
        flag = ins.flag("from")
        if stage is None or flag is None or not flag.value or flag.value_range is None:
            return
        value = flag.value
        if "$" in value:  # BuildKit refuses variables in --from; LL1002 reports it
            return
        own = (stage.name is not None and value.lower() == stage.name) or value == str(stage.index)
        if own:
            label = f"`{stage.name_word.text}`" if stage.name_word is not None else str(stage.index)
            ctx.report(self, flag.value_range, f"COPY --from cannot reference its own stage {label}")
