from layerlint.rule import register
from layerlint.rules._package_calls import APT_SHORT_VALUES, TRUTHY, AptInstallOptionRule, apt_options
from layerlint.patterns import lazy_pattern

KEY = "APT::Get::Assume-Yes"
_QUIET_LEVEL = lazy_pattern(r"^(?:-q|--quiet)=(\d+)$")


def assumes_yes(call) -> bool:
    """-y/--yes/--assume-yes, quiet level 2 (`-qq`, `-q -q`, `-q=2`), or `-o APT::Get::Assume-Yes=true`."""
    opts = call.options(APT_SHORT_VALUES)
    if "y" in opts or "yes" in opts or "assume-yes" in opts:
        return True
    quiet = opts.count("q") + opts.count("quiet")
    for a in call.args:
        m = _QUIET_LEVEL.match(a.value)
        if m:
            quiet += int(m.group(1)) - 1
    if quiet >= 2:
        return True
    return any(k == KEY.lower() and v.lower() in TRUTHY for k, v in apt_options(call))


@register
class AptInstallWithoutYes(AptInstallOptionRule):
    """`apt-get install` without `-y`.

    Reports the `apt-get` of an `apt-get install` that has none of `-y`,
    `--yes`, `--assume-yes`, also inside `ONBUILD RUN`, heredoc scripts and
    exec-form RUN. Quiet level 2 (`-qq`, `-q -q`, `-q=2`) implies `-y`, as does
    `-o APT::Get::Assume-Yes=true`.

    Differences from hadolint: `-o APT::Get::Assume-Yes=true` and an apt
    configuration line `APT::Get::Assume-Yes "true";` written by an
    earlier RUN or COPY of the stage (or of the stage it is built FROM) count as
    `-y`; letters inside the value of `-o` (`-oDebug::X=yes`) are not taken for
    flags; `apt-get` called by path or through `sudo`, `env`, `eatmydata` and
    similar wrappers counts.

    ## Why is this bad?
    A build has no terminal to answer apt-get's confirmation prompt: apt-get
    reads end-of-input, takes it as "no" and aborts, failing the build as soon
    as an install needs extra packages.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update \\
     && apt-get install --no-install-recommends curl=7.88.1-10+deb12u5 \\
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
    Inserts ` -y` after `install` (shell-form RUN only). Safe: it only answers
    the prompt that would otherwise abort the build.
    """

    code = "DL3014"
    name = "apt-install-without-yes"
    groups = ("packages",)
    severity = "warning"
    fixable = "sometimes"

    conf_key = KEY
    conf_values = TRUTHY
    option = "-y"
    fix_safe = True
    message = "Use the `-y` switch to avoid manual input `apt-get -y install <package>`"

    def has_option(self, call) -> bool:
        return assumes_yes(call)
