from layerlint.model import PLATFORM_ARGS
from layerlint.rule import Rule, register
from layerlint.shellwords import Lex, ShellLexError

from ._buildkit_checks import platform_defaults, reference_error, references, sub_range


def _defaults(ctx, platform_env):
    """Global ARG values when no --build-arg is given (an ARG without a default is unset)."""
    env = dict(platform_env)
    lex = Lex(ctx.dockerfile.escape)
    for ins in ctx.dockerfile.instructions:
        if ins.keyword == "FROM":
            break
        if ins.keyword != "ARG":
            continue
        for p in ins.pairs:
            if p.value is None:
                if p.key.text not in PLATFORM_ARGS:
                    env.pop(p.key.text, None)
                continue
            try:
                env[p.key.text] = lex.process_word(p.value.text, env)
            except ShellLexError:
                return None
    return env


@register
class FromArgWithoutDefault(Rule):
    """FROM uses a global ARG that has no default value.

    Reported on each reference, in the image or `--platform` of a FROM, to an
    ARG declared before the first FROM without a value (`ARG TAG`), when that
    ARG is not given a default by a later declaration and the reference does
    not handle the unset case itself (`${TAG:-3.20}`). BuildKit's automatic
    platform ARGs are never reported.

    When the image is not even a valid reference without the build argument
    (`FROM alpine:$TAG` gives `alpine:`), LL8008 (InvalidDefaultArgInFrom)
    reports it instead; this rule covers the cases where the build goes on
    with something else: `FROM ${REGISTRY}node:22` pulls `node:22` from Docker
    Hub instead of the mirror, `FROM node:22${VARIANT}` pulls the default
    variant, and an empty `--platform` fails the build.

    ## Why is this bad?
    Every build must remember `--build-arg`: a plain `docker build`, an IDE,
    a dependency bot or a CI job that forgets it builds from another image
    than intended, without any warning. A default documents the intended
    value and keeps the file buildable on its own.

    ## Example
    ```dockerfile
    ARG REGISTRY
    FROM ${REGISTRY}python:3.12-slim
    ```

    ## Use instead
    ```dockerfile
    ARG REGISTRY=registry.example.com/mirror/
    FROM ${REGISTRY}python:3.12-slim
    ```
    """

    code = "LL7005"
    name = "from-arg-without-default"
    groups = ("variables", "stages")
    severity = "info"

    def file_end(self, ctx):
        model = ctx.model
        no_default = {name for name, value in model.global_args.items()
                      if value is None and name not in PLATFORM_ARGS}
        if not no_default or not model.stages:
            return
        target = model.stages[-1].name or ""
        envs = [_defaults(ctx, p) for p in platform_defaults(target)]
        if any(e is None for e in envs):
            return
        escape = ctx.dockerfile.escape
        lex = Lex(escape)
        for stage in model.stages:
            ins = stage.from_
            parts = []
            if ins.words:
                parts.append(("image", ins.words[0].text, ins.words[0].range))
            flag = ins.flag("platform")
            if flag is not None and flag.value and flag.value_range is not None:
                parts.append(("platform", ctx.text(flag.value_range), flag.value_range))
            for kind, text, rng in parts:
                if "$" not in text:
                    continue
                refs = references(text, escape)
                if not refs:
                    continue
                names = [r for r in refs if r.name in no_default and not r.guarded]
                if not names:
                    continue
                try:
                    results = [lex.process_word(text, env) for env in envs]
                except ShellLexError:
                    continue
                result = results[0]
                if kind == "image":
                    if all(reference_error(r) for r in results):
                        continue  # LL8008 reports an image that is not a valid reference
                    outcome = f"the stage starts from `{result}`"
                else:
                    outcome = ("the platform is empty and the build fails" if not result
                               else f"the platform is `{result}`")
                done = set()
                for r in names:
                    if r.name in done:
                        continue
                    done.add(r.name)
                    ctx.report(self, sub_range(text, rng, r.start, r.end),
                               f"ARG `{r.name}` has no default value: unless every build passes "
                               f"`--build-arg {r.name}=...`, `${r.name}` expands to an empty string and {outcome}")
