from layerlint.rule import register
from layerlint.rules._command_words import ShellCommandRule, invocations, zypper_command


@register
class ZypperDistUpgrade(ShellCommandRule):
    """`zypper dist-upgrade` (`dup`) in a RUN.

    The finding points at the `dist-upgrade` / `dup` word, also inside ONBUILD
    and in heredoc scripts.

    Differences from hadolint:
    - only the subcommand counts: a package or option value named `dup` does
      not;
    - zypper run by path or through `sudo`, `env` and similar wrappers is
      checked;
    - exec-form RUN and RUN under a non-POSIX SHELL are not analysed (hadolint
      reads them as sh).

    ## Why is this bad?
    A distribution upgrade inside a build moves the whole system to whatever
    the repositories offer that day, possibly a new release with changed
    vendors and packages: the image is no longer reproducible and may break.
    Use a base image of the release you want instead, and `zypper patch` or
    `zypper update` for fixes.

    ## Example
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper --non-interactive dup && zypper clean
    ```

    ## Use instead
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper --non-interactive patch && zypper clean
    ```
    """

    code = "DL3035"
    name = "zypper-dist-upgrade"
    groups = ("packages",)
    severity = "warning"

    def check_script(self, script, ins, ctx):
        for inv in invocations(script, "zypper"):
            zc = zypper_command(inv)
            if zc.sub in ("dist-upgrade", "dup"):
                ctx.report(self, zc.sub_word.range, "Do not use `zypper dist-upgrade`.")
