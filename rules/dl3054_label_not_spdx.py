from layerlint.rule import register
from layerlint.rules._labels import SchemaLabelValueRule, is_spdx


@register
class LabelNotSpdx(SchemaLabelValueRule):
    """A label of type `spdx` in `label-schema` is not an SPDX license expression.

    Inactive until `label-schema` gives a label the type `spdx`.
    A valid value uses identifiers of the SPDX license list (deprecated ones
    such as `GPL-2.0` excluded): `MIT`, `Apache-2.0`, `GPL-3.0-or-later`.
    Differences from hadolint: full SPDX license expressions are accepted
    (`Apache-2.0 OR MIT`, `GPL-2.0-only WITH Classpath-exception-2.0`,
    `(MIT AND BSD-3-Clause)`, `LicenseRef-acme`, `Apache-1.0+`), since
    `org.opencontainers.image.licenses` is defined as an SPDX expression and
    dual-licensed projects need one (hadolint accepts a single identifier only);
    identifiers are matched case-insensitively, as the SPDX specification asks.
    The value is judged as BuildKit stores it: quotes removed and variables
    expanded with the ARG and ENV values in scope. The finding points at the
    value. Differences from hadolint: variables are expanded (hadolint judges
    the text, `$` and braces included), and a value made from a variable
    without a known value (`LABEL x=$BUILD_ARG` with no default) is not judged,
    since it is only known at build time (hadolint reports it).

    ## Why is this bad?
    License scanners and registries read this label to decide whether an
    image may be used; a free-text licence name cannot be matched.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.licenses="Apache License 2.0"
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    LABEL org.opencontainers.image.licenses="Apache-2.0"
    ```
    """

    code = "DL3054"
    name = "label-not-spdx"
    groups = ("style",)
    severity = "warning"
    label_type = "spdx"
    problem = "is not a valid SPDX identifier"
    valid = staticmethod(is_spdx)
    # the configuration the documented examples assume
    example_config = {"label-schema": {"org.opencontainers.image.licenses": "spdx"}}
