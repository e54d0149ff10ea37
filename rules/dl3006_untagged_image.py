from layerlint.rule import Rule, register


@register
class UntaggedImage(Rule):
    """FROM names an image without a tag or digest.

    `scratch`, earlier stage names and images given entirely by a variable are
    exempt, as in hadolint. An image whose tag comes from a global ARG
    (`FROM debian:${VERSION}`) counts as tagged.

    Difference from hadolint: no image reference containing a variable is
    reported. `FROM build-${TARGETARCH}` is BuildKit's stage-selection pattern
    (it names a stage, decided at build time), which hadolint reports as an
    untagged image.

    ## Why is this bad?
    Without a tag Docker pulls `latest`, which moves: the same Dockerfile builds
    different images from one day to the next.

    ## Example
    ```dockerfile
    FROM debian
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    ```
    """

    code = "DL3006"
    name = "untagged-image"
    groups = ("stages",)
    severity = "warning"
    visits = ("FROM",)

    def check(self, ins, ctx):
        stage = ctx.model.stage_of.get(id(ins))
        if stage is None or not ins.words:
            return
        image = stage.image
        if image.is_scratch or stage.parent is not None or image.text.startswith("$"):
            return
        if image.tag is None and image.digest is None and "$" not in image.text:
            word = ins.words[0]
            ctx.report(self, word.range, f"Always tag the version of an image explicitly: `{image.text}` has no tag")
