import posixpath
import re

from layerlint.ast import Range
from layerlint.rule import Edit, Fix, Rule, register
from layerlint.patterns import lazy_pattern

_WINDOWS_ABSOLUTE = lazy_pattern(r"^[A-Za-z]:[\\/]")
# characters that mean the same in a Dockerfile word and in a path, with no quoting needed
_PLAIN_PATH = lazy_pattern(r"[A-Za-z0-9_./@%+=,:-]+")


@register
class RelativeWorkdir(Rule):
    """WORKDIR is given a relative path.

    A path counts as absolute when, after surrounding quotes are removed, it
    starts with `/`, with a Windows drive followed by a separator (`C:\\` or
    `C:/`), or with a variable (`$HOME/app`, `${APP_DIR}`), whose value is not
    checked. Unlike hadolint, a bare drive prefix such as `C:app` (relative to
    the drive's current directory) is reported. `ONBUILD WORKDIR` is not checked.

    This is also BuildKit's WorkdirRelativePath check (its name works in
    `# check=skip=`), which reports only the first WORKDIR of a stage lineage
    when no absolute one precedes it; DL3000, like hadolint, reports every
    relative WORKDIR.

    ## Why is this bad?
    A relative WORKDIR is resolved against whatever working directory the base
    image happens to set, so the files end up somewhere that changes when the
    base image does. An absolute path says where they go.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    WORKDIR app
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    WORKDIR /app
    ```

    ## Fix
    When an earlier WORKDIR of the stage, or of the stage it is built on
    (`FROM <stage>`), makes the working directory known, replaces the relative
    path by the absolute one it resolves to, as BuildKit joins and cleans it:
    `WORKDIR /src` then `WORKDIR app/../build` → `WORKDIR /src/build`. Offered
    only for plain paths (no variables, quotes other than a pair around the
    path, escapes, blanks or drive letters) and a known directory without
    variables. Safe: the build uses the same directory; only its spelling
    changes. Without an earlier WORKDIR the directory depends on the base image
    and no fix is offered.
    """

    code = "DL3000"
    aliases = ("WorkdirRelativePath",)
    name = "relative-workdir"
    groups = ("style",)
    severity = "error"
    fixable = "sometimes"
    visits = ("WORKDIR",)

    def check(self, ins, ctx):
        if not ins.words:
            return
        path = ins.value[0].strip("\"'") if ins.value else ""
        if path.startswith(("/", "$")) or _WINDOWS_ABSOLUTE.match(path):
            return
        rng = Range(ins.words[0].range.start, ins.words[-1].range.end)
        ctx.report(self, rng, f"Use absolute WORKDIR: `{ins.value[0]}` is a relative path",
                   fix=_absolute_fix(ins, rng, ctx))


def _unquoted(written: str) -> str:
    if len(written) >= 2 and written[0] == written[-1] and written[0] in "'\"":
        return written[1:-1]
    return written


def _known_base(ins, ctx) -> str | None:
    """The working directory before `ins`, from WORKDIRs of its stage chain written without variables.

    Computed here rather than taken from the model, which expands ARG defaults: a
    `--build-arg` may change those, so a directory built from them is not known.
    """
    stage = ctx.stage_of(ins)
    relative: list[str] = []
    before = ins
    while stage is not None:
        earlier = stage.instructions
        if before is not None:
            earlier = earlier[:next((i for i, other in enumerate(earlier) if other is before), len(earlier))]
        for other in reversed(earlier):
            if other.keyword == "ONBUILD" and other.trigger is not None and other.trigger.keyword == "WORKDIR":
                return None  # runs in a later stage built on this one, changing its directory
            if other.keyword != "WORKDIR" or not other.value:
                continue
            path = _unquoted(other.value[0])
            if len(other.value) != 1 or not _PLAIN_PATH.fullmatch(path) or re.match(r"^[A-Za-z]:", path):
                return None
            if path.startswith("/"):
                return posixpath.normpath(posixpath.join(path, *reversed(relative)))
            relative.append(path)
        stage, before = stage.parent, None
    return None


def _absolute_fix(ins, rng, ctx) -> Fix | None:
    """The path joined to the working directory earlier WORKDIRs of the stage chain set."""
    written = ins.value[0]
    path = _unquoted(written)
    if len(ins.value) != 1 or not _PLAIN_PATH.fullmatch(path) or re.match(r"^[A-Za-z]:", path):
        return None
    base = _known_base(ins, ctx)
    if base is None:
        return None
    absolute = posixpath.normpath(posixpath.join(base, path))
    if absolute.startswith("//"):  # normpath keeps a leading `//`; BuildKit's Clean does not
        absolute = "/" + absolute.lstrip("/")
    quote = written[0] if path != written else ""
    return Fix((Edit(rng, quote + absolute + quote),), safe=True, title=f"Write `{absolute}`")
