from layerlint.rule import Edit, Fix, Rule, register


@register
class StageNameCasing(Rule):
    """A stage name (`FROM ... AS Name`) has upper-case letters.

    This is BuildKit's `StageNameCasing` check: any upper-case letter in the
    word after `AS` is reported, on that word. Stages are found in the whole
    file; a FROM that is not `FROM image AS name` is not checked.

    ## Why is this bad?
    BuildKit lower-cases stage names: `AS Builder` defines a stage called
    `builder`. `COPY --from` and `--target` compare case-insensitively, but a
    later `FROM Builder` does not find the stage and tries to pull an image
    named `Builder` instead, which fails. Writing names in lower case avoids the
    confusion.

    ## Example
    ```dockerfile
    FROM golang:1.23 AS Builder
    RUN go build -o /out/app .
    FROM scratch
    COPY --from=Builder /out/app /app
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.23 AS builder
    RUN go build -o /out/app .
    FROM scratch
    COPY --from=builder /out/app /app
    ```

    ## Fix
    Lower-cases the name after `AS`. Safe: BuildKit stores the lower-cased
    name either way. References elsewhere are left as they are (`--from` and
    `--target` ignore case).
    """

    code = "LL8001"
    name = "stage-name-casing"
    groups = ("stages", "style")
    severity = "style"
    aliases = ("StageNameCasing",)
    fixable = "always"
    visits = ("FROM",)

    def check(self, ins, ctx):
        if len(ins.words) != 3 or ins.value[1].lower() != "as":
            return
        word = ins.words[2]
        if word.text == word.text.lower():
            return
        low = word.text.lower()
        ctx.report(self, word.range,
                   f"Stage name '{word.text}' should be lowercase: BuildKit stores it as `{low}`, "
                   f"so a later `FROM {word.text}` would not find the stage",
                   fix=Fix((Edit(word.range, low),), safe=True, title="Lower-case the stage name"))
