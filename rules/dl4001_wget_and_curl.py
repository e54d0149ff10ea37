from layerlint.rule import Rule, register
from layerlint.shell import programs

TOOLS = ("curl", "wget")


@register
class WgetAndCurl(Rule):
    """A stage uses both `wget` and `curl`.

    Once a stage has run both tools, every RUN that runs either of them is
    reported, as in hadolint: on the first command of the other tool than the
    one the stage used first, or else on its first `wget`/`curl`. Each stage
    starts afresh. `ONBUILD RUN` triggers are checked among themselves (they
    run together in the child build). Installing the packages
    (`apt-get install curl wget`) does not count.

    Differences from hadolint: the finding points at the command; a path
    (`/usr/bin/curl`) counts; ONBUILD triggers of different stages are not
    mixed; nothing is counted when the SHELL is not a POSIX shell.

    ## Why is this bad?
    Two downloaders do the same job with different flags, defaults and failure
    behaviour; carrying both grows the image and splits the knowledge needed to
    maintain the Dockerfile.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN wget -q https://example.com/a.tar.gz
    RUN curl -fsSLO https://example.com/b.tar.gz
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    RUN curl -fsSLO https://example.com/a.tar.gz
    RUN curl -fsSLO https://example.com/b.tar.gz
    ```
    """

    code = "DL4001"
    name = "wget-and-curl"
    groups = ("shell",)
    severity = "warning"
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        used = [inv for inv in programs(ins, ctx.model) or () if inv.basename in TOOLS]
        if not used:
            return
        state = ctx.stage_state(self).setdefault("onbuild" if ins.parent is not None else "build", {"seen": []})
        seen = state["seen"]
        for inv in used:
            if inv.basename not in seen:
                seen.append(inv.basename)
        if len(seen) < 2:
            return
        first = seen[0]
        target = next((inv for inv in used if inv.basename != first), used[0])
        ctx.report(self, target.range, "Either use Wget or Curl but not both.")
