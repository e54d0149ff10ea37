from layerlint.rule import Rule, register
from layerlint.rules._image_config import ancestry_known, image_configs
from layerlint.rules._stage_sources import from_range, stage_chain


@register
class ImageWithoutCommand(Rule):
    """The final image sets neither CMD nor ENTRYPOINT and inherits none.

    Checked only for the last stage of the file, and only when everything it is
    built on is known: it is `FROM scratch`, or built on earlier stages of the
    file that go back to `FROM scratch` (a base image from a registry usually
    has its own CMD, which is not known here). Reported on the stage's FROM
    when no stage of that chain has a CMD or ENTRYPOINT but one of them
    configures a running container: EXPOSE, HEALTHCHECK or STOPSIGNAL. Without
    such a sign the image is taken for an export stage (`--output`), a base
    image for others to build on, or a file carrier, which need no command (on
    the development corpus every scratch image without one was of that kind).
    `CMD []` and
    `ENTRYPOINT []` are LL3008's. A parent stage with `ONBUILD CMD` or
    `ONBUILD ENTRYPOINT` makes the result unknown, so it is skipped.

    The message explains the mechanism: the image config has no command, so
    `docker run` refuses to create the container ("no command specified")
    unless one is given on the command line.

    ## Why is this bad?
    A `scratch` image starts with an empty config; if the Dockerfile does not
    add an ENTRYPOINT or CMD, every `docker run` and every orchestrator has to
    spell out the binary to run, and a plain `docker run image` fails.
    (Stages that only collect files for `--output` or `COPY --from` do not run;
    give them a CMD anyway or place a runnable stage last.)

    ## Example
    ```dockerfile
    FROM golang:1.23 AS build
    RUN CGO_ENABLED=0 go build -o /server ./cmd/server

    FROM scratch
    COPY --from=build /server /server
    EXPOSE 8080
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.23 AS build
    RUN CGO_ENABLED=0 go build -o /server ./cmd/server

    FROM scratch
    COPY --from=build /server /server
    EXPOSE 8080
    ENTRYPOINT ["/server"]
    ```
    """

    code = "LL3005"
    name = "image-without-command"
    groups = ("entrypoint",)
    severity = "warning"

    def file_end(self, ctx):
        if not ctx.model.stages:
            return
        final = ctx.model.stages[-1]
        if not ancestry_known(final):
            return
        cfg = image_configs(ctx.model)[id(final)]
        if not (cfg.entrypoint.is_empty and cfg.cmd.is_empty):
            return
        keywords = {ins.keyword for s in stage_chain(final) for ins in s.instructions}
        if keywords & {"CMD", "ENTRYPOINT"}:
            return  # an explicit `[]`: LL3008
        if not keywords & {"EXPOSE", "HEALTHCHECK", "STOPSIGNAL"}:
            return  # an export stage, a base image, a file carrier
        ctx.report(self, from_range(final),
                   "No stage of this image sets CMD or ENTRYPOINT and `scratch` has none, so the image has no "
                   "command and `docker run` fails with \"no command specified\" unless one is given")
