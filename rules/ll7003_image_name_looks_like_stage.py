from layerlint.rule import Edit, Fix, Rule, register

from ._buildkit_checks import levenshtein

# Official images whose names are never taken for a misspelt stage name.
COMMON_IMAGES = frozenset("""
alpine busybox centos debian golang ubuntu fedora node python ruby php perl rust openjdk eclipse-temurin
amazoncorretto maven gradle nginx httpd redis postgres mysql mariadb mongo memcached rabbitmq elasticsearch traefik
haproxy caddy tomcat jetty bash docker registry consul vault gcc clojure erlang elixir haskell julia swift dart
r-base rockylinux almalinux oraclelinux amazonlinux archlinux photon clearlinux buildpack-deps hello-world scratch
sonarqube jenkins nextcloud wordpress drupal ghost composer kong nats neo4j cassandra couchdb influxdb telegraf
zookeeper solr flink spark groovy kotlin pypy mono bun deno gradle ibmjava sapmachine ros mageia sl neurodebian
""".split())


def _typo_of(value: str, names: list[str]) -> str | None:
    """The stage name `value` is a likely misspelling of (one edit, or two for longer names)."""
    if len(value) < 4 or value in COMMON_IMAGES or value in names:
        return None
    best, best_d = None, 3
    for n in sorted(set(names)):
        d = levenshtein(value, n)
        if d < best_d:
            best, best_d = n, d
    if best is None or best_d > (1 if len(value) < 6 else 2):
        return None
    return best


def _bare(value: str) -> bool:
    """A single-component image name without registry, tag or digest (`builder`, `0`)."""
    return bool(value) and not any(c in value for c in "/:@$") and value == value.lower()


@register
class ImageNameLooksLikeStage(Rule):
    """FROM (or `RUN --mount from=`) names an image that looks like a stage of the file.

    BuildKit resolves a `FROM` value to a stage only when it is the name of a
    stage defined above it, and a `RUN --mount from=` value only when it is a
    stage name; anything else is an image reference. Reported on the value,
    when it is a bare name (no registry, `/`, tag or digest):

    - a number (`FROM 0`, `--mount=from=1`): stage numbers work only in
      `COPY --from`;
    - in FROM, the name of a stage defined later in the file;
    - a likely misspelling of a stage name (one edit away, two for names of
      six characters or more), unless it is the name of a well-known official
      image (`node`, `golang`, `nginx`, ...).

    `COPY --from` values are DL3022's business; ONBUILD triggers run in
    another build and are not checked.

    ## Why is this bad?
    The value is looked up on Docker Hub: `FROM bulder` pulls
    `docker.io/library/bulder`. Usually the build fails with "pull access
    denied"; if an image of that name exists, the stage silently starts from
    a stranger's image instead of the stage the author meant.

    ## Example
    ```dockerfile
    FROM golang:1.23 AS builder
    RUN go build -o /out/app .

    FROM bulder AS test
    RUN /out/app --self-test
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.23 AS builder
    RUN go build -o /out/app .

    FROM builder AS test
    RUN /out/app --self-test
    ```

    ## Fix
    Replaces the value by the name of the stage it most likely means, when
    that stage is defined earlier and has a name. Unsafe: the stage then
    starts from different content (which is the point, but it changes what
    the build does).
    """

    code = "LL7003"
    name = "image-name-looks-like-stage"
    groups = ("stages",)
    severity = "warning"
    fixable = "sometimes"
    visits = ("RUN",)

    def check(self, ins, ctx):
        stage = ctx.stage
        if ins.parent is not None or stage is None:
            return
        for m in ins.mounts:
            value = m.from_
            if not value or m.type == "tmpfs" or not _bare(value):
                continue
            rng = m.range_of("from")
            if any(s.name == value for s in ctx.model.stages):
                continue
            self._judge(ctx, stage, value, rng, "`RUN --mount from=`", later_ok=True)

    def stage_end(self, stage, ctx):
        ins = stage.from_
        if stage.parent is not None or not ins.words:
            return
        value = ins.words[0].text
        if not _bare(value) or value == "scratch":
            return
        self._judge(ctx, stage, value, ins.words[0].range, "FROM", later_ok=False)

    def _judge(self, ctx, stage, value, rng, where, later_ok):
        stages = ctx.model.stages
        earlier = [s for s in stages[:stage.index] if s.name]
        pulled = f"BuildKit pulls the image `docker.io/library/{value}`"
        if value.isdigit():
            n = int(value)
            target = stages[n] if n < stage.index else None
            meant = (f" (stage {n} is `{target.name_word.text if target.name_word else target.name}`)"
                     if target is not None and target.name else "")
            ctx.report(self, rng,
                       f"{where} does not resolve stage numbers: {pulled}, not stage {value}{meant}; refer to the "
                       f"stage by its name", fix=self._fix(rng, target, stages))
            return
        later = next((s for s in stages[stage.index + 1:] if s.name == value), None)
        if later is not None and not later_ok:
            ctx.report(self, rng,
                       f"Stage `{value}` is defined later (line {later.from_.start_line}): FROM only resolves "
                       f"stages defined above it, so {pulled}; move the stage `{value}` before this one")
            return
        own = {stage.name} if stage.name else set()
        names = [s.name for s in stages if s.name and s.name not in own]
        guess = _typo_of(value, names)
        if guess is None:
            return
        target = next((s for s in earlier if s.name == guess), None)
        ctx.report(self, rng,
                   f"`{value}` is not a stage name (did you mean `{guess}`?): {pulled}, which fails the build or "
                   f"starts from whatever image has that name", fix=self._fix(rng, target, stages))

    @staticmethod
    def _fix(rng, target, stages):
        if target is None or not target.name or target.name_word is None:
            return None
        if sum(1 for s in stages if s.name == target.name) != 1:
            return None
        return Fix((Edit(rng, target.name_word.text),), safe=False,
                   title=f"Use the stage `{target.name_word.text}`")
