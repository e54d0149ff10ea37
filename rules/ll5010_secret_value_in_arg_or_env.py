import math
import re
from collections import Counter

from layerlint.ast import Pos, Range
from layerlint.rule import Rule, register
from layerlint.rules._user_security import strip_quotes
from layerlint.patterns import lazy_pattern

# (pattern, what it is); matched anywhere in the literal value
TOKEN_PATTERNS = (
    (lazy_pattern(r"(?<![A-Z0-9])(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Z0-9])"), "an AWS access key id"),
    (lazy_pattern(r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,}"), "a GitHub token"),
    (lazy_pattern(r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{40,}"), "a GitHub token"),
    (lazy_pattern(r"(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}"), "a GitLab token"),
    (lazy_pattern(r"(?<![A-Za-z0-9_-])xox[abprs]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (lazy_pattern(r"https://hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]{16,}"),
     "a Slack webhook URL"),
    (lazy_pattern(r"(?<![A-Za-z0-9_])[sr]k_live_[A-Za-z0-9]{16,}"), "a Stripe live key"),
    (lazy_pattern(r"(?<![A-Za-z0-9_-])sk-(proj-|ant-[a-z0-9]+-)?[A-Za-z0-9_-]{32,}"), "an OpenAI/Anthropic API key"),
    (lazy_pattern(r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}"), "a Google API key"),
    (lazy_pattern(r"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}"), "an npm token"),
    (lazy_pattern(r"(?<![A-Za-z0-9_-])pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"), "a PyPI token"),
    (lazy_pattern(r"(?<![A-Za-z0-9_-])hf_[A-Za-z0-9]{34,}"), "a Hugging Face token"),
    (lazy_pattern(r"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----"), "a private key"),
    (lazy_pattern(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
     "a JSON Web Token"),
)
_CANDIDATE = lazy_pattern(r"[A-Za-z0-9+/_=-]{32,}")
_HEX = lazy_pattern(r"^[0-9a-fA-F]+$")
# names of values that are digests, fingerprints or public material, never secrets
PUBLIC_NAME = lazy_pattern(r"(SHA\d*|SUM|CHECKSUM|HASH|DIGEST|FINGERPRINT|GPG_KEYS?|KEY_?IDS?|PUBKEY|PUBLIC_KEY|"
                         r"CERT|SIGNATURE|INTEGRITY|COMMIT|REVISION|REF|VERSION)$", re.I)
_PUBLIC_PREFIX = ("sha1-", "sha256-", "sha384-", "sha512-", "ssh-", "ecdsa-", "AAAA")


def entropy(s: str) -> float:
    counts = Counter(s)
    return -sum(c / len(s) * math.log2(c / len(s)) for c in counts.values())


def _class_changes(t: str) -> float:
    """How often consecutive characters switch between upper case, lower case, digits and other:
    about 0.5-0.8 for random tokens, below 0.4 for CamelCase words (`PSDocker-DotnetSDK-ltsc2019`)."""
    def kind(c):
        return 0 if c.isupper() else 1 if c.islower() else 2 if c.isdigit() else 3
    return sum(kind(a) != kind(b) for a, b in zip(t, t[1:])) / len(t)


def high_entropy_token(value: str) -> re.Match | None:
    """A long random-looking token: 32+ base64/url-safe characters mixing upper and lower case and
    digits, not hexadecimal, with at least 4.3 bits of entropy per character, switching between
    character classes as often as random text does."""
    for m in _CANDIDATE.finditer(value):
        t = m.group(0).strip("=")
        if len(t) < 32 or _HEX.match(t.replace("-", "")) or t.startswith(_PUBLIC_PREFIX):
            continue
        if not (re.search(r"[a-z]", t) and re.search(r"[A-Z]", t) and re.search(r"\d", t)):
            continue
        if entropy(t) >= 4.3 and _class_changes(t) >= 0.42:
            return m
    return None


def secret_in(name: str, value: str):
    """(match, what) for the first secret-looking part of a literal value, or None."""
    for pattern, what in TOKEN_PATTERNS:
        m = pattern.search(value)
        if m:
            return m, what
    if "$" in value or "://" in value or value.startswith("/") or PUBLIC_NAME.search(name):
        return None  # variables, URLs and paths: their long parts are names, not secrets
    m = high_entropy_token(value)
    return (m, "a secret token (long and random)") if m else None


def _mask(text: str) -> str:
    return text[:4] + "…" if len(text) > 8 else "…"


@register
class SecretValueInArgOrEnv(Rule):
    """An ARG default or ENV value looks like a real credential.

    Looks at the literal values (not the names: that is DL3064) of ARG, ENV
    and their ONBUILD forms for known credential formats: AWS access key ids
    (`AKIA...`), GitHub (`ghp_...`, `github_pat_...`), GitLab (`glpat-...`),
    Slack tokens and webhook URLs, Stripe live keys, OpenAI/Anthropic keys
    (`sk-...`), Google API keys (`AIza...`), npm, PyPI and Hugging Face tokens,
    JSON Web Tokens and private-key headers (`-----BEGIN ... PRIVATE
    KEY-----`). Any other long random-looking token (32+ characters of
    base64/url-safe alphabet, mixing upper case, lower case and digits, not
    hexadecimal or a UUID, high entropy) is reported too, unless the value has
    a variable, is a URL or an absolute path, or the name says it holds a digest or public material (`*_SHA256`,
    `*_CHECKSUM`, `GPG_KEYS`, `*_FINGERPRINT`, `*_VERSION`, ...). The finding
    points at the matching text; the message shows only its first characters.

    ## Why is this bad?
    ARG defaults and ENV values are stored in the image: `docker history` shows
    ARG values used by RUN, `docker inspect` shows every ENV, and ENV is in the
    environment of every container. A credential written into the Dockerfile is
    also in version control. Pass it at build time as a secret
    (`RUN --mount=type=secret`) and at run time through the orchestrator.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    ENV AWS_DEFAULT_REGION=eu-west-1 S3_KEY_ID=AKIAIOSFODNN7EXAMPLE
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    ENV AWS_DEFAULT_REGION=eu-west-1
    RUN --mount=type=secret,id=aws,target=/root/.aws/credentials aws s3 cp s3://bucket/model.bin /srv/
    ```
    """

    code = "LL5010"
    name = "secret-value-in-arg-or-env"
    groups = ("security", "variables")
    severity = "warning"
    visits = ("ARG", "ENV")
    onbuild = True

    def check(self, ins, ctx):
        for pair in ins.pairs:
            if pair.value is None:
                continue
            raw = pair.value.text
            found = secret_in(pair.key.text, strip_quotes(raw))
            if found is None:
                continue
            m, what = found
            rng = pair.value.range
            secret = m.group(0)
            offset = raw.find(secret)
            if offset >= 0 and rng.start.line == rng.end.line:
                start = rng.start.column + offset
                rng = Range(Pos(rng.start.line, start), Pos(rng.start.line, start + len(secret)))
            ctx.report(self, rng,
                       f"The value of `{pair.key.text}` looks like {what} (`{_mask(secret)}`); {ins.keyword} values "
                       f"are stored in the image, where anyone who can pull it can read them")
