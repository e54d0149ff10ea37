from layerlint.rule import register
from layerlint.rules._package_cache_clean import CacheNotCleaned
from layerlint.rules._command_words import RPM_CACHE_DIRS, rpm_command

YUM_INSTALLING = frozenset({"install", "groupinstall", "localinstall", "group install", "groups install",
                            "module install", "reinstall", "update", "upgrade", "update-minimal",
                            "upgrade-minimal"})


@register
class YumCacheNotCleaned(CacheNotCleaned):
    """`yum install` without `yum clean all` after it in the same RUN.

    A RUN that installs or updates packages with yum must clean yum's cache
    later in the same RUN: `yum clean` (any target) or an `rm` of
    `/var/cache/yum` (or `/var/cache/dnf`, `/var/cache/libdnf5`, a parent or a
    part of them). A BuildKit cache or tmpfs mount on one of these directories
    exempts the RUN. The finding points at the last `yum` that no clean
    follows; also inside ONBUILD and in heredoc scripts.

    Differences from hadolint:
    - every install must be followed by a clean, so a second install after
      the clean is reported (the same false negative as hadolint issue #957);
    - `update`/`upgrade`, `reinstall`, `groupinstall` and `localinstall` count
      as installs (they fill the cache just the same; issue #1179 for dnf);
    - an `rm` must name the cache: hadolint accepts any `rm -rf` (even
      `rm -rf /tmp`) but not `rm -fr /var/cache/yum`;
    - a cache or tmpfs mount on the yum/dnf cache exempts the RUN;
    - yum run by path or through `sudo`, `env` and similar wrappers is checked;
      exec-form RUN and RUN under a non-POSIX SHELL are not analysed.

    ## Why is this bad?
    yum keeps repository metadata (often hundreds of MB) and downloaded
    packages in `/var/cache/yum`. Whatever is there when the RUN ends is stored
    in the layer for good; a later RUN cannot make the image smaller again.

    ## Example
    ```dockerfile
    FROM centos:7
    RUN yum install -y mariadb-5.5.68
    ```

    ## Use instead
    ```dockerfile
    FROM centos:7
    RUN yum install -y mariadb-5.5.68 && yum clean all
    ```
    """

    code = "DL3032"
    name = "yum-cache-not-cleaned"
    groups = ("cache", "packages")
    severity = "warning"
    programs = ("yum",)
    cache_dirs = RPM_CACHE_DIRS
    message = "`yum clean all` missing after yum command."

    def is_install(self, inv):
        return rpm_command(inv).action in YUM_INSTALLING

    def is_clean(self, inv):
        return rpm_command(inv).sub == "clean"
