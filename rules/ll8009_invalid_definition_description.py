import re

from layerlint.rule import Rule, register
from layerlint.patterns import lazy_pattern

# comments that are instructions to tools, never descriptions
_PRAGMA = lazy_pattern(r"^(?:check\s*=|syntax\s*=|escape\s*=|hadolint\b|layerlint\s*:|noqa\b)", re.I)


@register
class InvalidDefinitionDescription(Rule):
    """The comment right above a FROM ... AS or an ARG does not start with its name.

    This is BuildKit's experimental `InvalidDefinitionDescription` check (it
    runs only with `# check=experimental=InvalidDefinitionDescription`, so the
    rule is off by default here too). For a FROM with a stage name and for an
    ARG (global or in a stage), the last line of the comment block directly
    above is taken as a description; it must begin with the stage name (as
    BuildKit stores it, lower-cased) or with one of the ARG's names. The
    finding points at that comment line. A blank line or an empty `#` line
    between the comment and the instruction ends the block, as BuildKit's
    documentation describes, and comments that are tool directives
    (`# check=...`, `# hadolint ...`, `# layerlint: ...`) are not taken as
    descriptions.

    ## Why is this bad?
    `docker buildx build --call=outline` and `--call=targets` show the comment
    directly above a stage or ARG as its description when it begins with the
    name; an unrelated comment there is silently dropped, and a description
    whose first word is misspelt is lost.

    ## Example
    ```dockerfile
    # the Go toolchain used to compile
    FROM golang:1.23 AS build
    ```

    ## Use instead
    ```dockerfile
    # build compiles the server with the Go toolchain
    FROM golang:1.23 AS build
    ```
    """

    code = "LL8009"
    name = "invalid-definition-description"
    groups = ("style",)
    severity = "info"
    aliases = ("InvalidDefinitionDescription",)
    enabled_by_default = False
    visits = ("FROM", "ARG")

    def check(self, ins, ctx):
        if not ins.comments:
            return
        if ins.keyword == "FROM":
            stage = ctx.model.stage_of.get(id(ins))
            if stage is None or not stage.name:
                return
            names = [stage.name]
        else:
            names = [p.key.text for p in ins.pairs]
        if not names:
            return
        comment = ins.comments[-1]
        if not comment.text or _PRAGMA.match(comment.text):
            return
        if comment.text.split(" ")[0] in names:
            return
        example = names[0] if len(names) == 1 else "<arg_key>"
        ctx.report(self, comment.range,
                   f"Comment for {ins.keyword} should follow the format: `# {example} <description>`: "
                   f"`--call=outline` and `--call=targets` only use a comment that starts with the name")
