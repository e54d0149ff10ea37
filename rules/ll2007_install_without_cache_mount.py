from layerlint.rule import Rule, register
from layerlint.rules._package_calls import scope_values
from layerlint.rules._cache_model import installs, uses_buildkit

# variables that move a tool's download cache, and the part of the cache path they replace
_CACHE_ENV = {
    "/root/.cache/pip": ("PIP_CACHE_DIR",),
    "/root/.cache/uv": ("UV_CACHE_DIR",),
    "/root/.cache/pypoetry": ("POETRY_CACHE_DIR",),
    "/root/.npm": ("npm_config_cache", "NPM_CONFIG_CACHE"),
    "/usr/local/share/.cache/yarn": ("YARN_CACHE_FOLDER",),
    "/go/pkg/mod": ("GOMODCACHE",),
    "/root/.cache/go-build": ("GOCACHE",),
    "/root/.gradle": ("GRADLE_USER_HOME",),
    "/root/.local/share/pnpm/store": ("PNPM_STORE_DIR",),
}


def _cache_dir(path: str, env: dict, root: bool) -> str | None:
    for name in _CACHE_ENV.get(path, ()):
        if env.get(name, "").startswith("/"):
            return env[name]
    if (path.startswith("/root/") or path == "/usr/local/share/.cache/yarn") and not root:
        return None  # another user's home: the path is not known
    return path


@register
class InstallWithoutCacheMount(Rule):
    """A package install in a BuildKit Dockerfile has no cache mount for its downloads.

    Reports package installs (`apt-get install`, `apk add`, `dnf`/`yum`/`zypper
    install`, `pip install`, `uv`, `poetry`, `npm ci`/`install`, `yarn`, `pnpm`,
    `bun`, `go mod download`, `go build`, `cargo`, `mvn`, `gradle`, `conda`,
    `dotnet restore`) in RUN instructions without any `--mount=type=cache`,
    but only in files that already use BuildKit features: a `# syntax=`
    directive or a `RUN --mount` anywhere. Off by default: it is a suggestion
    for builds that are rebuilt often, not a defect.

    The message names the conventional cache directory (for root; ENV such as
    `PIP_CACHE_DIR`, `GOMODCACHE` or `npm_config_cache` is followed) and
    explains that a rebuilt RUN otherwise downloads everything again.

    ## Why is this bad?
    The layer cache is all or nothing: when an install RUN is rebuilt because
    one package was added, every package is downloaded again. A cache mount
    keeps the package manager's download cache between builds, outside the
    image, so rebuilds fetch only what is new. (`--no-cache-dir`, `apk
    --no-cache` and `rm -rf /var/lib/apt/lists/*` keep the image small but
    make every rebuild download everything; with a cache mount they are no
    longer needed. For apt, remove /etc/apt/apt.conf.d/docker-clean so that
    apt keeps the downloaded packages.)

    ## Example
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM python:3.12-slim
    COPY requirements.txt ./
    RUN pip install -r requirements.txt
    ```

    ## Use instead
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM python:3.12-slim
    COPY requirements.txt ./
    RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    ```
    """

    code = "LL2007"
    name = "install-without-cache-mount"
    groups = ("cache", "packages")
    severity = "info"
    enabled_by_default = False
    visits = ("RUN",)

    def check(self, ins, ctx):
        if any(m.type == "cache" for m in ins.mounts):
            return
        found = [i for i in installs(ins, ctx) if i.cache]
        if not found:
            return
        user = ctx.model.user_at.get(id(ins))
        root = user is None or user.split(":")[0] in ("root", "0")
        env = scope_values(ins, ctx)
        for inst in found:
            dirs = [d for d in (_cache_dir(c, env, root) for c in inst.cache[:1]) if d]
            where = f"`--mount=type=cache,target={dirs[0]}`" if dirs else "`--mount=type=cache` on its cache directory"
            ctx.report(self, inst.range,
                       f"`{inst.tool}` has no cache mount, so whenever this RUN is rebuilt it downloads every "
                       f"package again; {where} keeps the download cache between builds without putting it in "
                       f"the image")

    @staticmethod
    def keep(diagnostic, ctx) -> bool:
        # whether the file uses BuildKit (a `--mount` in any stage) is known once it is read: the
        # check itself stays local to its stage
        return uses_buildkit(ctx)
