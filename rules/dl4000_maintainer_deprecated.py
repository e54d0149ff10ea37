from layerlint.rule import Edit, Fix, Rule, register

AUTHORS_LABEL = "org.opencontainers.image.authors"


def _quote(value: str, escape: str) -> str:
    out = []
    for ch in value:
        if ch in ('"', "$", escape):
            out.append(escape)
        out.append(ch)
    return '"' + "".join(out) + '"'


@register
class MaintainerDeprecated(Rule):
    """MAINTAINER is used.

    The finding points at the MAINTAINER keyword and carries the `deprecated`
    tag. `ONBUILD MAINTAINER` is not allowed at all; DL3043 reports it.

    ## Why is this bad?
    MAINTAINER has been deprecated since Docker 1.13; it only sets the image's
    `Author` field, which hardly any tool reads. The OCI label
    `org.opencontainers.image.authors` is the standard place for this.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    MAINTAINER Jane Doe <jane@example.com>
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    ```

    ## Fix
    Replaces the instruction with `LABEL org.opencontainers.image.authors="..."`
    holding the same text, with `"`, `$` and the escape character escaped
    (MAINTAINER does not expand variables, LABEL does). Safe: the build runs the
    same steps; only the image metadata moves from the deprecated `Author` field
    to the label.
    """

    code = "DL4000"
    name = "maintainer-deprecated"
    groups = ("style",)
    severity = "error"
    aliases = ("MaintainerDeprecated",)
    tags = ("deprecated",)
    fixable = "always"
    visits = ("MAINTAINER",)

    def check(self, ins, ctx):
        value = ins.value[0] if ins.value else ""
        keyword = "label" if ins.instruction.islower() else "LABEL"
        new = f"{keyword} {AUTHORS_LABEL}={_quote(value, ctx.dockerfile.escape)}"
        fix = Fix((Edit(ins.range, new),), safe=True, title=f"Replace MAINTAINER with LABEL {AUTHORS_LABEL}")
        ctx.report(self, ins.keyword_range, "MAINTAINER is deprecated: use a LABEL instead", fix=fix)
