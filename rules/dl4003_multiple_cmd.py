from layerlint.rule import register
from layerlint.rules._last_one_wins import LastOneWins


@register
class MultipleCmd(LastOneWins):
    """A stage has more than one CMD.

    Every CMD of a stage except the last is reported, on its keyword, as
    BuildKit's MultipleInstructionsDisallowed does. `ONBUILD CMD` does not count.

    Difference from hadolint: hadolint reports every CMD except the first; the
    finding belongs on the ones that have no effect, which are all but the last.

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
