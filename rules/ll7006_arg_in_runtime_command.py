from layerlint.model import PLATFORM_ARGS
from layerlint.rule import Rule, register

from ._stage_analysis import assigned_names, command_script, lineage, maybe_image_env, shell_refs


@register
class ArgInRuntimeCommand(Rule):
    """A shell-form CMD or ENTRYPOINT uses a build ARG, which does not exist when the container runs.

    The command text of a shell-form CMD or ENTRYPOINT is expanded by
    `/bin/sh -c` when the container starts, from the container's environment:
    the image's ENV values and what `docker run -e` passes. ARG values (global
    or of the stage, and BuildKit's platform ARGs) exist only during the
    build; they are not stored in the image.

    Reported on the first reference to each such name in each CMD or
    ENTRYPOINT (POSIX shell), unless an ENV of the stage, of an earlier stage
    it is built on, or of a later stage built on it sets the name, the command
    sets it itself, the reference handles an unset value (`${PORT:-8080}`), or
    the base image may define it (its FROM line uses the name, or it is an
    environment variable official images set). Exec form is not expanded at
    all and is not checked here.

    ## Why is this bad?
    `ARG PORT=8080` followed by `CMD gunicorn -b 0.0.0.0:$PORT app:app`
    starts gunicorn with `-b 0.0.0.0:` in every container: the value was
    only ever visible to the build's own RUN instructions.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    ARG PORT=8080
    CMD gunicorn -b 0.0.0.0:$PORT app:app
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    ARG PORT=8080
    ENV PORT=$PORT
    CMD gunicorn -b 0.0.0.0:$PORT app:app
    ```
    """

    code = "LL7006"
    name = "arg-in-runtime-command"
    groups = ("variables", "entrypoint")
    severity = "warning"
    visits = ("CMD", "ENTRYPOINT")

    def check(self, ins, ctx):
        stage = ctx.stage
        if ins.parent is not None or stage is None or ins.json:
            return
        model = ctx.model
        script = command_script(ins, model)
        if script is None:
            return
        refs = shell_refs(script)
        if not refs:
            return
        chain = lineage(stage, model)
        args = set(model.global_args) | set(PLATFORM_ARGS)
        env = set(stage.env)
        for s in chain:
            args |= set(s.args)
            env |= set(s.env)
        for s in model.stages[stage.index + 1:]:
            if stage in lineage(s, model):
                env |= set(s.env)
        assigned = assigned_names(script)
        seen: set[str] = set()
        for ref in refs:
            name = ref.name
            if ref.guarded or name in seen or name not in args or name in env or name in assigned:
                continue
            if maybe_image_env(name, stage, model):
                continue
            seen.add(name)
            ctx.report(self, ref.range,
                       f"`${name}` is expanded when the container starts, and `{name}` is a build ARG: ARG values "
                       f"exist only during the build and are not stored in the image, so the shell finds no such "
                       f"variable unless `ENV {name}=${name}` keeps it")
