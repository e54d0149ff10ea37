from layerlint.rule import Edit, Fix, Rule, register


@register
class FromAsCasing(Rule):
    """The `AS` of a FROM is not cased like its `FROM` keyword.

    This is BuildKit's `FromAsCasing` check: when `FROM` is written all in lower
    case, `as` must be lower case too, and when it is all upper case, `AS` must
    be upper case. A mixed-case keyword such as `From` is left to
    ConsistentInstructionCasing (LL8003). The finding points at the `AS` word.

    ## Why is this bad?
    BuildKit reads `AS` in any case, so nothing breaks; but `FROM image as name`
    mixes two styles in one line and makes the stage name harder to spot.

    ## Example
    ```dockerfile
    FROM golang:1.23 as build
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.23 AS build
    ```

    ## Fix
    Rewrites `AS` in the case of `FROM`. Safe: the keyword's case has no
    effect on the build.
    """

    code = "LL8002"
    name = "from-as-casing"
    groups = ("style",)
    severity = "style"
    aliases = ("FromAsCasing",)
    fixable = "always"
    visits = ("FROM",)

    def check(self, ins, ctx):
        if len(ins.words) < 3 or ins.words[1].text.lower() != "as":  # `FROM a b c` is LL1003's
            return
        keyword = ins.instruction
        as_word = ins.words[1]
        if keyword == keyword.lower():
            wanted = as_word.text.lower()
        elif keyword == keyword.upper():
            wanted = as_word.text.upper()
        else:
            return
        if as_word.text == wanted:
            return
        ctx.report(self, as_word.range,
                   f"'{as_word.text}' and '{keyword}' keywords' casing do not match: BuildKit accepts "
                   f"either, but the line mixes two styles",
                   fix=Fix((Edit(as_word.range, wanted),), safe=True, title=f"Write `{wanted}`"))
