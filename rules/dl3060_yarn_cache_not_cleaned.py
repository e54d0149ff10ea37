from layerlint.rule import Rule, register
from layerlint.rules._package_calls import (brace_expand, cache_targets, calls, covers, path_text, reaches_image,
                                         scope_values, word_span, yarn_operands)

# where yarn 1 keeps its cache when running as root (the images' default user) or another user
DEFAULT_CACHES = ("/usr/local/share/.cache/yarn", "/root/.cache/yarn")
_CACHE_MARKS = (".cache/yarn", ".yarn/berry/cache", ".yarn/cache")
MESSAGE = "`yarn cache clean` missing after `yarn install` was run."


def _install(call):
    """The words to point at for a `yarn install` (or a bare `yarn`, which installs too), else None."""
    if call.basename != "yarn":
        return None
    ops = yarn_operands(call)
    if ops:
        return (call.name, ops[0]) if ops[0].value == "install" else None
    opts = call.options()
    if any(o in opts for o in ("v", "version", "h", "help")):
        return None
    return call.name, call.name


def _cache_folders(call, env) -> list[str]:
    dirs = list(DEFAULT_CACHES)
    if env.get("YARN_CACHE_FOLDER"):
        dirs.append(env["YARN_CACHE_FOLDER"])
    args = call.args
    for i, a in enumerate(args):
        if a.value == "--cache-folder" and i + 1 < len(args):
            dirs.append(args[i + 1].value)
        elif a.value.startswith("--cache-folder="):
            dirs.append(a.value.split("=", 1)[1])
    return [d for d in dirs if d.startswith("/")]


def _cleans(call, dirs) -> bool:
    if call.basename == "yarn":
        return [w.value for w in yarn_operands(call)[:2]] == ["cache", "clean"]
    if call.basename == "rm":
        for p in (path_text(v) for w in call.operands() for v in brace_expand(w.value)):
            if any(m in p for m in _CACHE_MARKS) or p in dirs:
                return True
    return False


def _holds_cache(target: str, dirs) -> bool:
    t = target.rstrip("/")
    return any(m in t for m in _CACHE_MARKS) or t.endswith("/.cache") or any(covers(target, d) for d in dirs)


@register
class YarnCacheNotCleaned(Rule):
    """`yarn install` without `yarn cache clean` after it in the same RUN.

    Reports `yarn install` (and a bare `yarn`, which installs as well) when the
    same RUN does not run `yarn cache clean` (or remove the yarn cache) after
    it, also inside `ONBUILD RUN`, heredoc scripts and exec-form RUN. Only
    stages whose layers end up in an image count: the last stage and every
    stage a later stage is built FROM (a stage that others only `COPY --from` is
    not checked); ONBUILD triggers always count. A BuildKit cache or tmpfs mount
    on the yarn cache (`/usr/local/share/.cache/yarn`, `~/.cache/yarn`,
    `YARN_CACHE_FOLDER`, `--cache-folder`, or a directory holding it) exempts the
    RUN.

    Differences from hadolint: the clean must be `yarn cache clean` after the
    install (hadolint accepts any yarn command with the word `cache` or
    `clean`, such as `yarn cache list`); removing the cache directory counts; a bare `yarn` counts as an install; a
    mount on a directory holding the cache (`/usr/local/share/.cache`) counts;
    stage names are compared case-insensitively and by stage, not by the text
    of the FROM line; `yarn` called by path or through `sudo` and similar
    wrappers counts.

    ## Why is this bad?
    yarn keeps a copy of every package it downloads in its cache. In an image
    the cache is never reused; it only doubles the space the dependencies take.

    ## Example
    ```dockerfile
    FROM node:20-slim
    WORKDIR /app
    COPY package.json yarn.lock ./
    RUN yarn install --frozen-lockfile
    ```

    ## Use instead
    ```dockerfile
    FROM node:20-slim
    WORKDIR /app
    COPY package.json yarn.lock ./
    RUN yarn install --frozen-lockfile && yarn cache clean
    ```
    """

    code = "DL3060"
    name = "yarn-cache-not-cleaned"
    groups = ("cache", "packages")
    severity = "info"
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        found = calls(ins, ctx)
        if not found:
            return
        env = scope_values(ins, ctx)
        targets = cache_targets(ins, ctx)
        pending = None
        for call in found:
            words = _install(call)
            if words is not None:
                dirs = _cache_folders(call, {**env, **call.env})
                if not any(_holds_cache(t, dirs) for t in targets):
                    pending = (words, dirs)
                continue
            if pending is not None and _cleans(call, pending[1]):
                pending = None
        if pending is None:
            return
        rng = word_span(*pending[0])
        if ins.parent is not None:
            ctx.report(self, rng, MESSAGE)
        else:  # whether the stage's layers reach an image is known once the file is read: `keep`
            ctx.report(self, rng, MESSAGE, stage=ctx.stage.index if ctx.stage is not None else None)

    keep = staticmethod(reaches_image)
