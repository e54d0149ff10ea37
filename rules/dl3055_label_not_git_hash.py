from layerlint.rule import register
from layerlint.rules._labels import SchemaLabelValueRule, is_git_hash


@register
class LabelNotGitHash(SchemaLabelValueRule):
    """A label of type `hash` in `label-schema` is not a git commit hash.

    Inactive until `label-schema` gives a label the type `hash`.
    A valid value is made of lower-case hexadecimal digits: a full SHA-1 (40)
    or SHA-256 (64) object name, or an abbreviation. Difference from hadolint:
    abbreviations of 7 to 40 digits are accepted, as `git rev-parse --short`
    prints longer ones in big repositories, and so are SHA-256 ids (hadolint
    accepts exactly 7 or 40 digits).
    The value is judged as BuildKit stores it: quotes removed and variables
    expanded with the ARG and ENV values in scope. The finding points at the
    value. Differences from hadolint: variables are expanded (hadolint judges
    the text, `$` and braces included), and a value made from a variable
    without a known value (`LABEL x=$BUILD_ARG` with no default) is not judged,
    since it is only known at build time (hadolint reports it).

    ## Why is this bad?
    The revision label ties an image to the commit it was built from; a branch
    name or a tag moves and identifies nothing.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.revision="main"
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.revision="43c572f1272b6b3171dd1db9e41b7027128ce080"
    ```
    """

    code = "DL3055"
    name = "label-not-git-hash"
    groups = ("style",)
    severity = "warning"
    label_type = "hash"
    problem = "is not a valid git hash"
    valid = staticmethod(is_git_hash)
    # the configuration the documented examples assume
    example_config = {"label-schema": {"org.opencontainers.image.revision": "hash"}}
