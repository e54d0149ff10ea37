from layerlint.rule import register
from layerlint.rules._labels import SchemaLabelValueRule, is_rfc3339


@register
class LabelNotRfc3339(SchemaLabelValueRule):
    """A label of type `rfc3339` in `label-schema` is not an RFC 3339 timestamp.

    Inactive until `label-schema` gives a label the type `rfc3339`.
    A valid value is a full date and time with a time zone, such as
    `2024-05-01T12:00:00Z` or `2024-05-01T14:00:00.5+02:00`, on a real calendar
    date; a date alone, a time without zone and a space instead of `T` are not
    (hadolint accepts the same forms).
    The value is judged as BuildKit stores it: quotes removed and variables
    expanded with the ARG and ENV values in scope. The finding points at the
    value. Differences from hadolint: variables are expanded (hadolint judges
    the text, `$` and braces included), and a value made from a variable
    without a known value (`LABEL x=$BUILD_ARG` with no default) is not judged,
    since it is only known at build time (hadolint reports it).

    ## Why is this bad?
    Tools that read `org.opencontainers.image.created` parse it as RFC 3339;
    `date`'s default output or a bare date is rejected or misread.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.created="2024-05-01"
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.created="2024-05-01T12:00:00Z"
    ```
    """

    code = "DL3053"
    name = "label-not-rfc3339"
    groups = ("style",)
    severity = "warning"
    label_type = "rfc3339"
    problem = "is not a valid time format - must be conform to RFC3339"
    valid = staticmethod(is_rfc3339)
    # the configuration the documented examples assume
    example_config = {"label-schema": {"org.opencontainers.image.created": "rfc3339"}}
