from layerlint.rule import register
from layerlint.rules._command_words import ShellCommandRule, insert_after, invocations, parse_options

# GNU wget short options that take a value (`-nv` is `-n` with the value `v`)
WGET_SHORT_VALUE = "aABDeilnoOPQRtTUwX"
WGET_LONG_VALUE = frozenset({"--output-file", "--append-output", "--progress", "--output-document", "--execute",
                             "--input-file", "--tries", "--timeout", "--wait", "--directory-prefix", "--level",
                             "--accept", "--reject", "--domains", "--user-agent", "--header"})
QUIET_OPTIONS = ("-q", "--quiet", "-o", "--output-file", "-a", "--append-output", "--progress", "--no-verbose")


@register
class WgetWithoutProgress(ShellCommandRule):
    """`wget` without `--progress` or a quiet option.

    Finds `wget` run without `--progress=...`, `-q` / `--quiet`, `-nv` /
    `--no-verbose`, or a log file (`-o` / `--output-file`, `-a` /
    `--append-output`), also `busybox wget`, inside ONBUILD and in heredoc
    scripts. The finding points at the `wget` word.

    Differences from hadolint:
    - options are read as wget reads them, so a letter inside the value of an
      option is not taken for an option (`-Oq` writes to the file `q`; it is
      not `-q`);
    - wget run by path (`/usr/bin/wget`) or through `sudo`, `env` and similar
      wrappers is checked;
    - exec-form RUN and RUN under a non-POSIX SHELL are not analysed (hadolint
      reads them as sh).

    ## Why is this bad?
    wget's default progress display prints a line of dots for every few
    kilobytes; a download of a few hundred MB adds thousands of lines to the
    build log, hiding the output that matters.

    ## Example
    ```dockerfile
    FROM debian:12
    RUN wget https://example.com/tool.tar.gz
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12
    RUN wget --progress=dot:giga https://example.com/tool.tar.gz
    ```

    ## Fix
    Inserts ` --progress=dot:giga` after `wget`. Unsafe: BusyBox wget (the
    `wget` of Alpine images) does not know the option and fails; no fix is
    offered for an explicit `busybox wget`.
    """

    code = "DL3047"
    name = "wget-without-progress"
    groups = ("shell",)
    severity = "info"
    fixable = "sometimes"

    def check_script(self, script, ins, ctx):
        for inv in invocations(script, "wget"):
            parsed = parse_options(inv.args, WGET_SHORT_VALUE, WGET_LONG_VALUE)
            if parsed.has(*QUIET_OPTIONS) or "v" in parsed.values("-n"):
                continue
            busybox = inv.name is not inv.command.name and inv.command.basename == "busybox"
            fix = None if busybox else insert_after(inv.name, " --progress=dot:giga", "Add --progress=dot:giga",
                                                    safe=False)
            ctx.report(self, inv.name.range,
                       "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. "
                       "Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`).",
                       fix=fix)
