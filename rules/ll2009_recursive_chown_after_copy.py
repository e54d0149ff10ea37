from layerlint.rule import Rule, register
from layerlint.rules._copied_paths import absolute, copied_destinations, overlaps
from layerlint.shell import programs


@register
class RecursiveChownAfterCopy(Rule):
    """`RUN chown -R` / `chmod -R` on files that an earlier COPY or ADD of the stage put there.

    Reported on the `chown`/`chmod` word when a target of the recursive change is
    a COPY/ADD destination of the same stage, or contains it, or lies inside it
    (paths resolved against WORKDIR; targets with variables are skipped).

    ## Why is this bad?
    Changing owner or mode rewrites every affected file into the RUN's new layer:
    the files are stored twice and the image grows by their whole size.
    `COPY --chown=user:group` and `COPY --chmod=mode` set them in the same layer.

    ## Example
    ```dockerfile
    FROM node:22.4.1-alpine3.20
    WORKDIR /app
    COPY . .
    RUN chown -R node:node /app
    USER node
    ```

    ## Use instead
    ```dockerfile
    FROM node:22.4.1-alpine3.20
    WORKDIR /app
    COPY --chown=node:node . .
    USER node
    ```
    """

    code = "LL2009"
    name = "recursive-chown-after-copy"
    groups = ("cache", "copy")
    severity = "warning"
    visits = ("COPY", "ADD", "RUN")

    def check(self, ins, ctx):
        if ctx.stage is None:
            return
        dests = copied_destinations(self, ins, ctx)
        if ins.keyword != "RUN":
            return
        workdir = ctx.model.workdir_at.get(id(ins))
        for program in programs(ins, ctx.model) or ():
            if program.basename not in ("chown", "chmod") or not (
                    program.has_short_flag("R") or program.has_long_flag("--recursive")):
                continue
            operands = program.positional[1:]  # after the owner or mode
            for word in operands:
                target = absolute(word.value, workdir)
                if target is not None and any(overlaps(target, d) for d in dests):
                    flag = "--chown" if program.basename == "chown" else "--chmod"
                    ctx.report(self, program.name.range,
                               f"`{program.basename} -R {word.value}` rewrites every file an earlier COPY put there "
                               f"into a new layer, storing them twice; set it on the COPY with `{flag}` instead")
                    break
