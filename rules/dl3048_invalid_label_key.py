from layerlint.rule import Rule, register
from layerlint.rules._labels import label_pairs
from layerlint.shellwords import Lex, ShellLexError
from layerlint.patterns import lazy_pattern

RESERVED_NAMESPACES = ("com.docker.", "io.docker.", "org.dockerproject.")
# Docker Desktop extensions must carry these labels (docs.docker.com/extensions/extensions-sdk/extensions/labels/)
DOCKER_EXTENSION_NAMESPACES = ("com.docker.desktop.extension.", "com.docker.extension.")
_ILLEGAL = lazy_pattern(r"[^a-z0-9._/-]")


def key_problem(key: str) -> str | None:
    if not key:
        return "it is empty"
    if not "a" <= key[0] <= "z":
        return "it must start with a lower-case letter"
    m = _ILLEGAL.search(key)
    if m:
        return f"`{m.group(0)}` is not allowed (use lower-case letters, digits, `.`, `-`, `_`, `/`)"
    if not (key[-1].isascii() and key[-1].isalnum()):
        return "it must end with a lower-case letter or a digit"
    if ".." in key or "--" in key:
        return "it contains `..` or `--`"
    if key.startswith(RESERVED_NAMESPACES) and not key.startswith(DOCKER_EXTENSION_NAMESPACES):
        return f"the `{key.split('.')[0]}.{key.split('.')[1]}.*` namespace is reserved by Docker"
    return None


@register
class InvalidLabelKey(Rule):
    """A LABEL key does not follow Docker's key format.

    A key must start with a lower-case letter, end with a lower-case letter or
    a digit, contain only lower-case letters, digits, `.`, `-`, `_` and `/`,
    have no `..` or `--`, and stay out of the namespaces Docker reserves
    (`com.docker.*`, `io.docker.*`, `org.dockerproject.*`), as in hadolint 2.15.
    Keys are judged as BuildKit stores them: without quotes, variables expanded
    (a variable without a known value stays as written, and its `$` is not
    allowed, as in hadolint). Every bad key is reported on its own word (hadolint
    reports the instruction once).

    Differences from hadolint: keys listed in `label-schema` are accepted, since
    the configuration asks for them by that name (hadolint issue #1100); the
    `com.docker.desktop.extension.*` and `com.docker.extension.*` labels that
    Docker Desktop requires of extensions are accepted; a key written with a
    variable that has a value (`LABEL ${PREFIX}.version=1` after
    `ARG PREFIX=com.example`) is judged by that value instead of being reported
    for the `$`.

    ## Why is this bad?
    Upper-case letters, odd characters and doubled separators make keys that
    tools and people look up by the conventional name fail to match, and labels
    in Docker's own namespaces may clash with what Docker sets.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    LABEL Maintainer="jane@example.com" com.docker.version="1.0"
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.authors="jane@example.com" org.opencontainers.image.version="1.0"
    ```
    """

    code = "DL3048"
    name = "invalid-label-key"
    groups = ("style",)
    severity = "style"
    visits = ("LABEL",)

    def check(self, ins, ctx):
        schema = ctx.config.label_schema
        for lp in label_pairs(ins, ctx):
            key = lp.key
            if key is None:  # a variable without a known value: judge the text, `$` and all
                try:
                    key = Lex(ctx.dockerfile.escape, skip_unset_env=True).process_word(lp.pair.key.text, {})
                except ShellLexError:
                    key = lp.pair.key.text
            if key in schema:
                continue
            problem = key_problem(key)
            if problem:
                ctx.report(self, lp.key_range, f"Invalid label key `{key}`: {problem}")
