from layerlint.rule import register
from layerlint.rules._command_words import DNF_NAMES, ShellCommandRule, insert_after, invocations, rpm_command

DNF_YES_ACTIONS = frozenset({"install", "in", "groupinstall", "localinstall", "group install", "groups install",
                             "module install"})


@register
class DnfWithoutAssumeYes(ShellCommandRule):
    """`dnf install` or `microdnf install` without `-y`.

    Finds `dnf` / `microdnf` `install` (and its alias `in`), `groupinstall`,
    `localinstall`, `group install` and `module install` run without `-y` /
    `--assumeyes`, also inside ONBUILD and in heredoc scripts. The finding
    points at the `dnf` word.

    Differences from hadolint:
    - the subcommand is the first operand, so an option value or package
      called `install` does not count;
    - `--setopt=assumeyes=1` counts as `-y`;
    - the `in` alias, `dnf5`, and dnf run by path or through `sudo`, `env` and
      similar wrappers are checked too;
    - exec-form RUN and RUN under a non-POSIX SHELL are not analysed (hadolint
      reads them as sh).

    ## Why is this bad?
    A build has no terminal: dnf asks "Is this ok [y/N]", reads end-of-file
    and aborts with "Operation aborted", so the build fails.

    ## Example
    ```dockerfile
    FROM fedora:40
    RUN dnf install httpd-2.4.62 && dnf clean all
    ```

    ## Use instead
    ```dockerfile
    FROM fedora:40
    RUN dnf install -y httpd-2.4.62 && dnf clean all
    ```

    ## Fix
    Inserts ` -y` after the subcommand. Safe for dnf: without it the command
    can only abort at the prompt (or read its answer from a pipe, which `-y`
    answers the same way). Unsafe for microdnf, whose oldest releases reject
    `-y`.
    """

    code = "DL3038"
    name = "dnf-without-assume-yes"
    groups = ("packages",)
    severity = "warning"
    fixable = "always"

    def check_script(self, script, ins, ctx):
        for inv in invocations(script, *DNF_NAMES):
            rc = rpm_command(inv)
            if rc.action not in DNF_YES_ACTIONS or rc.assumes_yes():
                continue
            ctx.report(self, inv.name.range,
                       "Use the -y switch to avoid manual input `dnf install -y <package>`",
                       fix=insert_after(rc.action_word, " -y", "Add -y", safe=inv.basename != "microdnf"))
