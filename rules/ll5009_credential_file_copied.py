import posixpath
import re

from layerlint.rule import Rule, register
from layerlint.rules._package_calls import ends_in_image
from layerlint.rules._user_security import expand_text
from layerlint.patterns import lazy_pattern

# file name -> what it holds
CREDENTIAL_FILES = {
    "id_rsa": "an SSH private key", "id_dsa": "an SSH private key", "id_ecdsa": "an SSH private key",
    "id_ed25519": "an SSH private key", "id_ecdsa_sk": "an SSH private key", "id_ed25519_sk": "an SSH private key",
    ".npmrc": "npm registry settings, usually with an auth token",
    ".pypirc": "PyPI upload credentials", ".netrc": "login credentials for hosts", "_netrc": "login credentials",
    ".git-credentials": "git credentials", ".dockercfg": "Docker registry credentials",
    ".vault-token": "a Vault token", ".pgpass": "PostgreSQL passwords", ".s3cfg": "S3 access keys",
    ".boto": "cloud access keys", "application_default_credentials.json": "Google Cloud credentials",
}
# path endings (after normalisation) -> what they hold
CREDENTIAL_PATHS = (
    (".aws/credentials", "AWS access keys"), (".aws", "AWS access keys"),
    (".docker/config.json", "Docker registry credentials"), (".kube/config", "Kubernetes cluster credentials"),
    (".ssh", "SSH keys"), (".config/gcloud", "Google Cloud credentials"),
)
_KEY_FILE = lazy_pattern(r"^(.*[._-])?(priv(ate)?[._-]?key|privkey|key)\.pem$"
                       r"|^(.*[._-])?(priv(ate)?|server|client|tls|ssl)\.key$"
                       r"|\.(p12|pfx|ppk)$", re.I)
_NOT_SECRET_SSH = lazy_pattern(r"(\.pub|known_hosts|/config)$")


def credential(path: str) -> str | None:
    """What kind of secret a copied path (file or directory) holds, or None."""
    p = posixpath.normpath(path.strip())
    if not p or p in (".", "/"):
        return None
    if _NOT_SECRET_SSH.search(p) and "/.ssh/" in "/" + p:
        return None
    base = posixpath.basename(p)
    what = CREDENTIAL_FILES.get(base)
    if what:
        return what
    for suffix, kind in CREDENTIAL_PATHS:
        if p == suffix or p.endswith("/" + suffix) or ("/" + suffix + "/") in "/" + p:
            return kind
    if _KEY_FILE.search(base) and "pub" not in base.lower():
        return "a private key" if not base.lower().endswith((".p12", ".pfx")) else "a certificate with its private key"
    return None


@register
class CredentialFileCopied(Rule):
    """COPY or ADD puts a credential file (SSH key, `.npmrc`, cloud keys, ...) into the image.

    Each source is judged by its path, after variable expansion (sources with
    variables without a value are skipped): SSH private keys (`id_rsa`,
    `id_ed25519`, ..., or a whole `.ssh` directory; `*.pub`, `known_hosts` and
    `.ssh/config` are fine), `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`,
    `.dockercfg`, `.docker/config.json`, `.aws/credentials` (or `.aws`),
    `.kube/config`, gcloud credentials, `.vault-token`, `.pgpass`, `.s3cfg`,
    private-key files (`key.pem`, `privkey.pem`, `server-key.pem`,
    `private.key`, `tls.key`, `*.p12`, `*.pfx`, `*.ppk`). Also in `ONBUILD`
    triggers. Stages that no image is built from (they are only `COPY
    --from`ed) are not checked: their layers are not shipped.

    ## Why is this bad?
    Every COPY/ADD becomes an image layer. A later `RUN rm` only hides the file
    in a new layer: `docker save` or any registry client extracts it from the
    old one, so everyone who can pull the image gets the key or token. Use a
    build secret (`RUN --mount=type=secret,id=npmrc,target=/root/.npmrc`) or
    SSH forwarding (`RUN --mount=type=ssh`) instead; they are never stored.

    ## Example
    ```dockerfile
    FROM node:22-bookworm-slim
    WORKDIR /app
    COPY .npmrc package.json package-lock.json ./
    RUN npm ci && rm .npmrc
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-bookworm-slim
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    ```
    """

    code = "LL5009"
    name = "credential-file-copied"
    groups = ("security", "copy")
    severity = "warning"
    visits = ("COPY", "ADD")
    onbuild = True

    def check(self, ins, ctx):
        if ins.parent is None and not ends_in_image(ctx.stage_of(ins), ctx.model):
            return
        if len(ins.value) < 2 or len(ins.words) != len(ins.value):
            return
        for word, src in zip(ins.words[:-1], ins.value[:-1]):
            if not ins.json and src.startswith("<<") and ins.heredocs:
                continue
            path = expand_text(src, ins, ctx)
            if not path or "://" in path or path.startswith("git@"):
                continue
            what = credential(path)
            if what:
                ctx.report(self, word.range,
                           f"`{path}` holds {what}; {ins.keyword} stores it in an image layer, where anyone who can "
                           f"pull the image can read it, even after a later `rm`")
