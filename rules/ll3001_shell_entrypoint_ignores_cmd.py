from layerlint.rule import Edit, Fix, Rule, register
from layerlint.rules._image_config import (command_text, exec_form, image_configs, is_shell_form, posix,
                                            shell_display, shell_words, show, starts_with_exec, text_range,
                                            uses_positional)
from layerlint.rules._stage_sources import result_stages


@register
class ShellEntrypointIgnoresCmd(Rule):
    """A shell-form ENTRYPOINT is in effect together with a CMD, which it ignores.

    For every stage, the ENTRYPOINT and CMD its image ends with are worked out as
    BuildKit does, including what a stage inherits from the stage it is built on
    (`FROM <stage>`); a CMD from a base image outside the file is never assumed.
    When the ENTRYPOINT is in shell form and a CMD is set, the finding points at
    the ENTRYPOINT's command and names the CMD. Not reported when the shell text
    reads the positional parameters (`"$@"`, `$1`, `$0`...), which is how a shell
    entrypoint can receive the CMD, or when the stage's SHELL is not a POSIX shell
    (cmd and PowerShell join the extra arguments into the command line). A
    shell-form ENTRYPOINT without any CMD is left to DL3025.

    The message explains the mechanism: the image runs `/bin/sh -c "<text>"` as
    PID 1 and the CMD items become the shell's `$0`, `$1`..., which the text never
    reads; the shell does not forward SIGTERM (bash and some ash builds `exec` a
    lone last command, dash does not).

    ## Why is this bad?
    Docker appends the CMD (and any `docker run` arguments) to the ENTRYPOINT.
    A shell-form ENTRYPOINT is `["/bin/sh", "-c", "<text>"]`, so those arguments
    land after the script as unused positional parameters: the CMD written in the
    Dockerfile is dead, `docker run image --debug` silently does nothing, and the
    shell, not the program, receives `docker stop`'s SIGTERM.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    ENTRYPOINT gunicorn app:app
    CMD ["--workers", "4"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    ENTRYPOINT ["gunicorn", "app:app"]
    CMD ["--workers", "4"]
    ```

    ## Fix
    When the command is plain words (no quotes, variables, globs, operators or
    redirections; a leading `exec` is dropped; not a shell builtin), rewrites the
    ENTRYPOINT in exec form. Unsafe: the CMD and `docker run` arguments start
    reaching the program, and the program becomes PID 1.
    """

    code = "LL3001"
    name = "shell-entrypoint-ignores-cmd"
    groups = ("entrypoint",)
    severity = "warning"
    fixable = "sometimes"

    def file_end(self, ctx):
        model = ctx.model
        done = set()
        configs = image_configs(model)
        for stage in result_stages(ctx):
            cfg = configs[id(stage)]
            ep, cmd = cfg.entrypoint, cfg.cmd
            if not (ep.is_set and is_shell_form(ep.ins) and cmd.is_set) or id(ep.ins) in done:
                continue
            done.add(id(ep.ins))
            text = command_text(ep.ins)
            rng = text_range(ep.ins)
            if text is None or rng is None or not posix(ep.ins, model) or uses_positional(text):
                continue
            shell = shell_display(ep.ins, model)
            tail = ("" if starts_with_exec(text) else
                    ", and the shell, not the program, is PID 1 and does not pass SIGTERM on")
            message = (f"Shell-form ENTRYPOINT runs as `{shell} \"...\"`, which ignores the CMD "
                       f"(`{show(cmd.ins)}`, line {cmd.ins.start_line}) and any `docker run` arguments{tail}")
            words = shell_words(text)
            fix = None
            if words is not None:
                fix = Fix((Edit(rng, exec_form(words)),), safe=False, title="Rewrite ENTRYPOINT in exec form")
            ctx.report(self, rng, message, fix=fix)
