from layerlint.rule import Rule, register
from layerlint.rules._build_context import context_relative, context_sources, dockerignore_for, escapes_root


@register
class CopyIgnoredFile(Rule):
    """COPY or ADD names a file of the build context that `.dockerignore` excludes.

    BuildKit's CopyIgnoredFile check. The build context is taken to be the
    linted Dockerfile's directory; its ignore file is `<Dockerfile
    name>.dockerignore` next to the Dockerfile when there is one (BuildKit
    prefers it), else `.dockerignore`. Patterns follow Docker's own matching
    (moby/patternmatcher): paths relative to the context root, `*`, `?`,
    `[...]` and `**`, a leading `/` ignored, and a pattern matching a
    directory excludes everything below it. Sources of `COPY --from`,
    heredocs, URLs and Git references are not read from the context and are
    not checked; nor are sources with a variable without a known value.

    As in BuildKit, nothing is checked when the ignore file has `!`
    exceptions (a file inside an excluded directory may be brought back), and
    the whole context (`COPY . .`) counts as excluded only when `*`, `**` or
    `**/*` is. Globs are compared as written, as BuildKit does. Difference
    from BuildKit: an absolute source (`COPY /app/x .`) is matched as the
    context path it reads (`app/x`), where BuildKit compares `/app/x` with the
    patterns and misses it. Not checked for stdin input, and a source climbing
    out of the context (`../x`) is left to LL4003.

    ## Why is this bad?
    Files that `.dockerignore` excludes are never sent to the builder. A COPY
    of such a file fails with "not found", and a glob or directory copy
    silently leaves the excluded files out of the image.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    # .dockerignore contains `*.env`
    COPY settings.env /app/
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    COPY settings.example /app/
    ```
    """

    code = "LL4001"
    example_files = {".dockerignore": "*.env\n"}
    name = "copy-ignored-file"
    groups = ("copy",)
    severity = "warning"
    aliases = ("CopyIgnoredFile",)
    visits = ("COPY", "ADD")

    def check(self, ins, ctx):
        sources = context_sources(ins, ctx)
        if not sources:
            return
        ignore = dockerignore_for(ctx)
        if ignore is None or ignore.matcher is None or ignore.matcher.exclusions:
            return
        for src in sources:
            if src.value is None or not src.value or escapes_root(src.value):
                continue
            path = context_relative(src.value)
            pattern = ignore.excludes(path)
            if pattern is None:
                continue
            what = "the whole build context" if path == "." else f"`{path}`"
            if path == ".":
                effect = f"{ins.keyword} copies nothing from the context"
            else:
                effect = ("it is never sent to the builder, so " + ins.keyword
                          + " fails with \"not found\" (a glob or directory copy leaves it out)")
            ctx.report(self, src.word.range,
                       f"{what} is excluded by {ignore.name} (line {pattern.line}: `{pattern.text}`): {effect}")
