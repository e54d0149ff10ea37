from layerlint.rule import register
from layerlint.rules._labels import SchemaLabelValueRule, is_semver


@register
class LabelNotSemver(SchemaLabelValueRule):
    """A label of type `semver` in `label-schema` is not a semantic version.

    Inactive until `label-schema` gives a label the type `semver`.
    A valid value is `MAJOR.MINOR.PATCH` with optional dot-separated
    `-pre.release` and `+build` identifiers: `1.4.2`, `2.0.1-rc1`,
    `1.0.0-beta.2+exp.sha.5114f85`; `v1.4.2`, `1.4` and `1.4.2.1` are not (the
    same forms hadolint accepts).
    The value is judged as BuildKit stores it: quotes removed and variables
    expanded with the ARG and ENV values in scope. The finding points at the
    value. Differences from hadolint: variables are expanded (hadolint judges
    the text, `$` and braces included), and a value made from a variable
    without a known value (`LABEL x=$BUILD_ARG` with no default) is not judged,
    since it is only known at build time (hadolint reports it).

    ## Why is this bad?
    Tools that sort or compare image versions rely on the label being a real
    semantic version; `v1.2` or `latest` breaks them.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.version="v1.4"
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.version="1.4.0"
    ```
    """

    code = "DL3056"
    name = "label-not-semver"
    groups = ("style",)
    severity = "warning"
    label_type = "semver"
    problem = "does not conform to semantic versioning"
    valid = staticmethod(is_semver)
    # the configuration the documented examples assume
    example_config = {"label-schema": {"org.opencontainers.image.version": "semver"}}
