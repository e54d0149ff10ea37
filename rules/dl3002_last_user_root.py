from layerlint.rule import Rule, register
from layerlint.shellwords import Lex, ShellLexError


def _is_root(user: str) -> bool:
    return user in ("root", "0") or user.startswith(("root:", "0:"))


@register
class LastUserRoot(Rule):
    """The last USER of a stage switches to root.

    Reported on the last USER instruction of each stage when it names `root` or
    uid `0`, with or without a group (`root:root`, `0:0`, `root:staff`). A stage
    without any USER instruction of its own is not reported (see hadolint's
    DL3002). Unlike hadolint, quotes are removed and variables are expanded with
    their ARG/ENV defaults, so `USER ${RUN_AS}` with `ARG RUN_AS=root` is caught;
    a USER whose variables have no known value is judged by its literal text.

    ## Why is this bad?
    A container that runs as root gives an attacker who breaks into the process
    root inside the container, and a much better starting point for escaping it.
    Switching to root to install something is fine; switching back to an
    unprivileged user afterwards is the point.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    USER root
    RUN apk add --no-cache curl
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    USER root
    RUN apk add --no-cache curl
    USER 10001
    ```
    """

    code = "DL3002"
    name = "last-user-root"
    groups = ("user", "security")
    severity = "warning"
    visits = ("USER",)

    def check(self, ins, ctx):
        if ctx.stage is None or not ins.words:
            return
        ctx.stage_state(self)["last"] = ins

    def stage_end(self, stage, ctx):
        ins = ctx.stage_state(self, stage).get("last")
        if ins is None:
            return
        raw = ins.value[0] if ins.value else ""
        user = raw
        scope = ctx.model.scope_at.get(id(ins))
        lex = Lex(ctx.dockerfile.escape)
        try:
            expanded = lex.process_word(raw, scope.values() if scope else {})
            if not lex.unset:
                user = expanded
        except ShellLexError:
            pass
        if _is_root(user) or _is_root(raw):
            where = f"stage `{stage.name}`" if stage.name else f"stage {stage.index}"
            ctx.report(self, ins.words[0].range, f"Last USER should not be root: {where} ends with `USER {raw}`")
