from layerlint.ast import Pos, Range
from layerlint.model import ImageRef
from layerlint.rule import Rule, register
from layerlint.rules._stage_sources import mount_sources, stage_named
from layerlint.shellwords import Lex, ShellLexError

DOCKER_HUB = ("docker.io", "hub.docker.com")
_HUB_SPELLINGS = ("docker.io", "index.docker.io")


def registry_allowed(registry: str, patterns: list[str]) -> bool:
    """`*` allows everything, `*.example.com` a suffix, `quay*` a prefix; else names must match."""
    reg = registry.lower()
    for pat in patterns:
        p = pat.strip().lower()
        if p == "*":
            return True
        if p.startswith("*") and reg.endswith(p[1:]):
            return True
        if p.endswith("*") and reg.startswith(p[:-1]):
            return True
        if reg == p:
            return True
    return False


@register
class UntrustedRegistry(Rule):
    """An image comes from a registry that is not in `trusted-registries`.

    Inactive until `trusted-registries` is configured (hadolint's
    `trustedRegistries`). Checked are the images of FROM, `COPY --from=<image>`
    and `RUN --mount=...,from=<image>` (bind and cache mounts); names of stages
    and stage numbers are not images, and neither is `scratch`. An image without
    a registry (`debian:12`, `bitnami/redis`) comes from Docker Hub, which is
    trusted when the list names `docker.io` or `hub.docker.com`. Entries may be
    `*` (anything), `*.example.com` (a suffix) or `registry*` (a prefix); a port
    is part of the registry name (`reg.example.com:5000`). The finding points at
    the registry part of the image (or at the whole image for Docker Hub ones).

    Differences from hadolint: a registry given by a global ARG is judged by the
    ARG's default, and an image whose registry depends on an ARG without a
    default is skipped (it cannot be known before the build; hadolint reports
    `FROM ${REGISTRY}/app`, a long-standing complaint); `localhost:5000/app` has
    the registry `localhost:5000`, as in Docker (hadolint takes it for a Docker
    Hub image); stage names are compared case-insensitively and stage numbers
    (`COPY --from=0`) are not images, and neither are names of stages defined
    later, which BuildKit resolves too (hadolint reports all three); an image
    written with `docker.io/` or `index.docker.io/` is a Docker Hub image, trusted
    by either name like an unqualified one (hadolint wants the exact spelling);
    registry names are compared case-insensitively, as host names are.

    ## Why is this bad?
    Every base image and every image copied or mounted from runs code in your
    build and ships in your image. Organisations that mirror and scan approved
    images want builds to pull only from those registries.

    ## Example
    ```dockerfile
    FROM ghcr.io/acme/base:1.4
    COPY --from=quay.io/prometheus/busybox:latest /bin/busybox /bin/busybox
    ```

    ## Use instead
    ```dockerfile
    FROM registry.corp.example/acme/base:1.4
    COPY --from=registry.corp.example/prometheus/busybox:1.36 /bin/busybox /bin/busybox
    ```
    """

    code = "DL3026"
    name = "untrusted-registry"
    groups = ("security", "stages")
    severity = "error"
    visits = ("FROM", "COPY", "RUN")
    # the configuration the documented examples assume
    example_config = {"trusted-registries": ["registry.corp.example"]}

    def check(self, ins, ctx):
        patterns = ctx.config.trusted_registries
        if not patterns:
            return
        if ins.keyword == "FROM":
            self._check_from(ins, ctx, patterns)
        elif ins.keyword == "COPY":
            flag = ins.flag("from")
            if flag is not None and flag.value and flag.value_range is not None:
                self._check_reference(ctx, patterns, flag.value, ctx.text(flag.value_range), flag.value_range,
                                      "COPY --from")
        else:
            for src in mount_sources(ins, ctx):
                self._check_reference(ctx, patterns, src.value, ctx.text(src.range), src.range, "RUN --mount")

    def _check_from(self, ins, ctx, patterns):
        stage = ctx.model.stage_of.get(id(ins))
        if stage is None or stage.parent is not None or not ins.words:
            return
        text = stage.image.text
        values = {k: v for k, v in ctx.model.global_args.items() if v is not None}
        lex = Lex(ctx.dockerfile.escape)
        try:
            resolved = lex.process_word(text, values)
            unknown = bool(lex.unset)
        except ShellLexError:  # BuildKit would refuse it; the literal start may still name the registry
            resolved, unknown = text.split("$", 1)[0], True
        image = ImageRef.parse(text, resolved)
        if unknown:
            # a variable without a default: judge the image only when the registry is already
            # decided by the literal text before the first variable
            literal = text.split("$", 1)[0]
            if "/" not in literal and not (("@" in literal or ":" in literal) and "/" not in text):
                return
        if not resolved or image.is_scratch:
            return
        word = ins.words[0]
        self._report(ctx, patterns, image, word.text, word.range, "FROM")

    def _check_reference(self, ctx, patterns, value, raw, rng, where):
        if "$" in value or stage_named(ctx.model, value) is not None or value.lower() == "scratch":
            return
        self._report(ctx, patterns, ImageRef.parse(value), raw, rng, where)

    def _report(self, ctx, patterns, image, raw, rng, where):
        registry = image.registry
        if registry is None or registry.lower() in _HUB_SPELLINGS:
            candidates = DOCKER_HUB + ((registry,) if registry else ())
            if any(registry_allowed(c, patterns) for c in candidates):
                return
            shown = registry or "docker.io"
        else:
            if registry_allowed(registry, patterns):
                return
            shown = registry
        if registry and raw.startswith(registry) and rng.start.line == rng.end.line:
            rng = Range(rng.start, Pos(rng.start.line, rng.start.column + len(registry)))
        ctx.report(self, rng, f"Use only an allowed registry in the FROM image: {where} image `{image.resolved}` "
                              f"comes from `{shown}`, which is not in trusted-registries")
