from layerlint.rule import Edit, Fix, Rule, register

from ._buildkit_checks import expose_specs, port_range, valid_ip


@register
class ExposeInvalidFormat(Rule):
    """EXPOSE gives an IP address or a `host:container` port mapping.

    This is BuildKit's `ExposeInvalidFormat` check: an EXPOSE argument of the
    form `[ip:]host_port:container_port[/protocol]` (`80:80`,
    `127.0.0.1:8080:80`, `[::1]:8080:8080`) is reported, on the argument.
    Arguments with variables are expanded with the stage's ARG and ENV values
    first, and skipped when a value is unknown (always inside ONBUILD).
    Arguments whose protocol BuildKit rejects fail the build and are not
    reported here.

    ## Why is this bad?
    EXPOSE only records the container port in the image; BuildKit checks the
    address and host port and then throws them away, so nothing is published
    on that address or port. Publishing is done when the container starts
    (`docker run -p 127.0.0.1:8080:80`). BuildKit says this form "will become
    an error in a future release".

    ## Example
    ```dockerfile
    FROM nginx:1.27
    EXPOSE 8080:80
    ```

    ## Use instead
    ```dockerfile
    FROM nginx:1.27
    EXPOSE 80
    ```

    ## Fix
    Keeps only the container port and protocol (`127.0.0.1:8080:80/tcp` →
    `80/tcp`), for arguments written literally whose address and host port
    BuildKit accepts. Safe: BuildKit records exactly that port. Not offered
    when the address or host port is invalid (the build fails today).
    """

    code = "LL8011"
    name = "expose-invalid-format"
    groups = ("syntax",)
    severity = "warning"
    aliases = ("ExposeInvalidFormat",)
    fixable = "sometimes"
    onbuild = True
    visits = ("EXPOSE",)

    def check(self, ins, ctx):
        for spec in expose_specs(ins, ctx):
            if not spec.ip and not spec.host_port:
                continue
            kept = spec.container_port + (f"/{spec.proto}" if spec.proto else "")
            ctx.report(self, spec.word.range,
                       f"EXPOSE instruction should not define an IP address or host-port mapping, found "
                       f"'{spec.raw}': BuildKit keeps only the container port `{kept}` and ignores the rest",
                       fix=self._fix(spec, ins, kept))

    @staticmethod
    def _fix(spec, ins, kept):
        if not spec.literal or ins.json:
            return None
        if spec.ip and not valid_ip(spec.ip):
            return None
        container = port_range(spec.container_port)
        host = port_range(spec.host_port) if spec.host_port else (0, 0)
        if container is None or host is None:
            return None
        if spec.host_port and container[1] - container[0] != host[1] - host[0] and container[0] != container[1]:
            return None
        return Fix((Edit(spec.word.range, kept),), safe=True, title=f"Expose `{kept}` only")
