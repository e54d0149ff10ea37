from layerlint.rule import Rule, register
from layerlint.rules._user_security import expand_text
from layerlint.patterns import lazy_pattern

_PORT = lazy_pattern(r"^(?:(\d+)(?:-(\d+))?)(?:/(\w+))?$")


def exposes_22(value: str) -> bool:
    m = _PORT.match(value.strip())
    if not m:
        return False
    low = int(m.group(1))
    high = int(m.group(2)) if m.group(2) else low
    proto = (m.group(3) or "tcp").lower()
    return proto == "tcp" and low <= 22 <= high


@register
class SshPortExposed(Rule):
    """EXPOSE declares port 22, the SSH port.

    Reported on each EXPOSE word (also in `ONBUILD EXPOSE`) that is `22`,
    `22/tcp` or a TCP range containing 22, after variable expansion; words
    with variables without a value are skipped.

    ## Why is this bad?
    Port 22 means an SSH server runs in the container: one more long-running
    daemon with its own keys and passwords to manage, a login path that
    bypasses `docker exec` and its access control, and a common target of
    brute-force scans when the port is published. Use `docker exec` or
    `kubectl exec` to get a shell. Images that serve Git or SFTP over SSH on
    purpose can suppress the finding.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update && apt-get install -y --no-install-recommends openssh-server
    EXPOSE 22 8080
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    EXPOSE 8080
    ```
    """

    code = "LL5011"
    name = "ssh-port-exposed"
    groups = ("security",)
    severity = "info"
    visits = ("EXPOSE",)
    onbuild = True

    def check(self, ins, ctx):
        for word, raw in zip(ins.words, ins.value):
            value = expand_text(raw, ins, ctx)
            if value is None:
                continue
            for part in value.split():
                if exposes_22(part):
                    ctx.report(self, word.range,
                               f"`EXPOSE {raw}` declares the SSH port, so the container is expected to run an SSH "
                               f"server that offers a login path outside `docker exec` and its access control")
                    break
