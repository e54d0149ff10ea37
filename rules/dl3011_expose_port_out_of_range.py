from layerlint.rule import Rule, register
from layerlint.patterns import lazy_pattern

_PORT = lazy_pattern(r"^(\d+)(?:-(\d+))?(?:/[A-Za-z]*)?$")
MAX_PORT = 65535


@register
class ExposePortOutOfRange(Rule):
    """EXPOSE names a port, or a port range ending, above 65535.

    Each EXPOSE argument is checked on its own: `80`, `80/tcp`, `8000-8100/udp`.
    Arguments containing a variable are skipped, and so are arguments that are
    not a port or a range at all (BuildKit's ExposeInvalidFormat concerns
    those). Surrounding quotes are removed first. The finding points at the
    offending argument.

    ## Why is this bad?
    Ports are 16-bit numbers; Docker rejects the value ("invalid containerPort")
    and the build fails.

    ## Example
    ```dockerfile
    FROM nginx:1.27
    EXPOSE 80 80800
    ```

    ## Use instead
    ```dockerfile
    FROM nginx:1.27
    EXPOSE 80 8080
    ```
    """

    code = "DL3011"
    name = "expose-port-out-of-range"
    groups = ("syntax",)
    severity = "error"
    visits = ("EXPOSE",)

    def check(self, ins, ctx):
        for word in ins.words:
            if "$" in word.text:
                continue
            text = word.text.replace('"', "").replace("'", "")
            m = _PORT.match(text)
            if m is None:
                continue
            if any(int(p) > MAX_PORT for p in m.groups() if p is not None):
                ctx.report(self, word.range, f"Valid UNIX ports range from 0 to 65535: `{text}` is out of range")
