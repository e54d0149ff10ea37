import re

from layerlint.ast import Range
from layerlint.rule import Rule, register

_WINDOWS_ABSOLUTE = re.compile(r"^[A-Za-z]:[\\/]")


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
    """

    code = "DL3000"
    aliases = ("WorkdirRelativePath",)
    name = "relative-workdir"
    groups = ("style",)
    severity = "error"
    visits = ("WORKDIR",)

    def check(self, ins, ctx):
        if not ins.words:
            return
        path = ins.value[0].strip("\"'") if ins.value else ""
        if path.startswith(("/", "$")) or _WINDOWS_ABSOLUTE.match(path):
            return
        rng = Range(ins.words[0].range.start, ins.words[-1].range.end)
        ctx.report(self, rng, f"Use absolute WORKDIR: `{ins.value[0]}` is a relative path")
