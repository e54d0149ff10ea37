from layerlint.rule import register
from layerlint.rules._command_words import ShellCommandRule, insert_after, invocations, zypper_command

ZYPPER_PROMPTING = frozenset({"install", "in", "remove", "rm", "source-install", "si", "patch"})


@register
class ZypperWithoutNonInteractive(ShellCommandRule):
    """`zypper install` without a non-interactive switch.

    Finds `zypper` `install`/`in`, `remove`/`rm`, `source-install`/`si` and
    `patch` run without `-n` / `--non-interactive` (global) or `-y` /
    `--no-confirm` (command option), also inside ONBUILD and in heredoc
    scripts. As in hadolint, any of the four is accepted wherever it appears.
    The finding points at the `zypper` word.

    Differences from hadolint:
    - the subcommand is the first operand after the global options, so an
      option value or package called `install` does not count;
    - zypper run by path or through `sudo`, `env` and similar wrappers is
      checked;
    - exec-form RUN and RUN under a non-POSIX SHELL are not analysed (hadolint
      reads them as sh).

    ## Why is this bad?
    A build has no terminal: zypper asks "Continue? [y/n/v/...? shows all
    options] (y)" and, reading end-of-file, aborts, so the build fails.

    ## Example
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper install httpd=2.4.58 && zypper clean
    ```

    ## Use instead
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper --non-interactive install httpd=2.4.58 && zypper clean
    ```

    ## Fix
    Inserts the global option ` -n` after `zypper`, valid for every
    subcommand. Safe: without it the command can only abort at the prompt (or
    read its answer from a pipe, which `-n` answers with the default the same
    way).
    """

    code = "DL3034"
    name = "zypper-without-non-interactive"
    groups = ("packages",)
    severity = "warning"
    fixable = "always"

    def check_script(self, script, ins, ctx):
        for inv in invocations(script, "zypper"):
            zc = zypper_command(inv)
            if zc.sub not in ZYPPER_PROMPTING or zc.has("-n", "--non-interactive", "-y", "--no-confirm"):
                continue
            ctx.report(self, inv.name.range,
                       "Non-interactive switch missing from `zypper` command: `zypper install -y`",
                       fix=insert_after(inv.name, " -n", "Add -n (--non-interactive)"))
