import os

from layerlint import inputs
from layerlint.rule import Rule, register
from layerlint.rules._build_context import (context_dir, context_sources, find_dockerignore, is_context_root,
                                         repository_root)


def _has_ignore_file(ctx) -> bool | None:
    """Whether an ignore file may apply to the build; None when the context is unknown."""
    cache = ctx.model.shell_cache
    key = ("any-dockerignore",)
    if key not in cache:
        directory = context_dir(ctx)
        if directory is None:
            cache[key] = None
        else:
            found = find_dockerignore(directory, ctx.path) is not None
            root = repository_root(directory) if not found else None
            d = directory
            while not found and root is not None and d != root:
                # a Dockerfile in a sub-directory is often built with a parent as the context
                d = os.path.dirname(d)
                found = inputs.isfile(os.path.join(d, ".dockerignore"))
            cache[key] = found
    return cache[key]


@register
class WholeContextWithoutDockerignore(Rule):
    """COPY or ADD copies the whole build context, and there is no `.dockerignore`.

    Reports `COPY . .`, `COPY ./ /app/`, `ADD . /src` and `COPY * ./` (any
    source naming the context root, or `*`) when neither
    `<Dockerfile name>.dockerignore` nor `.dockerignore` lies next to the
    linted Dockerfile. A Dockerfile in a sub-directory of a Git repository is
    often built with a parent directory as the context, so a `.dockerignore`
    in any directory up to the repository root silences the rule too.
    `COPY --from` does not read the context and is not checked; nor is input
    from stdin, whose context is unknown, nor ONBUILD triggers, which copy
    from the context of a later build.

    ## Why is this bad?
    Without an ignore file the client sends the whole directory to the builder
    and the COPY puts all of it into the layer: the `.git` history, local
    build output and dependency directories (`node_modules`, `target/`,
    `.venv`), editor files and secrets such as `.env` files or keys. The image
    grows, secrets ship with it, and every unrelated file change invalidates
    the layer cache.

    ## Example
    ```dockerfile
    FROM node:22-alpine
    WORKDIR /app
    COPY . .
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-alpine
    WORKDIR /app
    COPY package.json package-lock.json ./
    COPY src/ ./src/
    ```
    """

    code = "LL4002"
    name = "whole-context-without-dockerignore"
    groups = ("copy", "security")
    severity = "info"
    visits = ("COPY", "ADD")

    def check(self, ins, ctx):
        for src in context_sources(ins, ctx):
            value = src.value
            if not value or not (is_context_root(value) or value in ("*", "./*", "/*")):
                continue
            if _has_ignore_file(ctx) is not False:
                return
            ctx.report(self, src.word.range,
                       f"there is no .dockerignore, so `{src.text}` sends the whole directory (including .git, "
                       f"local build output and secret files) to the builder and {ins.keyword} puts it all into "
                       f"this layer")
            return
