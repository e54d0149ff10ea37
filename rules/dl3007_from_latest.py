from layerlint.ast import Pos, Range
from layerlint.rule import Rule, register


@register
class FromLatest(Rule):
    """FROM uses the `latest` tag without a digest.

    `FROM image:latest@sha256:...` is fine: the digest pins the image. Unlike
    hadolint, a tag that comes from a global ARG whose default is `latest`
    (`FROM node:${NODE_VERSION}` with `ARG NODE_VERSION=latest`) is reported too,
    since that is what a build without `--build-arg` pulls. Images given
    entirely by a variable are not checked. The finding points at the tag when
    it is written literally, otherwise at the image.

    ## Why is this bad?
    `latest` moves: the same Dockerfile builds a different image whenever a new
    release is pushed, and an upgrade can break the build or the application
    without any change to the Dockerfile.

    ## Example
    ```dockerfile
    FROM node:latest
    ```

    ## Use instead
    ```dockerfile
    FROM node:22.11-alpine3.20
    ```
    """

    code = "DL3007"
    name = "from-latest"
    groups = ("stages",)
    severity = "warning"
    visits = ("FROM",)

    def check(self, ins, ctx):
        stage = ctx.model.stage_of.get(id(ins))
        if stage is None or not ins.words:
            return
        image = stage.image
        if image.tag != "latest" or image.digest is not None or image.text.startswith("$"):
            return
        word = ins.words[0]
        rng = word.range
        text = word.text
        ref = text.split("@", 1)[0]
        colon = ref.rfind(":")
        if (word.range.start.line == word.range.end.line and colon > ref.rfind("/")
                and ref[colon + 1:] == "latest"):
            start = word.range.start.column + colon + 1
            rng = Range(Pos(word.range.start.line, start), Pos(word.range.start.line, start + len("latest")))
            msg = f"Using latest is prone to errors if the image will ever update: pin `{ref[:colon]}` to a version"
        else:
            msg = (f"Using latest is prone to errors if the image will ever update: `{image.text}` resolves to "
                   f"`{image.resolved}`; pin a version")
        ctx.report(self, rng, msg)
