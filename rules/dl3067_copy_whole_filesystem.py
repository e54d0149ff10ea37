import posixpath

from layerlint.model import ImageRef
from layerlint.rule import Rule, register
from layerlint.rules._stage_sources import possible_parents, stage_named
from layerlint.shellwords import Lex, ShellLexError

# tonistiigi/xx, the cross-compilation helper: an image of a few scripts meant to be copied whole
COPY_WHOLE_IMAGES = ("tonistiigi/xx",)


def _is_root(path: str, escape: str, json: bool) -> bool:
    if not json:
        try:
            path = Lex(escape).process_word(path, {})
        except ShellLexError:
            path = path.strip("\"'")
    path = path.strip()
    return path.startswith("/") and posixpath.normpath(path).strip("/") == ""


def _copied_whole(image: ImageRef) -> bool:
    if image.is_scratch:
        return True
    hub = image.registry is None or image.registry.lower() in ("docker.io", "index.docker.io")
    return hub and image.repository.lower() in COPY_WHOLE_IMAGES


def _meant_to_be_copied_whole(value: str, model) -> bool:
    """The source is a stage built FROM scratch (only files put there on purpose), or the xx helper."""
    stage = stage_named(model, value)
    if stage is None:
        return _copied_whole(ImageRef.parse(value))
    seen = set()
    todo = [stage]
    while todo:  # every stage the source may be built on must qualify
        s = todo.pop()
        if id(s) in seen:
            continue
        seen.add(id(s))
        parents = possible_parents(s, model)
        if parents:
            todo.extend(parents)
        elif not _copied_whole(s.image):
            return False
    return True


@register
class CopyWholeFilesystem(Rule):
    """`COPY --from=<stage> / /` copies another stage's whole filesystem.

    Reported when a COPY with `--from` (a stage or an image) has `/` among its
    sources and `/` as its destination. The finding points at the `/` source.

    Differences from hadolint: a source stage built (directly or through its
    parents, also `FROM binaries-$TARGETOS` when every stage that can match is)
    `FROM scratch` is accepted, since its `/` holds only the files put
    there on purpose (export stages, `COPY --from=binaries / /`); so is the
    `tonistiigi/xx` cross-compilation helper, which Docker's multi-platform
    guide copies whole (`COPY --from=xx / /`), as do BuildKit's and buildx's own
    Dockerfiles. Spellings of the root such as `/.` and `//` count as `/` too
    (hadolint compares the text with `/`).

    ## Why is this bad?
    Copying `/` brings the other stage's whole system: package databases, users,
    caches and build tools, overwriting the current stage's files. The result is
    a larger image whose content nobody chose, and `FROM <stage>` would say the
    same more honestly.

    ## Example
    ```dockerfile
    FROM golang:1.23 AS build
    RUN go build -o /out/app .
    FROM gcr.io/distroless/static-debian12
    COPY --from=build / /
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.23 AS build
    RUN go build -o /out/app .
    FROM gcr.io/distroless/static-debian12
    COPY --from=build /out/app /app
    ```
    """

    code = "DL3067"
    name = "copy-whole-filesystem"
    groups = ("copy", "stages")
    severity = "warning"
    visits = ("COPY",)

    def check(self, ins, ctx):
        flag = ins.flag("from")
        if flag is None or len(ins.value) < 2 or len(ins.words) != len(ins.value):
            return
        escape = ctx.dockerfile.escape
        if not _is_root(ins.value[-1], escape, ins.json):
            return
        if flag.value and "$" not in flag.value and _meant_to_be_copied_whole(flag.value, ctx.model):
            return
        for word, src in zip(ins.words[:-1], ins.value[:-1]):
            if _is_root(src, escape, ins.json):
                ctx.report(self, word.range,
                           "Do not copy an entire filesystem from another stage: `COPY --from=... / /`")
                return
