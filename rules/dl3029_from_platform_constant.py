from layerlint.rule import Rule, register
from layerlint.shellwords import referenced_names

# BuildKit's automatic platform ARGs: a --platform built from them follows the build
AUTOMATIC_PLATFORM_ARGS = frozenset({"BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT", "TARGETPLATFORM",
                                     "TARGETOS", "TARGETARCH", "TARGETVARIANT"})
_OSES = frozenset({"linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris", "illumos", "aix",
                   "android", "ios", "js", "wasip1", "plan9", "dragonfly"})
_ARCH_ALIASES = {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "armhf": "arm", "armel": "arm",
                 "i386": "386", "i686": "386", "x86": "386"}


def _os_and_arch(platform: str) -> tuple[str, str]:
    parts = platform.lower().split("/")
    if len(parts) == 1:
        return (parts[0], "") if parts[0] in _OSES else ("", _ARCH_ALIASES.get(parts[0], parts[0]))
    return parts[0], _ARCH_ALIASES.get(parts[1], parts[1])


@register
class FromPlatformConstant(Rule):
    """FROM `--platform` pins a stage to a fixed platform.

    Reported when the value of `--platform` does not use one of BuildKit's
    automatic platform ARGs (`$BUILDPLATFORM`, `$TARGETPLATFORM`, `$BUILDOS`,
    `$BUILDARCH`, `$TARGETOS`, `$TARGETARCH`, and their `VARIANT`s): a literal
    such as `linux/amd64`, or an ARG of your own (its default pins the stage just
    the same). `--platform=$TARGETPLATFORM` is the default anyway; DL3065 reports
    it. The finding points at the value.

    Differences from hadolint: `$BUILDOS/$BUILDARCH` and the other automatic
    platform ARGs are accepted, not only values containing `BUILDPLATFORM` or
    `TARGETPLATFORM` (hadolint accepts any value containing those words, even as
    plain text); and, as in BuildKit's `FromPlatformFlagConstDisallowed` check,
    a literal platform is accepted when the stage name mentions its OS or
    architecture (`FROM --platform=linux/arm64 golang AS build-arm64`): such
    per-platform stages are deliberate. That makes it BuildKit's
    FromPlatformFlagConstDisallowed check too (its name works in
    `# check=skip=`); DL3029 also reports `--platform=$OWN_ARG`, as hadolint does.

    ## Why is this bad?
    A stage pinned to one platform builds the same architecture whatever
    `docker buildx build --platform` asks for: multi-platform builds silently
    contain binaries for the wrong CPU, or run under slow emulation.

    ## Example
    ```dockerfile
    FROM --platform=linux/amd64 golang:1.23 AS build
    RUN go build -o /out/app .
    ```

    ## Use instead
    ```dockerfile
    FROM --platform=$BUILDPLATFORM golang:1.23 AS build
    ARG TARGETOS TARGETARCH
    RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
    ```
    """

    code = "DL3029"
    aliases = ("FromPlatformFlagConstDisallowed",)
    name = "from-platform-constant"
    groups = ("stages",)
    severity = "warning"
    visits = ("FROM",)

    def check(self, ins, ctx):
        flag = ins.flag("platform")
        if flag is None or not flag.value or flag.value_range is None:
            return
        names = referenced_names(flag.value)
        if any(n in AUTOMATIC_PLATFORM_ARGS for n in names):
            return
        if not names:
            stage = ctx.model.stage_of.get(id(ins))
            if stage is not None and stage.name:
                os_, arch = _os_and_arch(flag.value)
                if (os_ and os_ in stage.name) or (arch and arch in stage.name):
                    return
        ctx.report(self, flag.value_range,
                   f"Do not use --platform flag with FROM: `{flag.value}` pins the stage to one platform")
