from layerlint.rule import register
from layerlint.rules._package_cache_clean import CacheNotCleaned
from layerlint.rules._command_words import DNF_NAMES, RPM_CACHE_DIRS, dnf_family, rpm_command

DNF_INSTALLING = frozenset({"install", "in", "groupinstall", "localinstall", "group install", "groups install",
                            "module install", "reinstall", "rei", "upgrade", "up", "update", "upgrade-minimal",
                            "up-min", "update-minimal"})


@register
class DnfCacheNotCleaned(CacheNotCleaned):
    """`dnf install` or `microdnf install` without `dnf clean all` after it in the same RUN.

    A RUN that installs, reinstalls or upgrades packages with dnf (or
    microdnf) must clean the cache later in the same RUN: `dnf clean` /
    `microdnf clean` (any target; the same tool as the install, dnf and dnf5
    counting as one) or an `rm` of `/var/cache/dnf`, `/var/cache/yum` or
    `/var/cache/libdnf5` (a parent or a part of them). A BuildKit cache or
    tmpfs mount on one of these directories exempts the RUN. The finding points
    at the last install that no clean follows; also inside ONBUILD and in
    heredoc scripts.

    Differences from hadolint:
    - every install must be followed by a clean, judged by the *last* clean:
      `dnf clean all && dnf update -y && dnf install -y x && dnf clean all` is
      fine (hadolint 2.15.1 reports it, issue #1179);
    - cache and tmpfs mounts on `/var/cache/dnf` and `/var/cache/yum` exempt
      the RUN, not only mounts on `/var/cache/libdnf5`;
    - an `rm` must name the cache: hadolint accepts any `rm -rf` (even
      `rm -rf /tmp`) but not `rm -fr /var/cache/dnf/*`;
    - `update`, `update-minimal`, `groupinstall` and `localinstall` count as
      installs like their aliases `upgrade` and `group install`;
    - `dnf5`, and dnf run by path or through `sudo`, `env` and similar wrappers
      are checked; exec-form RUN and RUN under a non-POSIX SHELL are not
      analysed.

    ## Why is this bad?
    dnf keeps repository metadata (often hundreds of MB) in `/var/cache/dnf`
    (`/var/cache/libdnf5` for dnf5). Whatever is there when the RUN ends is
    stored in the layer for good; a later RUN cannot make the image smaller
    again.

    ## Example
    ```dockerfile
    FROM fedora:40
    RUN dnf install -y mariadb-10.11.8
    ```

    ## Use instead
    ```dockerfile
    FROM fedora:40
    RUN dnf install -y mariadb-10.11.8 && dnf clean all
    ```
    """

    code = "DL3040"
    name = "dnf-cache-not-cleaned"
    groups = ("cache", "packages")
    severity = "warning"
    programs = DNF_NAMES
    cache_dirs = RPM_CACHE_DIRS
    message = "`dnf clean all` missing after dnf command."

    def family(self, inv):
        return dnf_family(inv.basename)

    def is_install(self, inv):
        return rpm_command(inv).action in DNF_INSTALLING

    def is_clean(self, inv):
        return rpm_command(inv).sub == "clean"
