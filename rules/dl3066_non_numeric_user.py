import re

from layerlint.ast import Pos, Range
from layerlint.rule import Rule, register
from layerlint.rules._stage_sources import stage_chain
from layerlint.shellwords import Lex, ShellLexError, referenced_names
from layerlint.patterns import lazy_pattern

_WINDOWS_IMAGE = lazy_pattern(r"windowsservercore|nanoserver|servercore|mcr\.microsoft\.com/windows", re.I)


def _windows_stage(stage) -> bool:
    """Windows containers have no numeric user ids (`ContainerUser`, `ContainerAdministrator`)."""
    for s in stage_chain(stage):
        if (s.platform or "").lower().startswith("windows") or _WINDOWS_IMAGE.search(s.image.resolved):
            return True
    return False


@register
class NonNumericUser(Rule):
    """USER names the user (or its UID part) by name instead of a number.

    The user part of `USER user[:group]` must be a numeric UID; the group part
    may be anything. A user given by a build argument (`USER $UID` after `ARG
    UID`, also `${UID:-1000}`) is accepted, as in hadolint. The value is judged as
    BuildKit uses it: quotes removed, ENV variables expanded. The finding points
    at the user part.

    Differences from hadolint: a variable set by ENV is judged by its value
    (`ENV APP_UID=1000` then `USER $APP_UID` is fine, hadolint reports it);
    `${UID:-1000}` counts as an ARG reference; quotes are removed (`USER
    "1000"` is numeric); an ARG reference in the group part only does not make
    a named user acceptable (`USER app:$GID` is reported); stages on Windows
    images (`nanoserver`, `servercore`, `--platform=windows/...`) are skipped,
    since Windows has no numeric user ids (`USER ContainerUser` is right there);
    `root` is not reported (it is UID 0 everywhere; DL3002 covers it).

    Off by default, unlike in hadolint: creating a named user and switching to
    it (`RUN useradd app` then `USER app`) is what Docker's own documentation
    recommends, and reporting it on nearly every careful Dockerfile is noise
    for most projects. Enable it where the image runs under a policy that
    checks the UID (`extend-select = ["DL3066"]`, or hadolint's `override`).

    ## Why is this bad?
    A user name is resolved through the image's `/etc/passwd`; tools that run
    or inspect the image from outside (Kubernetes' `runAsNonRoot`, volume
    permissions on the host) cannot tell whether `app` is root. A numeric UID
    says it directly.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN adduser -D -u 10001 app
    USER app
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN adduser -D -u 10001 app
    USER 10001:10001
    ```
    """

    code = "DL3066"
    name = "non-numeric-user"
    groups = ("user",)
    severity = "info"
    visits = ("USER",)
    enabled_by_default = False

    def check(self, ins, ctx):
        if not ins.value or not ins.words:
            return
        stage = ctx.stage_of(ins)
        if stage is not None and _windows_stage(stage):
            return
        text = ins.value[0]
        scope = ctx.model.scope_at.get(id(ins))
        env: dict[str, str] = {}
        for name in referenced_names(text):
            if scope is not None and name in scope.env:
                env[name] = scope.env[name]
            elif (scope is not None and name in scope.args) or name in ctx.model.global_args:
                env[name] = "0"  # a build argument: assumed to hold the UID
        lex = Lex(ctx.dockerfile.escape, skip_unset_env=True)
        try:
            value = lex.process_word(text, env)
        except ShellLexError:
            return
        user = value.split(":", 1)[0]
        if not user or (user.isascii() and user.isdigit()) or user == "root":
            return  # `root` is UID 0 on every image (DL3002 is about running as root)
        word = ins.words[0]
        rng = word.range
        literal_user = word.text.split(":", 1)[0]
        if literal_user == user and rng.start.line == rng.end.line:
            rng = Range(rng.start, Pos(rng.start.line, rng.start.column + len(user)))
        ctx.report(self, rng, f"Non-numeric user-id may not be resolvable by host system: `{user}`")
