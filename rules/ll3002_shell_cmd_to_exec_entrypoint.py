from layerlint.rule import Edit, Fix, Rule, register
from layerlint.rules._image_config import (command_text, exec_form, image_configs, is_shell_form,
                                            shell_display, shell_words, shorten, text_range)
from layerlint.rules._stage_sources import result_stages


@register
class ShellCmdToExecEntrypoint(Rule):
    """A shell-form CMD is passed to an exec-form ENTRYPOINT.

    For every stage, the ENTRYPOINT and CMD its image ends with are worked out as
    BuildKit does, including an ENTRYPOINT inherited from the stage the image is
    built on (`FROM <stage>`); the ENTRYPOINT of a base image outside the file is
    never assumed. When the ENTRYPOINT is a non-empty exec form and the CMD is in
    shell form, the finding points at the CMD's command.

    The message explains the mechanism: the CMD is stored as
    `["/bin/sh", "-c", "<text>"]` (the stage's SHELL), and these three strings are
    what the ENTRYPOINT receives as its arguments.

    ## Why is this bad?
    Docker runs ENTRYPOINT followed by CMD. A shell-form CMD is not split into
    words: it becomes `/bin/sh -c "<text>"`, so `ENTRYPOINT ["python"]` with
    `CMD app.py --port 80` runs `python /bin/sh -c "app.py --port 80"`. Entry
    scripts that end in `exec "$@"` happen to work, but then a shell sits between
    them and the program.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    ENTRYPOINT ["python"]
    CMD app.py --port 8080
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    ENTRYPOINT ["python"]
    CMD ["app.py", "--port", "8080"]
    ```

    ## Fix
    When the CMD is plain words (no quotes, variables, globs, operators or
    redirections; a leading `exec` is dropped; not a shell builtin), rewrites it
    in exec form. Unsafe: the ENTRYPOINT then receives different arguments.
    """

    code = "LL3002"
    name = "shell-cmd-to-exec-entrypoint"
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
            if not (ep.is_set and ep.ins.json and cmd.is_set and is_shell_form(cmd.ins)) or id(cmd.ins) in done:
                continue
            done.add(id(cmd.ins))
            text = command_text(cmd.ins)
            rng = text_range(cmd.ins)
            if text is None or rng is None:
                continue
            shell = shell_display(cmd.ins, model)
            message = (f"Shell-form CMD reaches the exec-form ENTRYPOINT `{shorten(' '.join(ep.ins.value))}` "
                       f"(line {ep.ins.start_line}) as the arguments `{shell} \"{shorten(text, 30)}\"`, "
                       f"not as separate words")
            words = shell_words(text)
            fix = None
            if words is not None:
                fix = Fix((Edit(rng, exec_form(words)),), safe=False, title="Rewrite CMD in exec form")
            ctx.report(self, rng, message, fix=fix)
