from layerlint.rule import Edit, Fix, Rule, register


@register
class DebianFrontendInEnv(Rule):
    """`ENV DEBIAN_FRONTEND=noninteractive` stays set in the image and every container.

    Reported on the key of the ENV pair. `ARG DEBIAN_FRONTEND=noninteractive` or
    `DEBIAN_FRONTEND=noninteractive apt-get install ...` inside the RUN give the
    same quiet installs during the build only.

    ## Why is this bad?
    ENV values are part of the image configuration: everyone who later runs
    `docker exec -it ... apt-get install` or a derived image's package install gets
    no prompts at all, including ones they would want (configuration questions,
    service restarts), and the variable shows up in every container's environment.

    ## Example
    ```dockerfile
    FROM debian:12.5
    ENV DEBIAN_FRONTEND=noninteractive
    RUN apt-get update && apt-get install -y --no-install-recommends tzdata=2024a-0+deb12u1 \\
     && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    ARG DEBIAN_FRONTEND=noninteractive
    RUN apt-get update && apt-get install -y --no-install-recommends tzdata=2024a-0+deb12u1 \\
     && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    Replaces `ENV` with `ARG` when DEBIAN_FRONTEND is the only variable the ENV
    sets. Unsafe: a derived image or a script run in the container that relied on
    the variable no longer sees it.
    """

    code = "LL2008"
    name = "debian-frontend-in-env"
    groups = ("packages", "style")
    severity = "info"
    fixable = "sometimes"
    visits = ("ENV",)

    def check(self, ins, ctx):
        for pair in ins.pairs:
            if pair.key.text == "DEBIAN_FRONTEND":
                fix = None
                if len(ins.pairs) == 1 and not pair.legacy:
                    keyword = "arg" if ins.instruction.islower() else "ARG"
                    fix = Fix((Edit(ins.keyword_range, keyword),), safe=False, title="Use ARG for DEBIAN_FRONTEND")
                ctx.report(self, pair.key.range,
                           "DEBIAN_FRONTEND set with ENV stays in the image and in every container; set it with "
                           "ARG (build time only) or inline in the RUN", fix=fix)
