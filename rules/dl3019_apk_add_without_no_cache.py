from layerlint.ast import Range
from layerlint.rule import Edit, Fix, Rule, register
from layerlint.rules._package_calls import APK_SHORT_VALUES, apk_add, cache_targets, calls

# a cache or tmpfs mount on one of these keeps apk's cache out of the layer
# (/etc/apk/cache is the link apk follows to its cache directory)
_CACHE_DIRS = ("/var/cache/apk", "/var/cache", "/etc/apk/cache")


@register
class ApkAddWithoutNoCache(Rule):
    """`apk add` without `--no-cache`.

    Reports the `apk` of every `apk add` without `--no-cache` (before or after
    `add`), also inside `ONBUILD RUN`, heredoc scripts and exec-form RUN. A
    BuildKit cache or tmpfs mount on /var/cache/apk (or on /var/cache, or on
    /etc/apk/cache) exempts the RUN.

    Differences from hadolint: a mount on /var/cache or /etc/apk/cache counts as
    well; `apk` called by path or through `sudo` and similar wrappers counts.
    Each offending command is reported.

    ## Why is this bad?
    Without `--no-cache` apk keeps the package index it downloaded in
    /var/cache/apk, and the layer carries it. `--no-cache` fetches the index for
    this command only, which also makes a separate `apk update` and a later
    `rm -rf /var/cache/apk/*` unnecessary.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN apk add curl=8.9.1-r1
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl=8.9.1-r1
    ```

    ## Fix
    Inserts ` --no-cache` after `add` (shell-form RUN only). Safe: packages are
    installed as before, only the index is not kept.
    """

    code = "DL3019"
    name = "apk-add-without-no-cache"
    groups = ("cache", "packages")
    severity = "info"
    fixable = "sometimes"
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        found = calls(ins, ctx)
        if not found:
            return
        if any(t in _CACHE_DIRS for t in cache_targets(ins, ctx)):
            return
        for call in found:
            add = apk_add(call)
            if add is None or "no-cache" in call.options(APK_SHORT_VALUES):
                continue
            fix = None
            if not call.exec_form:
                end = add[0].range.end
                fix = Fix((Edit(Range(end, end), " --no-cache"),), safe=True, title="Add --no-cache")
            ctx.report(self, call.name.range,
                       "Use the `--no-cache` switch to avoid the need to use `--update` and remove "
                       "`/var/cache/apk/*` when done installing packages", fix=fix)
