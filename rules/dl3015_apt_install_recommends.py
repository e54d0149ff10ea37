from layerlint.rule import register
from layerlint.rules._package_calls import APT_SHORT_VALUES, FALSY, AptInstallOptionRule, apt_options

KEY = "APT::Install-Recommends"


def skips_recommends(call) -> bool:
    if "no-install-recommends" in call.options(APT_SHORT_VALUES):
        return True
    return any(k == KEY.lower() and v.lower() in FALSY for k, v in apt_options(call))


@register
class AptInstallRecommends(AptInstallOptionRule):
    """`apt-get install` without `--no-install-recommends`.

    Reports the `apt-get` of an `apt-get install` that neither passes
    `--no-install-recommends` nor `-o APT::Install-Recommends=false`, also inside
    `ONBUILD RUN`, heredoc scripts and exec-form RUN.

    Differences from hadolint: every spelling of the option counts
    (`-oAPT::Install-Recommends=0`, `--option=APT::Install-Recommends=no`, any
    case, values false/0/no/off; hadolint knows only the exact word
    `APT::Install-Recommends=false`), and so does an apt configuration line
    `APT::Install-Recommends "false";` written by an earlier RUN or COPY of the
    stage (or of the stage it is built FROM), as in
    `echo 'APT::Install-Recommends "0";' > /etc/apt/apt.conf.d/01norecommends`;
    `apt-get` called by path or through `sudo`, `env`, `eatmydata` and similar
    wrappers counts.

    ## Why is this bad?
    By default apt also installs every package the requested ones merely
    recommend: documentation, optional tools, whole desktop libraries. The image
    grows and carries more code to patch, for nothing the build asked for.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update \\
     && apt-get install -y curl=7.88.1-10+deb12u5 \\
     && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update \\
     && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 \\
     && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    Inserts ` --no-install-recommends` after `install` (shell-form RUN only).
    Unsafe: the recommended packages are no longer installed, and the image may
    need one of them at run time.
    """

    code = "DL3015"
    name = "apt-install-recommends"
    groups = ("packages",)
    severity = "info"
    fixable = "sometimes"

    conf_key = KEY
    conf_values = FALSY
    option = "--no-install-recommends"
    fix_safe = False
    message = "Avoid additional packages by specifying `--no-install-recommends`"

    def has_option(self, call) -> bool:
        return skips_recommends(call)
