import re

from layerlint.rule import register
from layerlint.rules._package_calls import PIP_SHORT_VALUES, UnpinnedPackageRule, pip_install
from layerlint.patterns import lazy_pattern

MESSAGE = ("Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or "
           "`pip install --requirement <requirements file>`")
_VERSION = ("==", ">=", "<=", "!=", "~=", ">", "<")
_VCS = lazy_pattern(r"(?:^|[\s@])(git|hg|svn|bzr)\+", re.I)
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip")


def _vcs_has_ref(spec: str) -> bool:
    """`git+https://host/org/repo.git@v1.2#egg=x`: a ref after the repository path."""
    url = spec.split("#", 1)[0]
    m = _VCS.search(url)
    url = url[m.end():] if m else url
    if "://" in url:
        rest = url.split("://", 1)[1]
        path = rest.split("/", 1)[1] if "/" in rest else ""
    else:  # scp-like `git@host:org/repo@ref`
        path = url.split(":", 1)[1] if ":" in url else url
    return "@" in path


def pinned(value: str) -> bool:
    """A version specifier, a VCS URL with a ref, another URL, a local path or archive."""
    if any(s in value for s in _VERSION):
        return True
    if _VCS.search(value):
        return _vcs_has_ref(value)
    low = value.lower()
    if "://" in value or low.startswith("file:"):
        return True
    if value in (".", "..") or "/" in value or value.startswith(("./", "~")):
        return True
    return low.endswith(_ARCHIVES)


@register
class PipUnpinnedPackage(UnpinnedPackageRule):
    """`pip install` of a package without a version.

    Reports each package word of `pip install` (also `pip3`, `pip3.12`,
    `python3 -m pip`, `pipx install`) that has no version specifier (`==`,
    `>=`, `<=`, `!=`, `~=`, `>`, `<`), also inside `ONBUILD RUN`, heredoc
    scripts and exec-form RUN. Installs from requirement or constraint files
    (`-r`, `--requirement`, `-c`, `--constraint`) are left alone, and so are
    VCS URLs with a ref (`git+https://host/repo.git@v1.0`), other URLs, local
    paths and local wheels or source archives. The values of options such as
    `--index-url`, `--target` or `--root-user-action` are not packages.

    Differences from hadolint: a package word with a variable is judged by its
    value when every variable has a known value (ENV or ARG default in scope)
    and counts as pinned when the value cannot be known (hadolint reports
    `pip install $PKG`); `.` is a local project like any other path, so
    `pip install . flask` still reports `flask` (hadolint skips the whole
    command); more options are known to take a value (`--timeout 60`,
    `-C key=value`, hadolint takes their value for a package); a VCS URL needs
    its ref after the repository path (the `@` of `git+ssh://git@host/...` is
    not a ref); `.zip`, `.tgz`, `.tar.bz2`, `.tar.xz` archives count as local
    files like `.whl` and `.tar.gz`; `pip` called by path or through `sudo`,
    `env` and similar wrappers counts. Each unpinned package is reported at its
    own word.

    ## Why is this bad?
    An unpinned package installs whatever version PyPI serves at build time:
    the image changes from one build to the next and a new release can break
    it without any change to the Dockerfile.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --no-cache-dir flask
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --no-cache-dir flask==3.0.3
    ```
    """

    code = "DL3013"
    name = "pip-unpinned-package"
    groups = ("packages",)
    severity = "warning"
    message = MESSAGE
    is_pinned = staticmethod(pinned)

    def package_words(self, call):
        pip = pip_install(call)
        if pip is None:
            return None
        opts = pip.args.options(PIP_SHORT_VALUES)
        if any(o in opts for o in ("r", "c", "requirement", "constraint")):
            return None  # requirement and constraint files pin elsewhere
        return pip.packages()
