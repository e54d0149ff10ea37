from layerlint.rule import Rule, register


@register
class MultipleCmd(Rule):
    """A stage has more than one CMD.

    Every CMD of a stage except the last is reported, on its keyword, as
    BuildKit's MultipleInstructionsDisallowed does (hadolint reports every CMD
    except the first instead). `ONBUILD CMD` does not count.

    ## Why is this bad?
    Only the last CMD takes effect; the earlier ones are dead code that misleads
    the reader about what the container runs.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    CMD ["python", "manage.py", "migrate"]
    CMD ["gunicorn", "app:app"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    CMD ["gunicorn", "app:app"]
    ```
    """

    code = "DL4003"
    name = "multiple-cmd"
    groups = ("entrypoint",)
    severity = "warning"
    aliases = ("MultipleInstructionsDisallowed",)
    visits = ("CMD",)

    def check(self, ins, ctx):
        if ctx.stage is not None:
            ctx.stage_state(self).setdefault("seen", []).append(ins)

    def stage_end(self, stage, ctx):
        seen = ctx.stage_state(self, stage).get("seen", [])
        if len(seen) < 2:
            return
        last = seen[-1]
        for ins in seen[:-1]:
            ctx.report(self, ins.keyword_range,
                       f"Multiple CMD instructions found: only the last one (line {last.start_line}) takes effect")
