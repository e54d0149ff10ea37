from layerlint.rule import Rule, register
from layerlint.patterns import lazy_pattern

# BuildKit's getSecretsRegex: a secret word as a whole `_`-separated token
SECRET_TOKENS = ("apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret",
                 "token")
ALLOW_TOKENS = ("public", "file", "version")
_SECRET = lazy_pattern(r"(?i)(?:_|^)(?:" + "|".join(SECRET_TOKENS) + r")(?:_|$)")
_ALLOW = lazy_pattern(r"(?i)(?:_|^)(?:" + "|".join(ALLOW_TOKENS) + r")(?:_|$)")


def is_secret_key(key: str) -> bool:
    return bool(_SECRET.search(key)) and not _ALLOW.search(key)


def _go_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@register
class SecretsUsedInArgOrEnv(Rule):
    """An ARG or ENV name contains a secret word such as `password` or `token`.

    This is BuildKit's `SecretsUsedInArgOrEnv` check, with its exact word list:
    a name is reported when one of its `_`-separated parts (compared
    case-insensitively) is `apikey`, `auth`, `credential`, `credentials`,
    `key`, `password`, `pword`, `passwd`, `secret` or `token`, unless another
    part is `public`, `file` or `version`. So `DB_PASSWORD`, `API_KEY` and
    `auth` are reported; `PASSWORD_FILE`, `PUBLIC_KEY`, `AUTH_MODULE_VERSION`,
    `KEYRING` and `GITHUBTOKEN` are not. ENV names are taken after expansion,
    as BuildKit does. ARGs inside stages and `ONBUILD ARG`/`ONBUILD ENV` are
    checked; ARGs before the first FROM are not (BuildKit does not check them;
    their values only reach an image through an ARG in a stage, which is
    checked). Each name is reported on its own word.

    DL3064 (hadolint's secret check) matches substrings and a list of
    well-known names instead; the two overlap on names like `GITHUB_TOKEN`.
    Where both are enabled and DL3064 reports the same name, only DL3064's
    finding is shown (one mistake, one finding).

    ## Why is this bad?
    ENV values are stored in the image configuration and every container's
    environment, and ARG values in the image history (`docker history`) and
    the environment of every RUN: anyone who can pull the image can read them.
    Pass secrets with `RUN --mount=type=secret` instead.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    ARG DB_PASSWORD
    RUN ./migrate --password "$DB_PASSWORD"
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN --mount=type=secret,id=db_password,env=DB_PASSWORD ./migrate --password "$DB_PASSWORD"
    ```
    """

    code = "LL8007"
    name = "secrets-used-in-arg-or-env"
    groups = ("security", "variables")
    severity = "warning"
    aliases = ("SecretsUsedInArgOrEnv",)
    same_finding_as = ("DL3064",)  # hadolint's twin; reported once when both are enabled
    onbuild = True
    visits = ("ARG", "ENV")

    def check(self, ins, ctx):
        if ins.parent is None and id(ins) not in ctx.model.stage_of:
            return  # a global ARG (or an ENV before FROM, which fails the build)
        kw = ins.keyword
        for p in ins.pairs:
            key = p.key.text
            if kw == "ENV" and any(c in key for c in "$'\"" + ctx.dockerfile.escape):
                expanded = ctx.model.expand(key, ins.parent or ins)
                key = expanded if expanded is not None else key
            if is_secret_key(key):
                where = "image history and the environment of every RUN" if kw == "ARG" \
                    else "image configuration and every container's environment"
                ctx.report(self, p.key.range,
                           f"Do not use ARG or ENV instructions for sensitive data ({kw} {_go_quote(key)}): "
                           f"the value is stored in the {where}, readable by anyone who can pull the image")
