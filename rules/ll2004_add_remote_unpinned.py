import re
from urllib.parse import parse_qsl

from layerlint.rule import Rule, register
from layerlint.rules._cache_model import expand_text
from layerlint.patterns import lazy_pattern

_SCP = lazy_pattern(r"^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:(?!//)")
_SHA = lazy_pattern(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$", re.I)


def kind_of(url: str) -> str | None:
    """`http` for a download, `git` for a repository (BuildKit's rules), None for a local path."""
    low = url.lower()
    if low.startswith(("git://", "ssh://")) or _SCP.match(url):
        return "git"
    if low.startswith(("http://", "https://")):
        path = re.split(r"[?#]", url.split("://", 1)[1], maxsplit=1)[0]
        return "git" if path.endswith(".git") else "http"
    return None


def git_pin(url: str) -> tuple[bool, str | None]:
    """(pinned to a commit, the ref it names) of a BuildKit Git URL."""
    rest, _, fragment = url.partition("#")
    _, _, query = rest.partition("?")
    ref = None
    if fragment.startswith("#"):  # `##ref=v1,commit=<sha>,subdir=x`
        for field in fragment[1:].split(","):
            key, _, value = field.partition("=")
            key = key.strip().lower()
            if key == "commit" and value:
                return True, value
            if key == "ref":
                ref = value
    elif fragment:
        ref = fragment.split(":", 1)[0] or None
    for key, value in parse_qsl(query, keep_blank_values=True):
        key = key.lower()
        if key in ("commit", "checksum") and value:
            return True, value
        if key in ("ref", "tag", "branch") and value:
            ref = value
    if ref is not None and ("$" in ref or _SHA.match(ref)):
        return True, ref
    return False, ref


@register
class AddRemoteUnpinned(Rule):
    """ADD fetches a URL without `--checksum`, or a Git repository without a pinned commit.

    Reports each ADD source that is an `http://` or `https://` download when the
    instruction has no `--checksum` flag, and each Git source (`git@host:repo`,
    `ssh://`, `git://`, or an http(s) URL whose path ends in `.git`, as BuildKit
    tells them apart) that names no full commit SHA: a `#<sha>` fragment, a
    `?ref=<sha>`, `?commit=`/`?checksum=` query or `##...,commit=<sha>`
    fragment, or the `--checksum` flag. A tag or branch (`#v1.2.0`,
    `?branch=main`) is reported: both can be moved. Sources with variables are
    judged by their values; a ref hidden in a variable without a known value is
    taken as pinned. Also inside `ONBUILD ADD`.

    The message explains that BuildKit fetches the source again on every
    build and builds on whatever it gets.

    ## Why is this bad?
    BuildKit checks a URL, or resolves a Git ref, on every build and uses the
    content it gets: when the file on the server or the branch changes, the
    layer and everything after it change without any change to the Dockerfile,
    and nothing checks that the content is the one that was reviewed (a
    compromised server or repository goes straight into the image). A checksum
    or a commit SHA makes the source immutable, cacheable and verified.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini-static /tini
    ADD https://github.com/moby/buildkit.git#v0.14.0 /src/buildkit
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    ADD --checksum=sha256:c5b0666b4cb676901f90dfcb37106783c5fe2077b04590973b885950611b30ee \\
        https://github.com/krallin/tini/releases/download/v0.19.0/tini-static /tini
    ADD https://github.com/moby/buildkit.git#0d1c8e7b3f4ac5c2d9d8e5d4d9f1a8e0f1b2c3d4 /src/buildkit
    ```
    """

    code = "LL2004"
    name = "add-remote-unpinned"
    groups = ("cache", "security")
    severity = "warning"
    visits = ("ADD",)
    onbuild = True

    def check(self, ins, ctx):
        if len(ins.value) < 2 or len(ins.words) != len(ins.value):
            return
        if ins.flag("checksum") is not None:
            return
        for word, src in zip(ins.words[:-1], ins.value[:-1]):
            if src.startswith("<<") and ins.heredocs:
                continue
            url = expand_text(src, ins, ctx)
            if url is None:
                url = src if not src.startswith("$") else None
            if not url:
                continue
            kind = kind_of(url)
            if kind == "http":
                ctx.report(self, word.range,
                           f"ADD without `--checksum` fetches `{url}` on every build and uses whatever the server "
                           f"returns, so the layer and every later one change when the file does and its content is "
                           f"never verified; add `--checksum=sha256:<digest>`")
            elif kind == "git":
                pinned, ref = git_pin(url)
                if pinned:
                    continue
                what = f"the ref `{ref}`, a tag or branch that can move," if ref else "the default branch"
                ctx.report(self, word.range,
                           f"this Git source names no commit, so BuildKit resolves {what} again on every build and "
                           f"the layer and every later one change whenever it moves; pin a full commit SHA "
                           f"(`#<sha>`, `?commit=<sha>` or `--checksum=<sha>`)")
