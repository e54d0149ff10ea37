import re

from layerlint.ast import Range
from layerlint.rule import Edit, Fix, Rule, register
from layerlint.rules._image_config import command_text, exec_form, is_broken, posix, shell_words


def _shell_set_before(ins, ctx) -> bool:
    """A SHELL instruction earlier in the instruction's stage or anywhere in its parent stages."""
    stage = ctx.stage_of(ins)
    while stage is not None:
        for other in stage.instructions:
            if other is ins:
                break
            if other.keyword == "SHELL":
                return True
        stage = stage.parent
    return False


@register
class ShellFormCommand(Rule):
    """CMD, ENTRYPOINT or HEALTHCHECK CMD is written in shell form.

    Reports `CMD node server.js`, `ENTRYPOINT ./run.sh` and
    `HEALTHCHECK CMD curl -f http://localhost/` (as hadolint does), pointing at the
    command. `ONBUILD CMD` is not checked.

    Difference from hadolint: as in BuildKit's JSONArgsRecommended check, a CMD or
    ENTRYPOINT is not reported when a SHELL instruction is in effect (earlier in
    its stage or in a stage it is built on): the shell form then runs under the
    shell the author chose on purpose, as PowerShell Dockerfiles do.

    Difference from hadolint: exec form is recognised exactly as BuildKit does,
    so valid JSON escapes such as `"\\/usr/bin"` do not turn a JSON array into a
    reported shell form (hadolint's JSON reader rejects them).

    ## Why is this bad?
    The shell form runs the command under `/bin/sh -c`: the shell becomes PID 1,
    so the process never sees SIGTERM from `docker stop` and is killed after the
    timeout; it also needs a shell in the image. The JSON (exec) form runs the
    program directly.

    ## Example
    ```dockerfile
    FROM node:22-alpine
    CMD node server.js
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-alpine
    CMD ["node", "server.js"]
    ```

    ## Fix
    When the command is plain words (letters, digits and `_./:=,@%+-` only: no
    quotes, variables, globs, operators, redirections or comments; a leading
    `exec` is dropped; not a shell builtin such as `cd` or `echo`) and the
    stage's shell is a POSIX shell, rewrites it in exec form:
    `CMD node server.js` → `CMD ["node", "server.js"]`.

    Unsafe: the command no longer runs under `/bin/sh -c`. It becomes PID 1 and
    receives `docker stop`'s SIGTERM itself, which changes how the container
    shuts down; an ENTRYPOINT in effect (also one inherited from a base image,
    which layerlint cannot see) receives the command's words instead of
    `/bin/sh -c "<text>"`; and an exec-form ENTRYPOINT, unlike a shell-form one,
    takes CMD and `docker run` arguments.
    """

    code = "DL3025"
    name = "shell-form-command"
    groups = ("entrypoint",)
    severity = "warning"
    aliases = ("JSONArgsRecommended",)
    fixable = "sometimes"
    visits = ("CMD", "ENTRYPOINT", "HEALTHCHECK")

    def check(self, ins, ctx):
        if ins.json or any(issue.kind == "syntax" for issue in ins.issues):
            return  # exec form, or a malformed JSON array (DL1000 reports it)
        words = ins.words
        kw = ins.keyword
        if kw == "HEALTHCHECK":
            if not ins.value or ins.value[0].upper() != "CMD":
                return
            words = words[1:]
            kw = "HEALTHCHECK CMD"
        if not words:
            return
        if kw != "HEALTHCHECK CMD" and _shell_set_before(ins, ctx):
            return
        rng = Range(words[0].range.start, words[-1].range.end)
        ctx.report(self, rng, f"Use arguments JSON notation for {kw} arguments", fix=_exec_form_fix(ins, rng, ctx))


def _exec_form_fix(ins, rng, ctx) -> Fix | None:
    text = command_text(ins)
    if text is None or is_broken(ins) or not posix(ins, ctx.model):
        return None
    words = shell_words(text)
    if words is None:
        return None
    # BuildKit drops comment lines inside a continued instruction; replacing the range would
    # drop them from the file as well, so such commands are left alone
    escape = re.escape(ctx.dockerfile.escape)
    if re.sub(escape + r"[ \t]*\n", " ", ctx.text(rng)).split() != text.split():
        return None
    return Fix((Edit(rng, exec_form(words)),), safe=False, title="Rewrite in exec (JSON) form")
