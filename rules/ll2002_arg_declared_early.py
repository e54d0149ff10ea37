import re

from layerlint.model import PLATFORM_ARGS, PROXY_ARGS
from layerlint.rule import Rule, register
from layerlint.rules._cache_model import is_per_build, may_read_environment, references
from layerlint.patterns import lazy_pattern

# variables programs read from the environment without being told: an ARG of this name
# may be used by any RUN, so where it is "first used" cannot be known
_IMPLICIT = lazy_pattern(
    r"^(?:DEBIAN_FRONTEND|DEBCONF_\w+|APT_\w+|PIP_\w+|PYTHON[A-Z]+|UV_\w+|POETRY_\w+|PIPENV_\w+|VIRTUAL_ENV|CONDA_\w+"
    r"|NPM_CONFIG_\w+|NODE_(?:ENV|OPTIONS|PATH|TLS_REJECT_UNAUTHORIZED|EXTRA_CA_CERTS)|YARN_\w+|PNPM_\w+|COREPACK_\w+"
    r"|GO[A-Z]+|CGO_\w+|CARGO_\w+|RUST(?:FLAGS|DOCFLAGS|UP_\w+|C_\w+)"
    r"|(?:MAVEN|GRADLE|JAVA|_JAVA)_(?:OPTS|OPTIONS|CONFIG|HOME|USER_HOME|TOOL_OPTIONS)|BUNDLE_\w+|GEM_\w+|RUBY[A-Z]+"
    r"|COMPOSER_\w+|PHP_INI_\w+|DOTNET_\w+|NUGET_\w+|LANG"
    r"|LANGUAGE|LC_\w+|TZ|PATH|HOME|USER|SHELL|TERM|CC|CXX|CFLAGS|CXXFLAGS|CPPFLAGS|LDFLAGS|MAKEFLAGS|PKG_CONFIG_\w+"
    r"|LD_LIBRARY_PATH|SSL_CERT_\w+|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|GIT_\w+|SOURCE_DATE_EPOCH|BUILDKIT_\w+"
    r"|TMPDIR)$", re.I)


def _implicit(name: str) -> bool:
    """Read by some tool without being named (a `*_VERSION` only by the Poetry installer)."""
    if name.upper().endswith("_VERSION"):
        return name.upper() == "POETRY_VERSION"
    return bool(_IMPLICIT.match(name))


_EXEMPT = frozenset(PLATFORM_ARGS) | frozenset(PROXY_ARGS)
MIN_RUNS = 2


@register
class ArgDeclaredEarly(Rule):
    """An ARG is declared several RUN instructions before it is first used.

    Reports an ARG of a stage when at least two RUN instructions between the
    declaration and the first instruction that refers to it (`$NAME`,
    `${NAME}`, also `%NAME%` and `$env:NAME` for Windows shells) do not use
    it. ONBUILD instructions are no use: their triggers run in another build,
    where the ARG does not exist. A RUN counts only when it certainly cannot read the variable: it runs
    nothing but package managers and common file utilities (`apt-get`, `apk`,
    `pip`, `curl`, `tar`, `rm` ...). A RUN that starts a script, `make`, a
    build tool or any other program may read the ARG from its environment
    without naming it, so the walk stops there.

    Silent for ARGs that are never referenced in the stage, for BuildKit's
    automatic platform and proxy ARGs (the proxy ones are left out of the cache
    key), for names that tools read from the environment by themselves
    (`DEBIAN_FRONTEND`, `PIP_*`, `GOPROXY`, `NODE_ENV` ...), and for values
    that change on every build (`BUILD_DATE`, `GIT_COMMIT` ...), which
    `LL2006` reports.

    The message says how many RUN instructions sit in between and that BuildKit
    gives every RUN after an ARG declaration the ARG's value in its
    environment, and so in its cache key.

    ## Why is this bad?
    Every RUN after an ARG declaration sees the ARG as an environment variable,
    and BuildKit keys the RUN's cache on its environment. Passing a new value
    with `--build-arg` therefore rebuilds every RUN after the declaration,
    also the ones that never use it. Declared just before its first use, the
    ARG invalidates only what depends on it.

    ## Example
    ```dockerfile
    FROM debian:12.5
    ARG NODE_VERSION=22.2.0
    RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
    RUN useradd --create-home app
    RUN curl -fsSLO https://nodejs.org/dist/v${NODE_VERSION}/node-v${NODE_VERSION}-linux-x64.tar.xz
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
    RUN useradd --create-home app
    ARG NODE_VERSION=22.2.0
    RUN curl -fsSLO https://nodejs.org/dist/v${NODE_VERSION}/node-v${NODE_VERSION}-linux-x64.tar.xz
    ```
    """

    code = "LL2002"
    name = "arg-declared-early"
    groups = ("cache",)
    severity = "info"

    def stage_end(self, stage, ctx):
        instructions = stage.instructions
        for i, ins in enumerate(instructions):
            if ins.keyword != "ARG":
                continue
            for pair in ins.pairs:
                name = pair.key.text
                if name in _EXEMPT or _implicit(name) or is_per_build(name):
                    continue
                unused, first, maybe = 0, None, False
                for later in instructions[i + 1:]:
                    kw = later.keyword
                    if kw == "ONBUILD":
                        continue  # its trigger runs in another build, where this ARG does not exist
                    if kw in ("ARG", "ENV") and any(p.key.text == name for p in later.pairs):
                        break  # declared again or shadowed: no single first use
                    if references(ctx.text(later.range), name):
                        first = later
                        break
                    if kw == "RUN":
                        if may_read_environment(later, ctx):
                            first, maybe = later, True
                            break
                        unused += 1
                if first is None or unused < MIN_RUNS:
                    continue
                line = first.range.start.line + 1
                use = f"the first RUN that may read it (line {line})" if maybe else f"its first use (line {line})"
                ctx.report(self, pair.key.range,
                           f"`ARG {name}` is declared {unused} RUN instructions before {use}, "
                           f"and every RUN after an ARG declaration gets its value in its environment and so in its "
                           f"cache key, so a new value rebuilds those RUNs too; declare it just before line {line}")
