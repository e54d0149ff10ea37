from layerlint.rule import Rule, register
from layerlint.rules._build_context import context_relative, context_sources, escapes_root


@register
class CopySourceOutsideContext(Rule):
    """A COPY or ADD source climbs out of the build context with `..`.

    Reports a source whose `..` components lead above the context root after
    variable expansion: `../config.yml`, `lib/../../shared`, `/../x`. An
    absolute source that stays inside (`/app/x`) is read relative to the
    context root and is not reported. `COPY --from` (another stage or image),
    heredocs, URLs and Git references are not read from the context and are
    not checked; nor are sources with a variable without a known value.
    ONBUILD triggers are checked too: they copy from a later build's context.

    ## Why is this bad?
    The builder can only read the files of the build context, the directory
    sent with the build. A path above it cannot be copied: BuildKit cleans the
    `..` away and reads the path from the context root instead
    (`../config.yml` becomes `config.yml`), copying a different file or
    failing with "not found"; the classic builder refuses it ("forbidden path
    outside the build context"). Build from the parent directory
    (`docker build -f app/Dockerfile .`) or add it as a named context
    (`--build-context shared=../shared` with `COPY --from=shared`).

    ## Example
    ```dockerfile
    FROM node:22-alpine
    WORKDIR /app
    COPY ../shared/tsconfig.base.json ./
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-alpine
    WORKDIR /app
    # docker build --build-context shared=../shared .
    COPY --from=shared tsconfig.base.json ./
    ```
    """

    code = "LL4003"
    name = "copy-source-outside-context"
    groups = ("copy",)
    severity = "warning"
    visits = ("COPY", "ADD")
    onbuild = True

    def check(self, ins, ctx):
        for src in context_sources(ins, ctx):
            value = src.value
            if not value or "\\" in value or not escapes_root(value):
                continue
            target = context_relative(value)
            read = "the context root" if target == "." else f"`{target}`"
            ctx.report(self, src.word.range,
                       f"`{value}` lies outside the build context, which is all the builder can read: BuildKit "
                       f"drops the `..` and reads {read} from the context instead (the classic builder fails "
                       f"with \"forbidden path outside the build context\")")
