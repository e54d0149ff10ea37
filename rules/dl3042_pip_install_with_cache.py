from layerlint.ast import Range
from layerlint.rule import Edit, Fix, Rule, register
from layerlint.rules._package_calls import (PIP_LONG_VALUES, PIP_SHORT_VALUES, brace_expand, cache_targets, calls,
                                         covers, path_text, pip_install, scope_values, script_declarations)

VARIABLE = "PIP_NO_CACHE_DIR"
# pip reads boolean options with strtobool
TRUTHY = frozenset({"1", "true", "t", "yes", "y", "on"})
ROOT_CACHE = "/root/.cache/pip"


def _truthy(value) -> bool:
    return value is not None and value.strip().lower() in TRUTHY


def _no_cache_dir_flag(args_call) -> bool:
    """`--no-cache-dir`, or an abbreviation pip's option parser accepts (`--no-cache`)."""
    for a in args_call.args:
        v = a.value
        if v == "--":
            return False
        if v.startswith("--no-ca") and "--no-cache-dir".startswith(v):
            return True
    return False


def _cache_dirs(pip, env: dict[str, str]) -> list[str]:
    dirs = [ROOT_CACHE]
    if env.get("PIP_CACHE_DIR"):
        dirs.append(env["PIP_CACHE_DIR"])
    args = pip.args.args
    for i, a in enumerate(args):
        if a.value == "--cache-dir" and i + 1 < len(args):
            dirs.append(args[i + 1].value)
        elif a.value.startswith("--cache-dir="):
            dirs.append(a.value.split("=", 1)[1])
    return [d for d in dirs if d.startswith("/")]


def _holds_pip_cache(target: str, dirs: list[str]) -> bool:
    t = target.rstrip("/")
    return ".cache/pip" in t or t.endswith("/.cache") or any(covers(target, d) for d in dirs)


def _purges(call, dirs: list[str]) -> bool:
    """`pip cache purge`, or `rm` of the pip cache (or of a `.cache` directory holding it)."""
    if call.basename == "rm":
        for p in (path_text(v) for w in call.operands() for v in brace_expand(w.value)):
            if p.endswith(("/.cache/pip", "/.cache")) or p in dirs:
                return True
        return False
    if call.basename.startswith("pip") and call.basename != "pipx":
        ops = call.operands(PIP_SHORT_VALUES, PIP_LONG_VALUES)
        return [w.value for w in ops[:2]] == ["cache", "purge"]
    return False


@register
class PipInstallWithCache(Rule):
    """`pip install` without `--no-cache-dir`.

    Reports the `pip` of every `pip install` (also `pip3`, `python3 -m pip`)
    that keeps pip's download cache, also inside `ONBUILD RUN`, heredoc scripts
    and exec-form RUN. `pipx` and `pipenv` manage their own environments and are
    not checked. No finding when the cache is off or out of the layer:
    `PIP_NO_CACHE_DIR` set to a true value by ENV or ARG, inline
    (`PIP_NO_CACHE_DIR=1 pip install ...`, `env PIP_NO_CACHE_DIR=1 pip ...`) or
    by `export`; a BuildKit cache or tmpfs mount on the cache directory
    (`~/.cache/pip`, `PIP_CACHE_DIR`, `--cache-dir`, or a directory holding it);
    or a later `pip cache purge` / `rm -rf ~/.cache/pip` in the same RUN.

    Differences from hadolint: `PIP_NO_CACHE_DIR` counts when it really reaches
    pip (hadolint accepts the text anywhere in the RUN, even
    `echo PIP_NO_CACHE_DIR=1`, but not an ARG); under ONBUILD an ENV of the
    image counts, since the image's environment is inherited; a mount on a
    directory holding the cache (`/root/.cache`) counts, as do a later
    `pip cache purge` or removal of the cache and the abbreviation
    `--no-cache` pip accepts; `pip` called by path or through `sudo` and
    similar wrappers counts. Each offending command is reported.

    ## Why is this bad?
    pip keeps every downloaded wheel in its cache directory. In an image the
    cache is never reused, it only adds the size of all the packages a second
    time to the layer.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install flask==3.0.3
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --no-cache-dir flask==3.0.3
    ```

    ## Fix
    Inserts ` --no-cache-dir` after `install` (shell-form RUN only). Safe: it
    only stops pip from writing its cache.
    """

    code = "DL3042"
    name = "pip-install-with-cache"
    groups = ("cache", "packages")
    severity = "warning"
    fixable = "sometimes"
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        found = calls(ins, ctx)
        if not found:
            return
        scope = scope_values(ins, ctx)
        if _truthy(scope.get(VARIABLE)):
            return
        installs = [(i, pip) for i, call in enumerate(found) if (pip := pip_install(call)) and pip.tool == "pip"]
        if not installs:
            return
        exported, _ = script_declarations(ins, ctx)
        if _truthy(exported.get(VARIABLE)):
            return
        targets = cache_targets(ins, ctx)
        for i, pip in installs:
            if _truthy(pip.call.env.get(VARIABLE)) or _no_cache_dir_flag(pip.args):
                continue
            env = {**scope, **exported, **pip.call.env}
            dirs = _cache_dirs(pip, env)
            if any(_holds_pip_cache(t, dirs) for t in targets):
                continue
            if any(_purges(call, dirs) for call in found[i + 1:]):
                continue
            fix = None
            if not pip.call.exec_form:
                end = pip.install.range.end
                fix = Fix((Edit(Range(end, end), " --no-cache-dir"),), safe=True, title="Add --no-cache-dir")
            ctx.report(self, pip.name_range,
                       "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`", fix=fix)

