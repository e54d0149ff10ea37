from layerlint.rule import register
from layerlint.rules._rpm_pinning import RpmUnpinnedPackage


@register
class YumUnpinnedPackage(RpmUnpinnedPackage):
    """`yum install` of a package without a version.

    Every package word of `yum install` must name a version
    (`<package>-<version>[-<release>]`: after the name, dash-separated parts of
    version characters, one starting with a digit, as in hadolint), and every
    module of `yum module install` a stream (`<module>:<stream>`). Each unpinned
    word is reported at its own position, also inside ONBUILD and in heredoc
    scripts. Group installs cannot be pinned and are not checked.

    Differences from hadolint:
    - a word with a variable or command substitution counts as pinned
      (`which-${WHICH_VERSION}`, `$PKG`): the version lives in the variable
      (hadolint issue #1143 reports the false positive);
    - option values are not packages (`--enablerepo epel`, `-x pkg`,
      `--setopt tsflags=nodocs`; the same complaint for dnf is issue #945);
    - local `.rpm` files and URLs, `@group` specs, comparisons
      (`"pkg >= 1.2"`) and `yum group install` are not flagged;
    - yum run by path or through `sudo`, `env` and similar wrappers is checked;
      exec-form RUN and RUN under a non-POSIX SHELL are not analysed.

    ## Why is this bad?
    Without a version the build installs whatever the repositories offer that
    day: rebuilding the same Dockerfile gives a different image, and an update
    can break it without any change in your code.

    ## Example
    ```dockerfile
    FROM centos:7
    RUN yum install -y httpd && yum clean all
    ```

    ## Use instead
    ```dockerfile
    FROM centos:7
    RUN yum install -y httpd-2.4.6 && yum clean all
    ```
    """

    code = "DL3033"
    name = "yum-unpinned-package"
    groups = ("packages",)
    severity = "warning"
    programs = ("yum",)
    message = "Specify version with `yum install -y <package>-<version>`"
