from layerlint.rule import Edit, Fix, Rule, register

from ._buildkit_checks import expose_specs, sub_range


@register
class ExposeProtoCasing(Rule):
    """EXPOSE writes the protocol in upper or mixed case (`80/TCP`).

    This is BuildKit's `ExposeProtoCasing` check: a protocol (`tcp`, `udp` or
    `sctp`) that is not all lower case is reported, on the protocol. Arguments
    with variables are expanded with the stage's ARG and ENV values first, and
    skipped when a value is unknown (always inside ONBUILD). Protocols BuildKit
    rejects altogether fail the build and are not reported here.

    ## Why is this bad?
    BuildKit lower-cases the protocol when it records the port, so `80/TCP`
    and `80/tcp` mean the same; the upper-case spelling only suggests a
    difference that does not exist, and BuildKit warns about it.

    ## Example
    ```dockerfile
    FROM nginx:1.27
    EXPOSE 80/TCP 443/TCP
    ```

    ## Use instead
    ```dockerfile
    FROM nginx:1.27
    EXPOSE 80/tcp 443/tcp
    ```

    ## Fix
    Lower-cases the protocol when it is written literally. Safe: BuildKit
    records the same port.
    """

    code = "LL8010"
    name = "expose-proto-casing"
    groups = ("style",)
    severity = "style"
    aliases = ("ExposeProtoCasing",)
    fixable = "sometimes"
    onbuild = True
    visits = ("EXPOSE",)

    def check(self, ins, ctx):
        for spec in expose_specs(ins, ctx):
            if spec.proto == spec.proto.lower():
                continue
            word = spec.word
            fix = None
            rng = word.range
            if spec.literal and not ins.json:
                start = len(spec.raw) - len(spec.proto)
                sub = sub_range(word.text, word.range, start, len(spec.raw))
                if sub != word.range:
                    rng = sub
                    fix = Fix((Edit(sub, spec.proto.lower()),), safe=True, title="Lower-case the protocol")
            ctx.report(self, rng,
                       f"Defined protocol '{spec.raw}' in EXPOSE instruction should be lowercase: BuildKit "
                       f"records it as `{spec.container_port}/{spec.proto.lower()}` anyway", fix=fix)


