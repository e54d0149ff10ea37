import re

from layerlint.rule import Rule, register

from ._stage_analysis import dependencies, reachable

# Stage names that suggest a target built on purpose with `--target` (or a variant of
# the image): such stages are not expected to be used by the last stage.
_TARGET_TOKENS = frozenset("""
test tests testing unit unittest unittests integration e2e smoke lint linter lints linting check checks vet fmt
format audit scan scanner sec security dev devel develop development devcontainer debug dbg export exports release
releases prod production final ci doc docs bench benchmark benchmarks cover coverage local shell sdk artifact
artifacts binary binaries bin out output outputs dist publish deploy image images package packages standalone slim
minimal full alpine debian ubuntu distroless windows linux darwin macos static nonroot rootless gpu cpu cuda musl
glibc arm arm64 amd64 runtime run app server client cli staging qa demo example examples sample samples tools tooling
generate gen codegen update sbom validate verify mock mocks proto target targets default latest stable nightly
edge canary preview lambda worker web api admin console
""".split())


# Targets built next to the real image (tests, linters, dev shells): when the last stage is one
# of these, the product image is elsewhere in the file.
_AUXILIARY_TOKENS = frozenset("""
test tests testing unit unittest unittests integration e2e smoke lint linter lints linting check checks vet fmt
format audit scan scanner dev devel develop development devcontainer debug dbg export exports ci doc docs bench
benchmark benchmarks cover coverage local shell sbom generate gen codegen validate verify mock mocks
""".split())


def _tokens(name: str | None) -> list[str]:
    return [tok for tok in re.split(r"[-_.]+", (name or "").lower()) if tok]


def looks_like_target(name: str | None) -> bool:
    return any(tok in _TARGET_TOKENS for tok in _tokens(name))


def looks_auxiliary(name: str | None) -> bool:
    return any(tok in _AUXILIARY_TOKENS for tok in _tokens(name))


def _is_intended_image(stage) -> bool:
    kws = {i.keyword for i in stage.instructions if i is not stage.from_}
    if kws & {"ENTRYPOINT", "CMD", "EXPOSE", "HEALTHCHECK"}:
        return True
    return stage.image.is_scratch and stage.parent is None and kws <= {"COPY", "ADD", "LABEL", "ARG"}


# instructions that do build work (BuildKit's step count: RUN, COPY, ADD, WORKDIR)
_WORK = frozenset({"RUN", "COPY", "ADD", "WORKDIR"})


@register
class UnusedStage(Rule):
    """A stage that the final stage does not need, so a default build skips it.

    BuildKit builds the last stage of the file (the default target) and only the
    stages it depends on: its `FROM <stage>` chain, the stages named by `COPY
    --from`, `RUN --mount from=` (and by the ONBUILD triggers of a parent stage,
    which run in its child), transitively. Every other stage is reported, on its
    name (or, for an unnamed stage, on its image). A `FROM` or `--mount from=`
    value with a variable (`FROM build-${TARGETARCH}`) counts as using every
    stage whose name fits it. Stages that do no build work (no RUN, COPY, ADD
    or WORKDIR) are not reported: nothing is lost when they are skipped.

    To stay quiet on files that define several targets on purpose, stages whose
    name contains a word that suggests a build target or an image variant
    (`test`, `lint`, `dev`, `debug`, `export`, `release`, `prod`, `docs`,
    `bin`, `alpine`, `runtime`, ...) are not reported, nor is what they use;
    when the last stage is itself an auxiliary target (`test`, `lint`, `dev`,
    `debug`, `docs`, `ci`, ..., also an unnamed `FROM lint`), every named stage
    that no other stage uses is taken as a target too. A named leaf stage that
    configures a container (ENTRYPOINT, CMD, EXPOSE, HEALTHCHECK) or only
    collects files `FROM scratch` (an `--output` export) is an intended target.
    The legacy builder (`DOCKER_BUILDKIT=0`) builds every stage; this rule
    describes BuildKit.

    ## Why is this bad?
    The work of an unused stage is dead: `docker build .` never runs it, so a
    `builder` stage whose output nobody copies is usually a forgotten `COPY
    --from=builder`, a renamed stage, or a leftover. A stage without a name
    cannot even be selected with `--target`, so it never runs at all.

    ## Example
    ```dockerfile
    FROM golang:1.23 AS builder
    RUN go build -o /out/app ./cmd/app

    FROM alpine:3.20
    COPY app /usr/local/bin/app
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.23 AS builder
    RUN go build -o /out/app ./cmd/app

    FROM alpine:3.20
    COPY --from=builder /out/app /usr/local/bin/app
    ```
    """

    code = "LL7001"
    name = "unused-stage"
    groups = ("stages",)
    severity = "info"
    tags = ("unnecessary",)

    def file_end(self, ctx):
        model = ctx.model
        stages = model.stages
        if len(stages) < 2:
            return
        final = stages[-1]
        deps = dependencies(model)
        used_by: dict[int, list] = {}
        for s in stages:
            for d in deps[s.index]:
                used_by.setdefault(d, []).append(s)
        # leaf stages that are images on purpose: they configure a container (ENTRYPOINT,
        # CMD, EXPOSE, HEALTHCHECK) or only collect files FROM scratch (`--output` exports)
        roots = [final] + [s for s in stages if looks_like_target(s.name)
                           or (s.name and not used_by.get(s.index) and _is_intended_image(s))]
        final_name = final.name or (final.parent.name if final.parent is not None else None)
        if looks_auxiliary(final_name):  # an unnamed `FROM lint` last stage is the lint target
            roots += [s for s in stages if s.name and not used_by.get(s.index)]
        live = reachable(model, roots, deps)
        for s in stages:
            if s.index in live or not any(i.keyword in _WORK for i in s.instructions):
                continue
            users = [u for u in used_by.get(s.index, []) if u.index not in live]
            via = ""
            if users:
                names = ", ".join(f"`{u.label}`" for u in users)
                via = f" (only {names}, itself unused, refers to it)"
            final_label = f"`{final.name}`" if final.name else "of the file"
            if s.name:
                ctx.report(self, s.name_word.range,
                           f"Stage `{s.name}` is not needed by the final stage {final_label}{via}: BuildKit builds "
                           f"only the last stage and the stages it depends on, so this stage's work is skipped "
                           f"unless it is built with `--target {s.name}`")
            else:
                rng = s.from_.words[0].range if s.from_.words else s.from_.keyword_range
                ctx.report(self, rng,
                           f"Stage {s.index} is not needed by the final stage {final_label}{via}: BuildKit builds "
                           f"only the last stage and the stages it depends on, and a stage without a name cannot "
                           f"be selected with `--target`, so it never runs")
