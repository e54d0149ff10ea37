from layerlint.rule import Rule, register
from layerlint.rules._a_packages import GEM_SHORT_VALUES, calls, expand, gem_install

MESSAGE = "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`"


def pinned(value: str) -> bool:
    """`gem:version`, or a local `.gem` file or path."""
    return ":" in value or value.endswith(".gem") or "/" in value


@register
class GemUnpinnedPackage(Rule):
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
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        for call in calls(ins, ctx) or ():
            found = gem_install(call)
            if found is None:
                continue
            opts = call.options(GEM_SHORT_VALUES)
            if any(o in opts for o in ("v", "version", "g", "file")):
                continue
            for word in found[1]:
                if pinned(word.value):
                    continue
                values = expand(word, ins, ctx)
                if values is None:
                    continue
                bad = [v for v in values if not pinned(v)]
                if bad:
                    shown = ", ".join(f"`{v}`" for v in bad)
                    ctx.report(self, word.range, f"{MESSAGE}: {shown} has no version")
