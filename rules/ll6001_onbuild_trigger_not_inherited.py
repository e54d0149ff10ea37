from layerlint.rule import Rule, register
from layerlint.rules._onbuild_parents import ancestors


@register
class OnbuildTriggerNotInherited(Rule):
    """A stage is built on a stage whose own parent has ONBUILD triggers: they do not run again in it.

    BuildKit runs the ONBUILD triggers of a stage in each stage built directly
    on it (`FROM parent`), at the start of that child, before the child's own
    instructions; the child's image does not keep them (its config lists only
    the child's own ONBUILD instructions). So when a stage `app` is built on
    `deps`, which is built on `base` with ONBUILD triggers, `base`'s triggers
    ran once, at the beginning of `deps`, and not in `app`.

    Reported on the image of each FROM whose chain of earlier stages has
    ONBUILD triggers two or more levels up, naming the stage that declared
    them and the one where they ran. The chain follows images the project
    builds itself into their Dockerfiles (the `[images]` configuration and
    Compose services with `build` and `image`, see `layerlint.images`), so a
    Dockerfile relying on the triggers of a grandparent image is reported too.
    Base images from a registry are not considered: their triggers are not
    known.

    ## Why is this bad?
    Triggers are usually written to run with the final stage's context and
    after its setup (`ONBUILD COPY . /app` then `ONBUILD RUN make`). In a
    grandchild they ran earlier, in the intermediate stage, before its own
    instructions (for example before the dependencies it installs), and the
    grandchild only gets that stage's result: the steps do not run where the
    author expected.

    ## Example
    ```dockerfile
    FROM python:3.12-slim AS base
    ONBUILD COPY . /app
    ONBUILD RUN pip install /app

    FROM base AS deps
    RUN pip install gunicorn

    FROM deps AS app
    CMD ["gunicorn", "app:app"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim AS base
    RUN pip install gunicorn

    FROM base AS app
    COPY . /app
    RUN pip install /app
    CMD ["gunicorn", "app:app"]
    ```
    """

    code = "LL6001"
    name = "onbuild-trigger-not-inherited"
    groups = ("onbuild", "stages")
    severity = "info"

    def file_end(self, ctx):
        for stage in ctx.model.stages:
            if not stage.from_.words:
                continue
            chain = ancestors(ctx, stage)
            for ran_in, declared in zip(chain, chain[1:]):
                triggers = declared.triggers
                if not triggers:
                    continue
                lines = ", ".join(str(t.start_line) for t in triggers[:3]) + (", ..." if len(triggers) > 3 else "")
                word = "line" if len(triggers) == 1 else "lines"
                where = f"{declared.file_label(ctx.path)} " if declared.image is not None else ""
                ctx.report(self, stage.from_.words[0].range,
                           f"The ONBUILD triggers of {declared.name} ({where}{word} {lines}) ran "
                           f"at the start of {ran_in.describe(ctx.path)}, before its own instructions, and do "
                           f"not run again in `{stage.label}`: BuildKit runs triggers only in the stages built "
                           f"directly on the stage that declares them")
                break
