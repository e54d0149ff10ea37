from layerlint.rule import register
from layerlint.rules._package_calls import GEM_SHORT_VALUES, UnpinnedPackageRule, gem_install

MESSAGE = "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`"


def pinned(value: str) -> bool:
    """`gem:version`, or a local `.gem` file or path."""
    return ":" in value or value.endswith(".gem") or "/" in value


@register
class GemUnpinnedPackage(UnpinnedPackageRule):
    """`gem install` of a gem without a version.

    Reports each gem word of `gem install` (or `gem i`) that has no `:version`,
    unless the command passes `-v`/`--version` or installs from a gem
    dependency file (`-g`, `--file`); also inside `ONBUILD RUN`, heredoc
    scripts and exec-form RUN. Words after `--` are build options, not gems;
    local `.gem` files are fine.

    Differences from hadolint: only options that take a value swallow the next
    word (hadolint drops the word after every option, so
    `gem install --no-document rails` passes there); local `.gem` files and
    paths count as pinned; a gem word with a variable is judged by its value
    when every variable has a known value (ENV or ARG default in scope) and
    counts as pinned when the value cannot be known; `gem` called by path or
    through `sudo` and similar wrappers counts. Each unpinned gem is reported at
    its own word.

    ## Why is this bad?
    An unpinned gem installs whatever version rubygems.org serves at build time:
    the image changes from one build to the next and a new release can break it
    without any change to the Dockerfile.

    ## Example
    ```dockerfile
    FROM ruby:3.3-slim
    RUN gem install --no-document bundler
    ```

    ## Use instead
    ```dockerfile
    FROM ruby:3.3-slim
    RUN gem install --no-document bundler:2.5.11
    ```
    """

    code = "DL3028"
    name = "gem-unpinned-package"
    groups = ("packages",)
    severity = "warning"
    message = MESSAGE
    is_pinned = staticmethod(pinned)

    def package_words(self, call):
        found = gem_install(call)
        if found is None:
            return None
        opts = call.options(GEM_SHORT_VALUES)
        if any(o in opts for o in ("v", "version", "g", "file")):
            return None  # the version (or a Gemfile) is given by option
        return found[1]
