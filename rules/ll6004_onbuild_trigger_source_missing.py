import fnmatch
import os

from layerlint import inputs
from layerlint.rule import Rule, register
from layerlint.rules._build_context import (context_dir, context_relative, context_sources, dockerignore_for,
                                            escapes_root, is_remote, operands)
from layerlint.rules._onbuild_parents import parent_of

_MAGIC = frozenset("*?[")


def _exists(root: str, rel: str) -> bool:
    """Whether context path `rel` (cleaned, may hold Go `filepath.Match` wildcards) names anything
    under `root`. Unlike Python's glob, `*` matches dotfiles, as in Go."""
    dirs = [root]
    for part in rel.split("/"):
        if part in ("", "."):
            continue
        nxt = []
        for d in dirs:
            if _MAGIC.isdisjoint(part):
                if inputs.lexists(os.path.join(d, part)):
                    nxt.append(os.path.join(d, part))
                continue
            try:
                names = inputs.listdir(d)
            except OSError:
                continue
            nxt += [os.path.join(d, n) for n in names if fnmatch.fnmatchcase(n, part)]
        dirs = nxt
        if not dirs:
            return False
    return True


def _context_credible(ctx, root: str) -> bool:
    """The linted file's own COPY/ADD sources are all found in `root`: then `root` is its context.
    One missing source says the file is built with another context (`docker build -f x/Dockerfile .`),
    and nothing can be said about what the context holds."""
    for ins in ctx.dockerfile.instructions:
        if ins.keyword not in ("COPY", "ADD"):
            continue
        for src in context_sources(ins, ctx):
            if src.value is None or escapes_root(src.value):
                continue
            if not _exists(root, context_relative(src.value)):
                return False
    return True


@register
class OnbuildTriggerSourceMissing(Rule):
    """An ONBUILD `COPY`/`ADD` of the parent copies a file this build context does not have.

    The ONBUILD triggers of a stage's parent run at the start of the stage, in
    the build context of the image being built now, not the parent's. A trigger
    such as `ONBUILD COPY requirements.txt /app/` therefore needs
    `requirements.txt` in every child's context. The parent is an earlier
    stage of the same file, or an image the project builds itself: named in the
    `[images]` configuration or built by a Compose service with `image` and
    `build` (see LL6001).

    The context is the one Compose or the configuration declares for the
    linted Dockerfile, else its directory; it is trusted only when the
    Dockerfile's own COPY/ADD sources are all found in it (otherwise the file
    is evidently built with another context and nothing is reported). A source
    with a variable of unknown value, a URL, `COPY --from` and sources leaving
    the context are not checked. A source excluded by the context's
    `.dockerignore` counts as missing: it is never sent to the builder.

    ## Why is this bad?
    The child's build fails at its FROM line with "not found", in a file that
    never mentions the missing path; the cause is in another Dockerfile.

    ## Example
    ```dockerfile
    FROM python:3.12-slim AS base
    WORKDIR /app
    ONBUILD COPY requirements.txt ./
    ONBUILD RUN pip install --no-cache-dir -r requirements.txt

    FROM base AS app
    COPY app.py ./
    CMD ["python", "app.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim AS base
    WORKDIR /app
    ONBUILD COPY app.py ./

    FROM base AS app
    CMD ["python", "app.py"]
    ```
    """

    code = "LL6004"
    name = "onbuild-trigger-source-missing"
    groups = ("onbuild", "copy")
    severity = "error"
    example_files = {"app.py": "print('hi')\n"}

    def file_end(self, ctx):
        root = context_dir(ctx)
        if root is None:
            return
        credible = None
        ignore = dockerignore_for(ctx)
        for stage in ctx.model.stages:
            parent = parent_of(ctx, stage) if stage.from_.words else None
            if parent is None or not parent.triggers:
                continue
            if credible is None:
                credible = _context_credible(ctx, root)
            if not credible:
                return
            for onbuild in parent.triggers:
                problem = self._missing(onbuild.trigger, parent.model, root, ignore)
                if problem is None:
                    continue
                path, why = problem
                ctx.report(self, stage.from_.words[0].range,
                           f"The ONBUILD trigger `{onbuild.trigger.original.strip()}` of {parent.name}"
                           f" ({parent.where(onbuild, ctx.path)}) runs at the start of `{stage.label}` in this "
                           f"build context and copies `{path}`, which {why}: the build fails with \"not found\"",
                           trigger_line=onbuild.start_line)

    @staticmethod
    def _missing(trigger, model, root, ignore):
        if trigger.keyword not in ("COPY", "ADD") or trigger.flag("from") is not None:
            return None
        ops = operands(trigger)
        if ops is None:
            return None
        for _word, text in ops[0]:
            if not trigger.json and text.startswith("<<") and trigger.heredocs:
                continue
            value = model.expand_known(text, trigger)
            if value is None or not value or is_remote(value) or escapes_root(value):
                continue
            rel = context_relative(value)
            if rel == ".":
                continue
            if ignore is not None and ignore.matcher is not None and not ignore.matcher.exclusions \
                    and ignore.excludes(rel) is not None:
                return rel, f"{ignore.name} excludes from the context"
            if not _exists(root, rel):
                return rel, "is not in the build context"
        return None
