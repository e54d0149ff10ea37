from layerlint.rule import Rule, register
from layerlint.shellwords import Lex, ShellLexError

# hadolint's list of well-known variables that hold credentials
KNOWN_SENSITIVE_NAMES = frozenset({
    "ACCESS_TOKEN", "APPLICATION_KEY", "APP_SECRET", "AUTH_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "BITTREX_API_KEY", "BITTREX_API_SECRET", "CF_PASSWORD", "CF_USERNAME", "CIRCLE_TOKEN", "CI_DEPLOY_PASSWORD",
    "CI_DEPLOY_USER", "DOCKERHUB_PASSWORD", "DOCKER_EMAIL", "DOCKER_PASSWORD", "DOCKER_USERNAME",
    "FACEBOOK_ACCESS_TOKEN", "FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET", "FIREBASE_API_TOKEN", "FIREBASE_TOKEN",
    "FOSSA_API_KEY", "GH_ENTERPRISE_TOKEN", "GH_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "GITHUB_TOKEN", "HEROKU_API_KEY",
    "HEROKU_API_USER", "NPM_AUTH_TOKEN", "NPM_TOKEN", "OKTA_AUTHN_GROUPID", "OKTA_CLIENT_ORGURL",
    "OKTA_CLIENT_TOKEN", "OKTA_OAUTH2_CLIENTID", "OKTA_OAUTH2_CLIENTSECRET", "OPENAI_API_KEY", "OS_PASSWORD",
    "OS_USERNAME", "POSTGRES_PASSWORD", "SLACK_TOKEN", "STRIPE_API_KEY", "STRIPE_DEVICE_NAME", "TRAVIS_OS_NAME",
    "TRAVIS_SECURE_ENV_VARS", "TRAVIS_SUDO", "VAULT_CLIENT_KEY", "VAULT_TOKEN",
})
SUSPICIOUS_SUBSTRINGS = ("api_key", "client_key", "password", "private", "secret", "token", "username")
# the name points at where the secret is, not at the secret (Docker's `*_FILE` convention)
POINTER_SUFFIXES = ("_FILE", "_PATH", "_DIR")
# well-known settings whose names merely contain a suspicious word
NOT_SECRETS = frozenset({"GOPRIVATE", "TOKENIZERS_PARALLELISM"})


def looks_secret(name: str) -> bool:
    upper = name.upper()
    if upper in KNOWN_SENSITIVE_NAMES:
        return True
    if upper in NOT_SECRETS or upper.endswith(POINTER_SUFFIXES):
        return False
    low = name.lower()
    return any(s in low for s in SUSPICIOUS_SUBSTRINGS)


@register
class SecretInArgOrEnv(Rule):
    """An ARG or ENV name looks like it holds a secret.

    A name is suspicious when it is one of hadolint's well-known credential
    variables (`AWS_SECRET_ACCESS_KEY`, `GITHUB_TOKEN`, `NPM_TOKEN`, ...) or
    contains `password`, `secret`, `token`, `private`, `username`, `api_key` or
    `client_key` (case-insensitively). Global ARGs and `ONBUILD ARG`/`ONBUILD
    ENV` are checked too. Every suspicious name is reported on its own word.

    Differences from hadolint: every name of a multi-name `ARG A B C` is checked
    (hadolint looks at the first only); names ending in `_FILE`, `_PATH` or
    `_DIR` are accepted, since they point at a secret file instead of holding the
    secret (`POSTGRES_PASSWORD_FILE=/run/secrets/db` is Docker's recommended
    pattern, which hadolint reports); `GOPRIVATE` (Go's list of private module
    paths) and `TOKENIZERS_PARALLELISM` (a Hugging Face switch) are not secrets.
    BuildKit's `SecretsUsedInArgOrEnv` check matches other words and is not the
    same rule.

    ## Why is this bad?
    ARG and ENV values are stored in the image: `docker history` and
    `docker inspect` show them to anyone who can pull it, and ENV also leaks into
    every container's environment. Pass secrets with `RUN --mount=type=secret`.

    ## Example
    ```dockerfile
    FROM node:22
    ARG NPM_TOKEN
    RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
    ```

    ## Use instead
    ```dockerfile
    FROM node:22
    RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    ```
    """

    code = "DL3064"
    name = "secret-in-arg-or-env"
    groups = ("security", "variables")
    severity = "warning"
    onbuild = True
    visits = ("ARG", "ENV")

    def check(self, ins, ctx):
        for p in ins.pairs:
            name = p.key.text
            if ins.keyword == "ENV" and ("'" in name or '"' in name):
                try:
                    name = Lex(ctx.dockerfile.escape).process_word(name, {})
                except ShellLexError:
                    pass
            if looks_secret(name):
                ctx.report(self, p.key.range,
                           f"Potentially sensitive data should not be used in the `ARG` or `ENV` commands: "
                           f"`{ins.keyword} {name}`")
