from layerlint.rule import register
from layerlint.rules._labels import SchemaLabelValueRule, is_email


@register
class LabelNotEmail(SchemaLabelValueRule):
    """A label of type `email` in `label-schema` is not an email address.

    Inactive until `label-schema` gives a label the type `email`.
    A valid value is an RFC 5322 address (`team@example.com`,
    `"a b"@example.com`), without a display name: `Jane <jane@example.com>` is
    not one (the same forms hadolint accepts).
    The value is judged as BuildKit stores it: quotes removed and variables
    expanded with the ARG and ENV values in scope. The finding points at the
    value. Differences from hadolint: variables are expanded (hadolint judges
    the text, `$` and braces included), and a value made from a variable
    without a known value (`LABEL x=$BUILD_ARG` with no default) is not judged,
    since it is only known at build time (hadolint reports it).

    ## Why is this bad?
    A contact label is only useful when tools can send mail to it.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    LABEL maintainer="Jane Doe <jane@example.com>"
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    LABEL maintainer="jane@example.com"
    ```
    """

    code = "DL3058"
    name = "label-not-email"
    groups = ("style",)
    severity = "warning"
    label_type = "email"
    problem = "is not a valid email format - must be conform to RFC5322"
    valid = staticmethod(is_email)
    # the configuration the documented examples assume
    example_config = {"label-schema": {"maintainer": "email"}}
