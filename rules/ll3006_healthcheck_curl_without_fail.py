import os

from layerlint.ast import Range
from layerlint.rule import Edit, Fix, Rule, register
from layerlint.rules._image_config import analyse_command, command_text, is_broken
from layerlint.shell import ExecWord, Program, script_programs, unwrap

# curl options after which a program other than curl's exit status judges the answer
_OUTPUT_LONG = ("--output", "--remote-name", "--write-out", "--dump-header", "--output-dir", "--config")
_OUTPUT_SHORT = "oOwDK"
# commands that can sit next to curl without looking at what it fetched
_NEUTRAL = frozenset({"curl", "exit", "true", "false", ":", "echo", "printf", "sleep"})


def _fails_on_http_errors(prog) -> bool:
    return prog.has_short_flag("f") or prog.has_long_flag("--fail", "--fail-with-body")


def _output_examined(prog) -> bool:
    return any(prog.has_short_flag(ch) for ch in _OUTPUT_SHORT) or prog.has_long_flag(*_OUTPUT_LONG)


def _options_unknown(prog) -> bool:
    """A word that is a variable as a whole (`$CURL_OPTS`, `"${OPTS}"`) may carry `--fail`."""
    return any(a.text.lstrip('"').startswith("$") for a in prog.args)


@register
class HealthcheckCurlWithoutFail(Rule):
    """HEALTHCHECK CMD runs curl without `--fail`.

    Reports a `curl` that decides the health check's exit status and has no
    `-f`, `--fail` or `--fail-with-body`: in exec form, `curl` as the command
    (wrappers such as `timeout 5` looked through); in shell form, a curl that is
    not in a pipeline or command substitution, in a script whose other commands
    (`exit`, `echo`, `true`, ...) do not look at what curl fetched. A curl that
    writes its output or status code somewhere (`-o`, `-w`, `-D`, `-K`) is left
    alone, as is one with an argument that is a variable as a whole
    (`$CURL_OPTS` may hold `--fail`) and a stage whose SHELL is not a POSIX
    shell (PowerShell's `curl` is another command). The finding points at `curl`.

    The message explains the mechanism: curl exits 0 whenever the server
    answers, even with 404 or 500, so the check only fails when nothing listens.

    ## Why is this bad?
    Docker marks a container unhealthy only when the check command exits
    non-zero. Without `--fail`, curl reports HTTP errors as success, so a
    service that answers every request with 500 stays "healthy" and keeps
    getting traffic.

    ## Example
    ```dockerfile
    FROM nginx:1.27
    HEALTHCHECK --interval=30s CMD curl http://localhost/ || exit 1
    ```

    ## Use instead
    ```dockerfile
    FROM nginx:1.27
    HEALTHCHECK --interval=30s CMD curl --fail http://localhost/ || exit 1
    ```

    ## Fix
    Adds `--fail` right after `curl`. Unsafe: the check starts failing on HTTP
    error responses, which is the point, but may mark a container unhealthy
    that was reported healthy before.
    """

    code = "LL3006"
    name = "healthcheck-curl-without-fail"
    groups = ("entrypoint",)
    severity = "warning"
    fixable = "always"
    visits = ("HEALTHCHECK",)
    onbuild = True

    def check(self, ins, ctx):
        if len(ins.value) < 2 or ins.value[0].upper() != "CMD" or is_broken(ins):
            return
        if ins.json:
            items = [ExecWord(w.text, w.text, w.range) for w in ins.words[1:]]
            if not items or len(items) != len(ins.value) - 1:
                return
            name, args, _ = unwrap(items[0], items[1:], {})
            if name is None or os.path.basename(name.value) != "curl":
                return
            prog = Program(name, args, {}, True)
            if not _fails_on_http_errors(prog) and not _output_examined(prog):
                self._report(ctx, prog, ', "--fail"')
            return
        text = command_text(ins)
        script = analyse_command(ins, text, ctx.model) if text else None
        if script is None or script.errors:
            return
        progs = script_programs(script)
        if any(p.basename not in _NEUTRAL for p in progs) or any(c.command.in_pipeline for c in progs):
            return
        for prog in progs:
            cmd = prog.command
            if prog.basename != "curl" or cmd.in_subshell:
                continue
            if not (_fails_on_http_errors(prog) or _output_examined(prog) or _options_unknown(prog)):
                self._report(ctx, prog, " --fail")

    def _report(self, ctx, prog, insertion):
        end = prog.name.range.end
        ctx.report(self, prog.name.range,
                   "curl exits 0 whenever the server answers, even with 404 or 500, so without --fail this "
                   "health check only fails when nothing is listening",
                   fix=Fix((Edit(Range(end, end), insertion),), safe=False, title="Add --fail to curl"))
