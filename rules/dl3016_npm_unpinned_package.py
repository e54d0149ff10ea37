from layerlint.rule import register
from layerlint.rules._package_calls import UnpinnedPackageRule, npm_install
from layerlint.patterns import lazy_pattern

MESSAGE = "Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`"
_GIT = ("git://", "git+ssh://", "git+http://", "git+https://", "github:", "gitlab:", "bitbucket:", "gist:")
_LOCAL = ("/", "./", "../", "~/", "file:", "link:")
_TARBALL = (".tar", ".tar.gz", ".tgz")
_SHORTHAND = lazy_pattern(r"^[\w.-]+/[\w.-]+(#.*)?$")  # GitHub `user/repo#ref`


def pinned(value: str) -> bool:
    """`name@version`, `@scope/name@version`, a git URL with `#ref`, a tarball or a folder."""
    if value.startswith(_GIT):
        return "#" in value
    if value.endswith(_TARBALL) or value.startswith(_LOCAL):
        return True
    if not value.startswith("@") and _SHORTHAND.match(value):
        return "#" in value
    if value.startswith(("http://", "https://")):
        return True
    name = value.split("/", 1)[1] if value.startswith("@") and "/" in value else value
    return "@" in name


@register
class NpmUnpinnedPackage(UnpinnedPackageRule):
    """`npm install` of a package without a version.

    Reports each package word of `npm install` (also `npm i` and `npm add`)
    that has no `@version` or `@tag`, also inside `ONBUILD RUN`, heredoc scripts
    and exec-form RUN. A bare `npm install` (versions from package.json and the
    lock file) is fine, and so are tarballs (`.tar`, `.tar.gz`, `.tgz`, also by
    URL), folders (`./dir`, `/dir`, `file:../dir`) and git URLs or GitHub
    shorthands pinned to a commit or tag (`git+https://host/repo.git#v1.0`,
    `user/repo#v1.0`). The values of options such as `--prefix`, `--registry`,
    `--omit` and `--loglevel` are not packages.

    Differences from hadolint: `npm i` and `npm add` count (hadolint knows only
    `install`); a package word with a variable is judged by its value when every
    variable has a known value (ENV or ARG default in scope) and counts as
    pinned when the value cannot be known; `file:` and `link:` folders, any
    http(s) URL (a fixed tarball) and GitHub shorthands with `#ref` count as
    pinned (hadolint reports them unless the URL ends in `.tgz`, `.tar.gz` or
    `.tar`); more options are known to take a value (`--omit dev`, hadolint takes
    `dev` for a package); `npm` called by path or through `sudo` and similar
    wrappers counts. Each unpinned package is reported at its own word.

    ## Why is this bad?
    An unpinned package installs whatever version the registry serves at build
    time: the image changes from one build to the next and a new release can
    break it without any change to the Dockerfile.

    ## Example
    ```dockerfile
    FROM node:20-slim
    RUN npm install -g typescript
    ```

    ## Use instead
    ```dockerfile
    FROM node:20-slim
    RUN npm install -g typescript@5.4.5
    ```
    """

    code = "DL3016"
    name = "npm-unpinned-package"
    groups = ("packages",)
    severity = "warning"
    message = MESSAGE
    is_pinned = staticmethod(pinned)

    def package_words(self, call):
        found = npm_install(call)
        return None if found is None else found[1]
