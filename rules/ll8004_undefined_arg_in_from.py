from layerlint.model import PLATFORM_ARGS
from layerlint.rule import Rule, register

from ._buildkit_checks import references, sub_range, suggest


@register
class UndefinedArgInFrom(Rule):
    """FROM uses a variable that is not a global ARG.

    This is BuildKit's `UndefinedArgInFrom` check. The image and the
    `--platform` value of a FROM are expanded with the ARGs declared before the
    first FROM (with or without a default) and BuildKit's automatic platform
    ARGs (`BUILDPLATFORM`, `TARGETARCH`, ...; see the Dockerfile reference)
    only; any other `$NAME` there is reported, on the reference, once per name
    and FROM part, with a "did you mean" when a declared name is close (the same
    suggestion BuildKit makes). An ARG declared inside an earlier stage does not
    count: stage ARGs are not visible to FROM.

    ## Why is this bad?
    The variable expands to an empty string: `FROM node:${NODE_VERSON}` asks
    for `node:`, an invalid reference, and `FROM alpine:${TAG}` without an
    `ARG TAG` before the first FROM pulls `alpine:` and fails. Mostly a typo or
    an ARG declared in the wrong place.

    ## Example
    ```dockerfile
    ARG NODE_VERSION=22
    FROM node:${NODE_VERSON}-alpine
    ```

    ## Use instead
    ```dockerfile
    ARG NODE_VERSION=22
    FROM node:${NODE_VERSION}-alpine
    ```
    """

    code = "LL8004"
    name = "undefined-arg-in-from"
    groups = ("variables", "stages")
    severity = "warning"
    aliases = ("UndefinedArgInFrom",)
    visits = ("FROM",)

    def check(self, ins, ctx):
        if not ins.words:
            return
        declared = set(ctx.model.global_args) | set(PLATFORM_ARGS)
        parts = [(ins.words[0].text, ins.words[0].range)]
        flag = ins.flag("platform")
        if flag is not None and flag.value_range is not None:
            parts.append((ctx.text(flag.value_range), flag.value_range))
        for text, rng in parts:
            if "$" not in text:
                continue
            refs = references(text, ctx.dockerfile.escape)
            seen = set()
            for ref in refs or ():
                if ref.name in declared or ref.name in seen:
                    continue
                seen.add(ref.name)
                hint = suggest(ref.name, declared)
                hint_text = f" (did you mean {hint}?)" if hint else ""
                ctx.report(self, sub_range(text, rng, ref.start, ref.end),
                           f"FROM argument '{ref.name}' is not declared{hint_text}: FROM only sees the ARGs "
                           f"declared before the first FROM, so `${ref.name}` expands to an empty string")
