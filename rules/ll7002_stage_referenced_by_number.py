from layerlint.rule import Edit, Fix, Rule, register


@register
class StageReferencedByNumber(Rule):
    """`COPY --from=<number>` picks a stage by its position in the file.

    Reported on the number when it names an earlier stage (a later stage or
    the current one is DL3022's and DL3023's business). When that stage has a
    name (`FROM ... AS build`), the message and the fix use it; otherwise the
    message suggests naming the stage. `RUN --mount from=<number>` and
    `FROM <number>` do not select stages at all (BuildKit resolves only names
    there); LL7003 reports those.

    ## Why is this bad?
    BuildKit counts stages from 0 in file order. Adding, removing or
    reordering a FROM shifts the numbers, and `--from=1` then silently copies
    from another stage, often one that has a file at the same path, so the
    build still succeeds with the wrong content. A name states which stage is
    meant and survives reordering.

    ## Example
    ```dockerfile
    FROM golang:1.23 AS build
    RUN go build -o /out/app .

    FROM alpine:3.20
    COPY --from=0 /out/app /usr/local/bin/app
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.23 AS build
    RUN go build -o /out/app .

    FROM alpine:3.20
    COPY --from=build /out/app /usr/local/bin/app
    ```

    ## Fix
    Replaces the number by the stage's name, as written in its `AS` clause,
    when the stage has one and no other stage has the same name. This is safe:
    BuildKit resolves both to the same stage.
    """

    code = "LL7002"
    name = "stage-referenced-by-number"
    groups = ("stages", "copy")
    severity = "info"
    fixable = "sometimes"
    visits = ("COPY",)

    def check(self, ins, ctx):
        if ins.parent is not None or ctx.stage is None:
            return
        flag = ins.flag("from")
        if flag is None or not flag.value or flag.value_range is None or not flag.value.isdigit():
            return
        index = int(flag.value)
        if index >= ctx.stage.index:
            return
        target = ctx.model.stages[index]
        if target.name:
            shown = target.name_word.text if target.name_word is not None else target.name
            same = [s for s in ctx.model.stages if s.name == target.name]
            fix = None
            if len(same) == 1 and target.name_word is not None:
                fix = Fix((Edit(flag.value_range, target.name_word.text),), safe=True,
                          title=f"Refer to the stage by its name `{target.name_word.text}`")
            ctx.report(self, flag.value_range,
                       f"`--from={flag.value}` selects stage `{shown}` by its position: BuildKit counts stages "
                       f"in file order, so adding or moving a FROM makes it copy from another stage; use "
                       f"`--from={shown}`", fix=fix)
        else:
            ctx.report(self, flag.value_range,
                       f"`--from={flag.value}` selects an unnamed stage (line {target.from_.start_line}) by its "
                       f"position: BuildKit counts stages in file order, so adding or moving a FROM makes it copy "
                       f"from another stage; name the stage (`FROM ... AS <name>`) and use that name")
