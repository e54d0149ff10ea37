from layerlint.rule import register
from layerlint.rules._command_words import ShellCommandRule, insert_after, invocations, rpm_command

YUM_YES_ACTIONS = frozenset({"install", "groupinstall", "localinstall", "group install", "groups install",
                             "module install"})


@register
class YumWithoutAssumeYes(ShellCommandRule):
    """`yum install` without `-y`.

    Finds `yum install`, `groupinstall`, `localinstall`, `group install` and
    `module install` run without `-y` / `--assumeyes`, also inside ONBUILD and
    in heredoc scripts. The finding points at the `yum` word.

    Differences from hadolint:
    - the subcommand is the first operand, so a package or option value that
      happens to be called `install` does not count;
    - `--setopt=assumeyes=1` counts as `-y`;
    - yum run by path (`/usr/bin/yum`) or through `sudo`, `env` and similar
      wrappers is checked;
    - exec-form RUN and RUN under a non-POSIX SHELL are not analysed (hadolint
      reads them as sh).

    ## Why is this bad?
    A build has no terminal: yum asks "Is this ok [y/N]", reads end-of-file
    and aborts, so the build fails.

    ## Example
    ```dockerfile
    FROM centos:7
    RUN yum install httpd-2.4.6 && yum clean all
    ```

    ## Use instead
    ```dockerfile
    FROM centos:7
    RUN yum install -y httpd-2.4.6 && yum clean all
    ```

    ## Fix
    Inserts ` -y` after the subcommand. Safe: without it the command can only
    abort at the prompt (or read its answer from a pipe, which `-y` answers
    the same way).
    """

    code = "DL3030"
    name = "yum-without-assume-yes"
    groups = ("packages",)
    severity = "warning"
    fixable = "always"

    def check_script(self, script, ins, ctx):
        for inv in invocations(script, "yum"):
            rc = rpm_command(inv)
            if rc.action not in YUM_YES_ACTIONS or rc.assumes_yes():
                continue
            ctx.report(self, inv.name.range,
                       "Use the -y switch to avoid manual input `yum install -y <package>`",
                       fix=insert_after(rc.action_word, " -y", "Add -y"))
