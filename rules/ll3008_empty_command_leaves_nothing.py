from layerlint.rule import Rule, register
from layerlint.rules._image_config import image_configs, is_empty


@register
class EmptyCommandLeavesNothing(Rule):
    """`CMD []` or `ENTRYPOINT []` leaves the final image with nothing to run.

    An empty exec form only resets a value. Checked for the last stage of the
    file: when both the ENTRYPOINT and the CMD its image ends with are known to
    be empty and the last empty `CMD []` / `ENTRYPOINT []` that made them so
    cleared something (a value set earlier, or a base image's unknown one), the
    finding points at it. `FROM python` followed by `ENTRYPOINT []` qualifies
    even though the base image is unknown: ENTRYPOINT also clears the CMD
    inherited from it. A reset that clears nothing (`FROM scratch` followed by
    `ENTRYPOINT []` and `CMD []`, as LinuxKit packages write it) is taken as a
    deliberate "no command" and not reported. An `ENTRYPOINT []` that clears a
    CMD inherited from a stage in the file is LL3003's.

    The message explains the mechanism: the empty form resets the value, and
    nothing sets a command after it, so the image config has no command and
    `docker run` fails with "no command specified".

    ## Why is this bad?
    `ENTRYPOINT []` is usually written to drop a base image's entrypoint and run
    its CMD directly; but setting ENTRYPOINT clears the inherited CMD too, so
    the image runs nothing. `CMD []` after a CMD on a `scratch` image likewise
    leaves it without a command.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY app.py /app/
    ENTRYPOINT []
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    COPY app.py /app/
    ENTRYPOINT []
    CMD ["python", "/app/app.py"]
    ```
    """

    code = "LL3008"
    name = "empty-command-leaves-nothing"
    groups = ("entrypoint",)
    severity = "warning"

    def file_end(self, ctx):
        if not ctx.model.stages:
            return
        final = ctx.model.stages[-1]
        configs = image_configs(ctx.model)
        cfg = configs[id(final)]
        ep, cmd = cfg.entrypoint, cfg.cmd
        if not (ep.is_empty and cmd.is_empty):
            return
        candidates = [s.ins for s in (ep, cmd) if s.ins is not None and is_empty(s.ins)]
        reset = cmd.reset_by
        if reset is not None and is_empty(reset):
            if cmd.cleared is not None and cmd.cleared.is_set:
                return  # LL3003: it clears a CMD inherited from a stage in the file
            candidates.append(reset)
        if not candidates:
            return  # nothing written at all: LL3005
        ins = max(candidates, key=lambda i: i.range.start)
        stage = ctx.model.stage_of.get(id(ins))
        prior = configs[id(stage)].prior.get(id(ins)) if stage is not None else None
        if prior is None:
            return
        before_ep, before_cmd = prior
        if ins.keyword == "ENTRYPOINT":
            clears = not before_ep.is_empty or (ins is reset and not before_cmd.is_empty)
        else:
            clears = not before_cmd.is_empty
        if not clears:
            return  # a no-op reset (`FROM scratch` + `CMD []`): a deliberate "no command"
        if ins.keyword == "ENTRYPOINT":
            what = "`ENTRYPOINT []` empties the entrypoint and leaves the CMD empty as well"
        else:
            what = "`CMD []` empties the CMD and no ENTRYPOINT is set"
        ctx.report(self, ins.range,
                   f"{what}, so the image has nothing to run and `docker run` fails with \"no command specified\"")
