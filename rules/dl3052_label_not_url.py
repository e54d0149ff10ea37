from layerlint.rule import register
from layerlint.rules._labels import SchemaLabelValueRule, is_url


@register
class LabelNotUrl(SchemaLabelValueRule):
    """A label of type `url` in `label-schema` is not a valid URL.

    Inactive until `label-schema` gives a label the type `url`.
    A valid value is an absolute URI as RFC 3986 defines it: a scheme, `:` and
    the rest made of URI characters (`https://github.com/acme/api`,
    `git+ssh://git@example.com/x.git`, `mailto:team@example.com`); spaces, bare
    host names (`example.com`) and broken `%` escapes are not.
    The value is judged as BuildKit stores it: quotes removed and variables
    expanded with the ARG and ENV values in scope. The finding points at the
    value. Differences from hadolint: variables are expanded (hadolint judges
    the text, `$` and braces included), and a value made from a variable
    without a known value (`LABEL x=$BUILD_ARG` with no default) is not judged,
    since it is only known at build time (hadolint reports it).

    ## Why is this bad?
    A label that claims to be a URL but is not one breaks every tool that links
    to it (registries show `org.opencontainers.image.source` as a link).

    ## Example
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.source="github.com/acme/api"
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.source="https://github.com/acme/api"
    ```
    """

    code = "DL3052"
    name = "label-not-url"
    groups = ("style",)
    severity = "warning"
    label_type = "url"
    problem = "is not a valid URL"
    valid = staticmethod(is_url)
    # the configuration the documented examples assume
    example_config = {"label-schema": {"org.opencontainers.image.source": "url"}}
