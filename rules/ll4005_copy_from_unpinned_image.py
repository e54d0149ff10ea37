from layerlint.ast import Pos, Range
from layerlint.model import ImageRef
from layerlint.rule import Rule, register
from layerlint.rules._stage_sources import stage_named


@register
class CopyFromUnpinnedImage(Rule):
    """`COPY --from` names an image without a tag, or with the `latest` tag.

    DL3006 and DL3007 for the images of `COPY --from`: reports a `--from`
    value that is an image reference (it contains `:`, `@` or `/`, and is not
    the name or number of a stage) with no tag, or with the tag `latest`,
    and no digest. A bare name (`--from=busybox`) is left to DL3022, which
    reports it as an undefined stage. A `--from` with variables is left to
    LL1002 (BuildKit refuses it). ONBUILD triggers are checked too. The
    finding points at the tag when there is one, else at the image.

    ## Why is this bad?
    An image without a tag is pulled as `latest`, and `latest` moves: the
    files copied change whenever a new image is pushed, so the same
    Dockerfile builds different images from one day to the next, and an
    upstream release can break the build without any change here.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    COPY --from=docker.io/bitnami/kubectl:latest /opt/bitnami/kubectl/bin/kubectl /usr/local/bin/
    COPY --from=ghcr.io/astral-sh/uv /uv /usr/local/bin/
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    COPY --from=docker.io/bitnami/kubectl:1.31.2 /opt/bitnami/kubectl/bin/kubectl /usr/local/bin/
    COPY --from=ghcr.io/astral-sh/uv:0.5.4 /uv /usr/local/bin/
    ```
    """

    code = "LL4005"
    name = "copy-from-unpinned-image"
    groups = ("copy", "stages")
    severity = "warning"
    visits = ("COPY",)
    onbuild = True

    def check(self, ins, ctx):
        flag = ins.flag("from")
        if flag is None or not flag.value or flag.value_range is None:
            return
        value = flag.value.strip()
        if "$" in value or not any(c in value for c in ":@/") or stage_named(ctx.model, value) is not None:
            return
        image = ImageRef.parse(value)
        if image.digest is not None or image.is_scratch or not image.repository:
            return
        rng = flag.value_range
        if image.tag is None:
            ctx.report(self, rng, f"`--from={value}` has no tag, so the builder pulls `latest`, which moves: the "
                                  f"files copied change whenever a new image is pushed; pin a version tag or a digest")
            return
        if image.tag != "latest":
            return
        raw = ctx.text(rng)
        colon = raw.rfind(":")
        if raw == value and rng.start.line == rng.end.line and raw[colon + 1:] == "latest":
            start = rng.start.column + colon + 1
            rng = Range(Pos(rng.start.line, start), Pos(rng.start.line, start + len("latest")))
        ctx.report(self, rng, f"`--from={value}` uses the `latest` tag, which moves: the files copied change "
                              f"whenever a new image is pushed; pin `{value[:value.rfind(':')]}` to a version tag "
                              f"or a digest")
