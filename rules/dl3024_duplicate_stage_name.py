from layerlint.rule import Rule, register


@register
class DuplicateStageName(Rule):
    """Two stages have the same name.

    Stage names are compared case-insensitively, as BuildKit lower-cases them.
    Every repeated name is reported on its alias word, naming the line of the
    first stage that used it.

    ## Why is this bad?
    BuildKit refuses the Dockerfile ("duplicate stage name"); with older
    builders `COPY --from` and `--target` silently picked one of the stages.

    ## Example
    ```dockerfile
    FROM golang:1.23 AS build
    FROM node:22 AS build
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.23 AS build-api
    FROM node:22 AS build-web
    ```
    """

    code = "DL3024"
    name = "duplicate-stage-name"
    groups = ("stages",)
    severity = "error"
    aliases = ("DuplicateStageName",)
    visits = ("FROM",)

    def check(self, ins, ctx):
        stage = ctx.model.stage_of.get(id(ins))
        if stage is None or stage.name is None or stage.name_word is None:
            return
        first = next((s for s in ctx.model.stages[:stage.index] if s.name == stage.name), None)
        if first is not None:
            ctx.report(self, stage.name_word.range,
                       f"FROM aliases (stage names) must be unique: `{stage.name_word.text}` is already the name "
                       f"of the stage on line {first.from_.start_line}")
