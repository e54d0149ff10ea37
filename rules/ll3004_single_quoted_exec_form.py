from layerlint.rule import Edit, Fix, Rule, register
from layerlint.rules._image_config import command_text, is_broken, shell_display, shorten, text_range
from layerlint.patterns import lazy_pattern

_ITEM = r"""(?:'[^']*'|"(?:[^"\\]|\\.)*")"""
_ARRAY = lazy_pattern(rf"\[\s*{_ITEM}(?:\s*,\s*{_ITEM})*\s*\]")
_TOKEN = lazy_pattern(_ITEM)


@register
class SingleQuotedExecForm(Rule):
    """A JSON-looking command array uses single quotes, so it is shell form.

    Checks RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD (also as ONBUILD triggers)
    whose arguments look like an exec-form array (`[`, quoted items separated
    by commas, `]`) with at least one item in single quotes. JSON strings need
    double quotes, so BuildKit does not read it as exec form and hands the
    whole text to the shell.

    The message explains the mechanism: the instruction is in shell form and
    the shell (`/bin/sh -c` or the stage's SHELL) receives the bracketed text
    itself, which it tries to run as a command named `[item,`.

    ## Why is this bad?
    `CMD ['node', 'server.js']` is stored as
    `["/bin/sh", "-c", "['node', 'server.js']"]`; the container fails with
    `[node,: not found`. A RUN written that way fails the build.

    ## Example
    ```dockerfile
    FROM node:22-alpine
    CMD ['node', 'server.js']
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-alpine
    CMD ["node", "server.js"]
    ```

    ## Fix
    Replaces the single quotes with double quotes when no single-quoted item
    contains `"` or `\\` and the array is on one line. Marked safe: the
    single-quoted form cannot work, and the double-quoted one runs the program
    the author listed.
    """

    code = "LL3004"
    name = "single-quoted-exec-form"
    groups = ("entrypoint", "syntax")
    severity = "error"
    fixable = "sometimes"
    visits = ("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK")
    onbuild = True

    def check(self, ins, ctx):
        text = command_text(ins)
        if text is None or ins.heredocs or is_broken(ins):
            return
        stripped = text.strip()
        if not _ARRAY.fullmatch(stripped) or not any(t.startswith("'") for t in _TOKEN.findall(stripped)):
            return
        rng = text_range(ins)
        if rng is None:
            return
        kw = "HEALTHCHECK CMD" if ins.keyword == "HEALTHCHECK" else ins.keyword
        shell = shell_display(ins, ctx.model)
        message = (f"Single quotes are not JSON, so this {kw} is in shell form and `{shell}` receives the text "
                   f"`{shorten(stripped)}` instead of running the listed program")
        fix = None
        src = ctx.text(rng)
        tokens = _TOKEN.findall(src)
        if "\n" not in src and not any(t.startswith("'") and ('"' in t or "\\" in t) for t in tokens):
            new = _TOKEN.sub(lambda m: '"' + m.group()[1:-1] + '"' if m.group().startswith("'") else m.group(),
                             src)
            fix = Fix((Edit(rng, new),), safe=True, title="Use double quotes")
        ctx.report(self, rng, message, fix=fix)
