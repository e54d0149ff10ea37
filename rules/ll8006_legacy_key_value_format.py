from layerlint.ast import Range
from layerlint.rule import Edit, Fix, Rule, register
from layerlint.shellwords import GO_SPACE


def _needs_quotes(value: str, escape: str) -> bool | None:
    """Whether `value` has whitespace outside quotes (True), none (False), or unbalanced quotes (None)."""
    quote = None
    i = 0
    while i < len(value):
        ch = value[i]
        if quote is None:
            if ch == escape:
                i += 2
                continue
            if ch in "'\"":
                quote = ch
            elif ch in GO_SPACE:
                return True
        elif ch == quote:
            quote = None
        elif quote == '"' and ch == escape:
            i += 2
            continue
        i += 1
    return None if quote is not None else False


@register
class LegacyKeyValueFormat(Rule):
    """ENV or LABEL uses the legacy `key value` form instead of `key=value`.

    This is BuildKit's `LegacyKeyValueFormat` check: an ENV or LABEL whose first
    argument has no `=` is read as one key followed by a value that runs to the
    end of the instruction. The finding points at the key and value.
    `ONBUILD ENV key value` is reported too (BuildKit reports it in the stages
    that trigger it).

    ## Why is this bad?
    The legacy form sets exactly one variable, its value being the rest of the
    line, spaces included: `ENV PATH /opt/bin:$PATH MODE prod` sets PATH to
    `/opt/bin:...:... MODE prod`. It looks like the `key=value` form but does
    not work like it, and BuildKit's documentation marks it as deprecated.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    ENV APP_HOME /srv/app
    LABEL maintainer "Jane Doe <jane@example.com>"
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    ENV APP_HOME=/srv/app
    LABEL maintainer="Jane Doe <jane@example.com>"
    ```

    ## Fix
    Replaces the blanks between key and value with `=`; a value with blanks
    outside quotes is put in double quotes (`ENV A b c` → `ENV A="b c"`). Safe:
    BuildKit gives the key the same value. Not offered when the key has quotes
    or escapes, or when the value has blanks as well as quotes or escape
    characters, which double quotes would change.
    """

    code = "LL8006"
    name = "legacy-key-value-format"
    groups = ("syntax", "style")
    severity = "warning"
    aliases = ("LegacyKeyValueFormat",)
    fixable = "sometimes"
    onbuild = True
    visits = ("ENV", "LABEL")

    def check(self, ins, ctx):
        legacy = [p for p in ins.pairs if p.legacy and p.value is not None]
        if not legacy:
            return
        p = legacy[0]
        rng = Range(p.key.range.start, p.value.range.end) if p.key.range.start.line == p.value.range.end.line \
            else p.key.range
        kw = ins.keyword
        ctx.report(self, rng,
                   f'"{kw} key=value" should be used instead of legacy "{kw} key value" format: BuildKit takes '
                   f"everything after `{p.key.text}` as one value, blanks included",
                   fix=self._fix(p, ctx))

    @staticmethod
    def _fix(p, ctx):
        escape = ctx.dockerfile.escape
        key, value = p.key.text, p.value.text
        if any(c in key for c in "'\"=$") or escape in key or not value:
            return None
        needs = _needs_quotes(value, escape)
        if needs is None:
            return None
        edits = [Edit(Range(p.key.range.end, p.value.range.start), "=")]
        if needs:
            if any(c in value for c in "'\"") or escape in value:
                return None
            edits += [Edit(Range(p.value.range.start, p.value.range.start), '"'),
                      Edit(Range(p.value.range.end, p.value.range.end), '"')]
        return Fix(tuple(edits), safe=True, title="Use the key=value form")
