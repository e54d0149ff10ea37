from layerlint.rule import Rule, register
from layerlint.rules._cache_model import installs, is_per_build, references
from layerlint.shellwords import referenced_names


def _from_variable(pair, ins, ctx) -> bool:
    """An ENV value that reads a variable defined at that point (an undefined one expands to nothing)."""
    if pair.value is None or "$" not in pair.value.text:
        return False
    scope = ctx.model.scope_at.get(id(ins))
    return scope is not None and any(scope.defined(n) for n in referenced_names(pair.value.text))


@register
class PerBuildValueBeforeInstall(Rule):
    """A value that changes on every build is declared before the expensive steps of its stage.

    Reports an ARG, or an ENV set from a variable in scope, whose name says it is new on
    every build (`BUILD_DATE`, `BUILD_TIME`, `BUILD_NUMBER`, `GIT_COMMIT`,
    `VCS_REF`, `COMMIT_SHA`, `SOURCE_COMMIT`, `CI_PIPELINE_ID` ...) when a
    later RUN of the stage installs or builds something (package managers,
    `pip`, `npm`, `go`, `cargo`, `mvn`, `gradle`, `make` ...) without using it.
    One finding per name and stage, on its first declaration. ENV with a
    literal value is not reported (it does not change), nor is LABEL: with
    BuildKit a label is image metadata and never part of a RUN's cache key
    (the ARG it reads is what is reported).

    The message explains that the value goes into the environment, and so the
    cache key, of every later RUN.

    ## Why is this bad?
    Every RUN after an ARG declaration or an ENV has the value in its
    environment, and BuildKit keys the RUN's cache on it. A value that differs
    on every build (a timestamp, a commit) therefore makes every later RUN a
    cache miss: the dependency installs run on every build, even when nothing
    else changed. Declared at the end of the stage, next to the LABEL or the
    step that uses it, it invalidates only that.

    ## Example
    ```dockerfile
    FROM node:22-alpine
    ARG GIT_COMMIT
    LABEL org.opencontainers.image.revision=$GIT_COMMIT
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci
    ```

    ## Use instead
    ```dockerfile
    FROM node:22-alpine
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci
    ARG GIT_COMMIT
    LABEL org.opencontainers.image.revision=$GIT_COMMIT
    ```
    """

    code = "LL2006"
    name = "per-build-value-before-install"
    groups = ("cache",)
    severity = "warning"

    def stage_end(self, stage, ctx):
        instructions = stage.instructions
        seen = set()
        for i, ins in enumerate(instructions):
            if ins.keyword not in ("ARG", "ENV"):
                continue
            for pair in ins.pairs:
                name = pair.key.text
                if name in seen or not is_per_build(name):
                    continue
                if ins.keyword == "ENV" and not _from_variable(pair, ins, ctx):
                    continue
                seen.add(name)
                for later in instructions[i + 1:]:
                    if later.keyword != "RUN":
                        continue
                    if references(ctx.text(later.range), name):
                        continue
                    expensive = installs(later, ctx)
                    if not expensive:
                        continue
                    what = "ARG declaration" if ins.keyword == "ARG" else "ENV"
                    line = later.range.start.line + 1
                    ctx.report(self, pair.key.range,
                               f"`{name}` changes on every build, and as an {what} it is in the environment and so "
                               f"the cache key of every later RUN, so `{expensive[0].tool}` (line {line}) and every "
                               f"RUN after it run again on every build; declare it at the end of the stage, where it "
                               f"is used")
                    break
