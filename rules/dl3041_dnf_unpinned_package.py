from layerlint.rule import register
from layerlint.rules._command_words import DNF_NAMES
from layerlint.rules._rpm_pinning import RpmUnpinnedPackage


@register
class DnfUnpinnedPackage(RpmUnpinnedPackage):
    """`dnf install` or `microdnf install` of a package without a version.

    Every package word of `dnf` / `microdnf` `install` (or `in`) must name a
    version (`<package>-<version>[-<release>]`: after the name, dash-separated
    parts of version characters, one starting with a digit, as in hadolint),
    and every module of `module install` a stream (`<module>:<stream>`). Each
    unpinned word is reported at its own position, also inside ONBUILD and in
    heredoc scripts. Group installs (`dnf group install`, `groupinstall`) cannot
    be pinned and are not checked.

    Differences from hadolint:
    - a word with a variable or command substitution counts as pinned
      (`python${PY_VERSION}`, `"git-core-${GIT_VER}"`, hadolint issue #981);
    - option values are not packages: `dnf --installroot /mnt/rootfs install
      ... --releasever 9 --setopt install_weak_deps=false` is fine (issue #945);
    - local `.rpm` files and URLs, `@group` specs and comparisons
      (`"pkg >= 1.2"`) are not flagged;
    - the `in` alias, `dnf5`, and dnf run by path or through `sudo`, `env` and
      similar wrappers are checked; exec-form RUN and RUN under a non-POSIX
      SHELL are not analysed.

    ## Why is this bad?
    Without a version the build installs whatever the repositories offer that
    day: rebuilding the same Dockerfile gives a different image, and an update
    can break it without any change in your code.

    ## Example
    ```dockerfile
    FROM fedora:40
    RUN dnf install -y tomcat && dnf clean all
    ```

    ## Use instead
    ```dockerfile
    FROM fedora:40
    RUN dnf install -y tomcat-10.1.25 && dnf clean all
    ```
    """

    code = "DL3041"
    name = "dnf-unpinned-package"
    groups = ("packages",)
    severity = "warning"
    programs = DNF_NAMES
    install_actions = frozenset({"install", "in"})
    message = "Specify version with `dnf install -y <package>-<version>`"
