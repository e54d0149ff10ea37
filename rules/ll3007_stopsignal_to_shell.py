from layerlint.rule import Rule, register
from layerlint.shellwords import Lex, ShellLexError
from layerlint.rules._image_config import (command_text, image_configs, is_shell_form, posix, shell_display,
                                            starts_with_exec)
from layerlint.rules._stage_sources import result_stages

_KILL = ("KILL", "SIGKILL", "9")


@register
class StopsignalToShell(Rule):
    """STOPSIGNAL is set for an image whose command runs under a shell.

    For every stage, the STOPSIGNAL, ENTRYPOINT and CMD its image ends with are
    worked out as BuildKit does (including what it inherits from a parent stage
    in the file). Reported on the STOPSIGNAL's signal when the ENTRYPOINT in
    effect is in shell form, or when the ENTRYPOINT is known to be empty
    (`FROM scratch`, `ENTRYPOINT []`) and the CMD is in shell form. Not reported
    when the shell text starts with `exec` (the shell replaces itself with the
    program), for `SIGKILL` (it ends the container whoever receives it), for a
    signal given by a variable without a known value, or when the stage's SHELL
    is not a POSIX shell.

    The message explains the mechanism: `docker stop` sends the stop signal to
    PID 1, which is `/bin/sh -c`, and the shell does not pass it on to the
    program it started.

    ## Why is this bad?
    STOPSIGNAL exists to tell a program how it wants to be stopped (nginx
    `SIGQUIT` for a graceful shutdown, `SIGINT` for many CLIs). Under a shell,
    the signal reaches the shell instead; as PID 1 without a handler it ignores
    it, and after the timeout Docker kills everything with SIGKILL, so the
    graceful shutdown never happens. (bash and some ash builds `exec` a lone
    last command themselves; dash, Debian's `/bin/sh`, does not.)

    ## Example
    ```dockerfile
    FROM scratch
    COPY --from=nginx:1.27-alpine / /
    STOPSIGNAL SIGQUIT
    ENTRYPOINT nginx -g "daemon off;"
    ```

    ## Use instead
    ```dockerfile
    FROM scratch
    COPY --from=nginx:1.27-alpine / /
    STOPSIGNAL SIGQUIT
    ENTRYPOINT ["nginx", "-g", "daemon off;"]
    ```
    """

    code = "LL3007"
    name = "stopsignal-to-shell"
    groups = ("entrypoint",)
    severity = "warning"

    def file_end(self, ctx):
        model = ctx.model
        done = set()
        configs = image_configs(model)
        for stage in result_stages(ctx):
            cfg = configs[id(stage)]
            sig = cfg.stopsignal
            if not sig.is_set or not sig.ins.words or id(sig.ins) in done:
                continue
            ep, cmd = cfg.entrypoint, cfg.cmd
            if ep.is_set and is_shell_form(ep.ins):
                runner = ep.ins
            elif ep.is_empty and cmd.is_set and is_shell_form(cmd.ins):
                runner = cmd.ins
            else:
                continue
            text = command_text(runner)
            if text is None or starts_with_exec(text) or not posix(runner, model):
                continue
            value = sig.ins.value[0] if sig.ins.value else ""
            if "$" in value:
                scope = model.scope_at.get(id(sig.ins))
                names = scope.values() if scope else {}
                lex = Lex(ctx.dockerfile.escape)
                try:
                    value = lex.process_word(value, names)
                except ShellLexError:
                    continue
                if lex.unset or not value:
                    continue
            if value.upper() in _KILL:
                continue
            done.add(id(sig.ins))
            ctx.report(self, sig.ins.words[0].range,
                       f"STOPSIGNAL {value} goes to PID 1, which is `{shell_display(runner, model)}` running the "
                       f"shell-form {runner.keyword} (line {runner.start_line}), and the shell does not pass it on "
                       f"to the program")
