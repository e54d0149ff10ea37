from layerlint.rule import Rule, register
from layerlint.shellwords import Lex, ShellLexError

from ._buildkit_checks import platform_defaults, reference_error


def _global_defaults(ctx, platform_env: dict[str, str]) -> dict[str, str] | None:
    """The global ARGs with their defaults only (no --build-arg), expanded in order as BuildKit does."""
    env = dict(platform_env)
    lex = Lex(ctx.dockerfile.escape)
    for ins in ctx.dockerfile.instructions:
        if ins.keyword == "FROM":
            break
        if ins.keyword != "ARG":
            continue
        for p in ins.pairs:
            if p.value is None:
                continue
            try:
                env[p.key.text] = lex.process_word(p.value.text, env)
            except ShellLexError:
                return None  # BuildKit gives up on the check
    return env


@register
class InvalidDefaultArgInFrom(Rule):
    """The FROM image is not a valid reference when the global ARGs keep their defaults.

    This is BuildKit's `InvalidDefaultArgInFrom` check. Each FROM image is
    expanded with the defaults of the ARGs declared before the first FROM (an
    ARG without a default is empty) and BuildKit's automatic platform ARGs, and
    checked against the image reference grammar: `busybox:` (an empty tag),
    an empty name, upper-case letters in the repository (`FROM Alpine`), or an
    invalid digest are reported, on the image word. Values passed with
    `--build-arg` are not considered, as in BuildKit: the Dockerfile should
    build without them. A name that depends on the build platform must be
    invalid for both linux/amd64 and linux/arm/v7 to be reported.

    ## Why is this bad?
    `docker build` without `--build-arg` fails with "invalid reference format"
    (or "base name should not be blank"), and tools that read the Dockerfile
    on their own (`--call=outline`, IDEs, dependency bots) cannot resolve the
    base image. A default makes the file self-contained.

    ## Example
    ```dockerfile
    ARG VERSION
    FROM busybox:$VERSION
    ```

    ## Use instead
    ```dockerfile
    ARG VERSION=1.37
    FROM busybox:$VERSION
    ```
    """

    code = "LL8008"
    name = "invalid-default-arg-in-from"
    groups = ("variables", "stages")
    severity = "warning"
    aliases = ("InvalidDefaultArgInFrom",)

    def file_end(self, ctx):
        stages = ctx.model.stages
        if not stages:
            return
        target = stages[-1].name or ""
        envs = []
        for platform_env in platform_defaults(target):
            env = _global_defaults(ctx, platform_env)
            if env is None:
                return
            envs.append(env)
        lex = Lex(ctx.dockerfile.escape)
        for stage in stages:
            ins = stage.from_
            if not ins.words:
                continue
            text = ins.value[0]
            problems = []
            results = []
            plain = not any(c in text for c in ("$", "'", '"', ctx.dockerfile.escape))
            for env in envs:
                try:
                    # nothing to expand or unquote: the word is itself (the common `FROM image`)
                    result = text if plain else lex.process_word(text, env)
                except ShellLexError:
                    return  # BuildKit stops checking at the first expansion error
                results.append(result)
                problems.append(reference_error(result))
            if not all(problems):
                continue
            if "$" in text:
                shown = f"`{results[0]}`" if results[0] else "an empty name"
                detail = f"without --build-arg it expands to {shown}, and {problems[0]}"
            else:
                detail = problems[0]
            ctx.report(self, ins.words[0].range,
                       f"Default value for ARG {text} results in empty or invalid base image name: {detail}, "
                       f"so the base image cannot be pulled")
