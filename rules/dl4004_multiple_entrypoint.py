from layerlint.rule import register
from layerlint.rules._last_one_wins import LastOneWins


@register
class MultipleEntrypoint(LastOneWins):
    """A stage has more than one ENTRYPOINT.

    Every ENTRYPOINT of a stage except the last is reported, on its keyword.
    `ONBUILD ENTRYPOINT` does not count.

    Difference from hadolint: hadolint reports every ENTRYPOINT except the first;
    the finding belongs on the ones that have no effect, which are all but the last.

    ## Why is this bad?
    Only the last ENTRYPOINT takes effect; the earlier ones are dead code that
    misleads the reader about what the container runs.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    ENTRYPOINT ["/bin/sh"]
    ENTRYPOINT ["/usr/local/bin/app"]
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    ENTRYPOINT ["/usr/local/bin/app"]
    ```
    """

    code = "DL4004"
    name = "multiple-entrypoint"
    groups = ("entrypoint",)
    severity = "error"
    aliases = ("MultipleInstructionsDisallowed",)
    visits = ("ENTRYPOINT",)
