from layerlint.model import PLATFORM_ARGS
from layerlint.rule import Rule, register
from layerlint.shell import commands

from ._stage_analysis import assigned_names, lineage, maybe_image_env, shell_refs


@register
class OnbuildRunUndeclaredArg(Rule):
    """`ONBUILD RUN` uses a build argument that no earlier ONBUILD ARG or ENV declares.

    A trigger runs in the child build, right after the child's FROM: its shell
    sees the image's ENV values and what earlier triggers declared, nothing
    else. The ARGs of this file are gone (ARG values are not stored in the
    image), and the child's build args, including BuildKit's platform ARGs
    (`TARGETARCH`, ...), reach the trigger only through an `ONBUILD ARG NAME`
    declared before it; the child cannot declare them itself in time.

    Reported on the first reference to each name in each `ONBUILD RUN` (shell
    form, POSIX shell) when the name is declared with ARG in this file (or is
    an automatic platform ARG) and is not set by an ENV of the stage (or of an
    earlier stage it is built on), by an earlier `ONBUILD ARG` or `ONBUILD
    ENV` of the stage, or by the script itself; references that handle an
    unset value (`${NAME:-x}`) and names the base image may set are skipped.
    Stages that a later stage of the same file is built on are not checked:
    BuildKit passes a stage's ARGs on to such an in-file child, so the
    triggers do see them there.

    ## Why is this bad?
    `ONBUILD RUN npm run build -- --mode=$BUILD_MODE` builds every child with
    an empty mode, even when the child is built with `--build-arg
    BUILD_MODE=production`, and nothing reports it.

    ## Example
    ```dockerfile
    FROM node:22-alpine
    ARG BUILD_MODE=production
    WORKDIR /app
    ONBUILD COPY package.json package-lock.json ./
    ONBUILD RUN npm ci && npm run build -- --mode=$BUILD_MODE
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-alpine
    WORKDIR /app
    ONBUILD ARG BUILD_MODE=production
    ONBUILD COPY package.json package-lock.json ./
    ONBUILD RUN npm ci && npm run build -- --mode=$BUILD_MODE
    ```
    """

    code = "LL6003"
    name = "onbuild-run-undeclared-arg"
    groups = ("onbuild", "variables")
    severity = "info"
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        onbuild = ins.parent
        if onbuild is None or ins.json:
            return
        model = ctx.model
        stage = ctx.stage_of(ins)
        if stage is None or any(s.parent is stage for s in model.stages):
            return  # an in-file child inherits the stage's ARGs (BuildKit copies them with the state)
        script = commands(ins, model)
        if script is None:
            return
        refs = shell_refs(script)
        if not refs:
            return
        chain = lineage(stage, model)
        file_args = set(model.global_args)
        env: set[str] = set()
        for s in chain:
            file_args |= set(s.args)
            env |= set(s.env)
        declared: set[str] = set()
        for i in stage.instructions:
            if i is onbuild:
                break
            t = i.trigger
            if i.keyword == "ONBUILD" and t is not None and t.keyword in ("ARG", "ENV"):
                declared |= {p.key.text for p in t.pairs}
        assigned = assigned_names(script)
        seen: set[str] = set()
        for ref in refs:
            name = ref.name
            if ref.guarded or name in seen or name in env or name in declared or name in assigned:
                continue
            if name not in file_args and name not in PLATFORM_ARGS:
                continue
            if maybe_image_env(name, stage, model):
                continue
            seen.add(name)
            ctx.report(self, ref.range,
                       f"`${name}` is empty when this trigger runs: ONBUILD RUN executes in the child build right "
                       f"after its FROM, where this file's ARGs do not exist and the child's build args are visible "
                       f"only through an `ONBUILD ARG {name}` declared before it")
