from layerlint.rule import Rule, register


def from_value(ins, ctx):
    """The `--from` flag and its value; None when absent or made of variables.

    BuildKit refuses variables in `--from` ("variable expansion is not supported
    for --from"); LL1002 reports that, so these rules skip such values.
    """
    flag = ins.flag("from")
    if flag is None or not flag.value or flag.value_range is None or "$" in flag.value:
        return flag, None
    return flag, flag.value


@register
class CopyFromUndefinedStage(Rule):
    """`COPY --from` names a stage that is not defined before it.

    Values that can only be image references (containing `:`, `@` or `/`) are
    fine, and so is the number of an earlier stage (`--from=0`). Names are
    compared case-insensitively, as BuildKit does; names listed in the
    `build-contexts` setting (`docker build --build-context NAME=...`) are
    fine; a `--from` value with
    variables is left to LL1002, since BuildKit refuses to expand it.
    Copying from the current stage is DL3023's business. hadolint compares names
    case-sensitively and does not exempt `@` or `/` references.

    ## Why is this bad?
    A name that is not a stage is pulled as an image: a typo in a stage name
    quietly copies from `docker.io/library/<typo>:latest`, or fails the build.
    Referring to a stage defined later makes the file hard to follow.

    ## Example
    ```dockerfile
    FROM golang:1.23 AS build
    RUN go build -o /out/app .

    FROM alpine:3.20
    COPY --from=builder /out/app /usr/local/bin/app
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.23 AS build
    RUN go build -o /out/app .

    FROM alpine:3.20
    COPY --from=build /out/app /usr/local/bin/app
    ```
    """

    code = "DL3022"
    name = "copy-from-undefined-stage"
    groups = ("copy", "stages")
    severity = "warning"
    visits = ("COPY",)

    def check(self, ins, ctx):
        flag, value = from_value(ins, ctx)
        if value is None:
            return
        index = ctx.stage.index if ctx.stage is not None else -1  # before any FROM, no stage exists
        if any(c in value for c in ":@/") or value in ctx.config.build_contexts:
            return  # an image, or a named build context (`docker build --build-context NAME=...`)
        if value.isdigit():
            if int(value) <= index:
                return
            ctx.report(self, flag.value_range,
                       f"COPY --from should reference a previously defined FROM alias: there is no stage {value} "
                       f"before this one")
            return
        low = value.lower()
        if any(s.name == low for s in ctx.model.stages[:index + 1]):
            return
        later = next((s for s in ctx.model.stages[index + 1:] if s.name == low), None)
        detail = f" (it is defined later, on line {later.from_.start_line})" if later else ""
        ctx.report(self, flag.value_range,
                   f"COPY --from should reference a previously defined FROM alias: `{value}`{detail}")
