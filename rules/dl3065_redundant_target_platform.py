from layerlint.ast import Pos, Range
from layerlint.model import PLATFORM_ARGS
from layerlint.rule import Edit, Fix, Rule, register
from layerlint.shellwords import Lex, ShellLexError

_SENTINEL = "\x00{}\x00"


@register
class RedundantTargetPlatform(Rule):
    """FROM `--platform` is set to `$TARGETPLATFORM`, which is the default.

    Reported when the value expands to exactly the target platform and
    `TARGETPLATFORM` is the only variable it uses: `$TARGETPLATFORM`,
    `${TARGETPLATFORM}`, `"$TARGETPLATFORM"`, `${TARGETPLATFORM:-linux/amd64}`.
    This is BuildKit's `RedundantTargetPlatform` check. The finding points at the
    value. Difference from hadolint: the quoted and `${TARGETPLATFORM:-...}`
    spellings are reported too (hadolint compares the text with
    `$TARGETPLATFORM` and `${TARGETPLATFORM}` only).

    ## Why is this bad?
    Without `--platform`, a stage is built for the target platform anyway; the
    flag adds noise and suggests to readers that something special happens.

    ## Example
    ```dockerfile
    FROM --platform=$TARGETPLATFORM alpine:3.20
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    ```

    ## Fix
    Removes the `--platform=...` flag and the blanks after it (or its whole
    continuation line when it stands alone there). Safe: BuildKit builds the
    stage for the target platform without the flag. Not offered when
    `--platform` is repeated, since only the last one counts.
    """

    code = "DL3065"
    name = "redundant-target-platform"
    groups = ("stages",)
    severity = "warning"
    aliases = ("RedundantTargetPlatform",)
    fixable = "sometimes"
    visits = ("FROM",)

    def check(self, ins, ctx):
        flag = ins.flag("platform")
        if flag is None or not flag.value or flag.value_range is None or "TARGETPLATFORM" not in flag.value:
            return
        env = {name: _SENTINEL.format(name) for name in PLATFORM_ARGS}
        env.update({k: v for k, v in ctx.model.global_args.items() if v is not None})
        lex = Lex(ctx.dockerfile.escape)
        try:
            result = lex.process_word(flag.value, env)
        except ShellLexError:
            return
        if lex.unset or set(lex.used) != {"TARGETPLATFORM"} or result != env["TARGETPLATFORM"]:
            return
        ctx.report(self, flag.value_range,
                   f"Setting `FROM --platform` to predefined `$TARGETPLATFORM` is redundant as this is the "
                   f"default behavior: `--platform={flag.value}`", fix=self._fix(ins, flag, ctx))

    @staticmethod
    def _fix(ins, flag, ctx):
        if sum(1 for f in ins.flag_nodes if f.name == "platform") != 1:
            return None  # with repeated flags the last one wins; leave that to a human
        start, end = flag.range
        lines = ctx.dockerfile.lines
        line = lines[end.line]
        rest = line[end.column:].strip()
        if (start.line == end.line and start.line > ins.range.start.line and not line[:start.column].strip()
                and rest in ("", ctx.dockerfile.escape)):
            # the flag has a continuation line of its own: drop the line
            rng = Range(Pos(start.line, 0), Pos(start.line + 1, 0))
        else:
            col = end.column
            while col < len(line) and line[col] in " \t":
                col += 1
            if col == len(line):  # the flag ends its line: keep the continuation layout as it is
                col = end.column
            rng = Range(start, end._replace(column=col))
        return Fix((Edit(rng, ""),), safe=True, title="Remove the redundant --platform flag")
