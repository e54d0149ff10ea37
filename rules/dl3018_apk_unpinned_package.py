from layerlint.rule import register
from layerlint.rules._package_calls import UnpinnedPackageRule, apk_add

MESSAGE = "Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`"


def pinned(value: str) -> bool:
    """`pkg=1.2-r0`, `pkg~1.2`, `pkg>1.2`, `pkg<1.2`, or a local `.apk` file."""
    return any(c in value for c in "=~<>") or value.endswith(".apk")


@register
class ApkUnpinnedPackage(UnpinnedPackageRule):
    """`apk add` of a package without a version constraint.

    Reports each package word of an `apk add` that has no version constraint
    (`=`, `~`, `<`, `>`), also inside `ONBUILD RUN`, heredoc scripts and
    exec-form RUN. Local `.apk` files are fine; the values of `--virtual`/`-t`,
    `--repository`/`-X`, `--root`/`-p`, `--arch`, `--keys-dir`,
    `--cache-dir` and `--repositories-file` are not packages.

    Differences from hadolint: a package word with a variable is judged by its
    value when every variable has a known value (ENV or ARG default in scope)
    and counts as pinned when the value cannot be known (hadolint reports
    `apk add $BUILD_PACKAGES` even when the ARG pins them); hadolint takes the
    values of `--root`, `--arch`, `--keys-dir` and `--cache-dir` for unpinned
    packages; `apk` called by path or through `sudo` and similar wrappers
    counts. Each unpinned package is reported at its own word.

    ## Why is this bad?
    Without a version the build installs whatever the repository offers that
    day: rebuilding the same Dockerfile gives different images, and an upgrade
    can break the image without any change to the Dockerfile.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl=8.9.1-r1
    ```
    """

    code = "DL3018"
    name = "apk-unpinned-package"
    groups = ("packages",)
    severity = "warning"
    message = MESSAGE
    is_pinned = staticmethod(pinned)

    def package_words(self, call):
        found = apk_add(call)
        return None if found is None else found[1]
