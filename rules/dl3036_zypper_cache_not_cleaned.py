from layerlint.rule import register
from layerlint.rules._package_cache_clean import CacheNotCleaned
from layerlint.rules._command_words import ZYPPER_CACHE_DIRS, zypper_command


@register
class ZypperCacheNotCleaned(CacheNotCleaned):
    """`zypper install` without `zypper clean` after it in the same RUN.

    A RUN that runs `zypper install` / `in` must clean zypper's cache later in
    the same RUN: `zypper clean` / `cc` (any options) or an `rm` of
    `/var/cache/zypp` (a parent or a part of it). A BuildKit cache or tmpfs
    mount on `/var/cache/zypp`, a part of it or a parent exempts the RUN. The
    finding points at the last `zypper install` that no clean follows; also
    inside ONBUILD and in heredoc scripts.

    Differences from hadolint:
    - removing the cache directory (`rm -rf /var/cache/zypp/*`) counts as
      cleaning it;
    - a second install after the clean is reported;
    - a mount on a parent (`/var/cache`) exempts the RUN too;
    - zypper run by path or through `sudo`, `env` and similar wrappers is
      checked; exec-form RUN and RUN under a non-POSIX SHELL are not analysed.

    ## Why is this bad?
    zypper keeps repository metadata and downloaded packages in
    `/var/cache/zypp`. Whatever is there when the RUN ends is stored in the
    layer for good; a later RUN cannot make the image smaller again.

    ## Example
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper install -y mariadb=10.11.8
    ```

    ## Use instead
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper install -y mariadb=10.11.8 && zypper clean --all
    ```
    """

    code = "DL3036"
    name = "zypper-cache-not-cleaned"
    groups = ("cache", "packages")
    severity = "warning"
    programs = ("zypper",)
    cache_dirs = ZYPPER_CACHE_DIRS
    message = "`zypper clean` missing after zypper use."

    def is_install(self, inv):
        return zypper_command(inv).sub in ("install", "in")

    def is_clean(self, inv):
        return zypper_command(inv).sub in ("clean", "cc")
