from layerlint.rule import register
from layerlint.rules._package_calls import UnpinnedPackageRule, apt_install

MESSAGE = ("Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install "
           "<package>=<version>`")


def pinned(value: str) -> bool:
    """`pkg=version`, `pkg/release`, or a local `.deb` file."""
    return "=" in value or "/" in value or value.endswith(".deb")


@register
class AptUnpinnedPackage(UnpinnedPackageRule):
    """`apt-get install` of a package without a version.

    Reports each package word of an `apt-get install` that has no `=version`,
    also inside `ONBUILD RUN`, heredoc scripts and exec-form RUN. A release
    selection (`curl/bookworm-backports`) and local `.deb` files are accepted,
    as in hadolint; the values of `-t`, `-o`, `-c` and `-a` are options, not
    packages.

    Differences from hadolint: a package word with a variable is judged by its
    value when every variable has a known value (ENV or ARG default in scope),
    so `ARG PKGS="curl=7.88.1-10"` then `apt-get install $PKGS` passes and an
    unpinned value is reported; when the value cannot be known (a variable set
    inside the RUN, no default) the word counts as pinned instead of being
    reported (hadolint reports `"$PKG_VERSION"` and `$buildDeps`). The value of
    `-o` is never taken for a package (hadolint reports `-o Foo` and accepts
    `-o Foo=bar` only by accident). `apt-get` called by path or through `sudo`,
    `env`, `eatmydata` and similar wrappers counts. Each unpinned package is
    reported at its own word.

    ## Why is this bad?
    Without a version the build installs whatever the archive offers that day:
    rebuilding the same Dockerfile gives different images, and an upgrade can
    break the image without any change to the Dockerfile.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update \\
     && apt-get install -y --no-install-recommends curl \\
     && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update \\
     && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 \\
     && rm -rf /var/lib/apt/lists/*
    ```
    """

    code = "DL3008"
    name = "apt-unpinned-package"
    groups = ("packages",)
    severity = "warning"
    message = MESSAGE
    is_pinned = staticmethod(pinned)

    def package_words(self, call):
        found = apt_install(call)
        return None if found is None else found[1]
