import posixpath

from layerlint.rule import Rule, register


def _whole_context(text: str) -> bool:
    t = text.strip("\"'")
    if not t:
        return False
    return posixpath.normpath(t) in (".", "/", "*", "/*", "//")


@register
class OnbuildCopyWholeContext(Rule):
    """`ONBUILD COPY . ...` or `ONBUILD ADD . ...` copies the child's whole build context.

    Reported on the source word (`.`, `./`, `/`, `*`) of a COPY or ADD trigger
    that copies from the build context (no `--from`). A trigger runs in every
    build of an image FROM this one, right after the child's FROM line and
    before any of the child's own instructions. Not reported when an earlier
    `ONBUILD RUN` of the stage already installs (the docker-library onbuild
    pattern: manifests first, install, then the whole context last).

    ## Why is this bad?
    The copy comes first in every child build, so editing any file of the
    child's context (a README, a test) invalidates the cache of that step and
    of every step after it: the triggers and the child's own dependency
    installs run again on each change. The child cannot reorder it to copy its
    manifests first, and cannot exclude files except through its
    `.dockerignore`. Copying named files or directories in the trigger (or
    leaving the copy to the child) keeps the cache usable.

    ## Example
    ```dockerfile
    FROM node:22-alpine
    WORKDIR /app
    ONBUILD COPY . .
    ONBUILD RUN npm ci
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-alpine
    WORKDIR /app
    ONBUILD COPY package.json package-lock.json ./
    ONBUILD RUN npm ci
    ```
    """

    code = "LL6002"
    name = "onbuild-copy-whole-context"
    groups = ("onbuild", "cache", "copy")
    severity = "info"
    visits = ("COPY", "ADD")
    onbuild = True

    def check(self, ins, ctx):
        if ins.parent is None or ins.flag("from") is not None or len(ins.words) < 2:
            return
        stage = ctx.stage_of(ins)
        if stage is not None and any(
                i.trigger is not None and i.trigger.keyword == "RUN" and i.range.start < ins.parent.range.start
                for i in stage.instructions):
            # the docker-library onbuild pattern: manifests are copied and installed by
            # earlier triggers, the whole context comes last and only busts what follows it
            return
        for w in ins.words[:-1]:
            if not ins.json and w.text.startswith("<<") and ins.heredocs:
                continue
            if _whole_context(w.text):
                ctx.report(self, w.range,
                           f"`ONBUILD {ins.keyword} {w.text}` copies the whole build context of every image built "
                           f"FROM this one, right after its FROM and before its own instructions: any edit to any "
                           f"file of the child's context invalidates this step and every step after it")
                return
