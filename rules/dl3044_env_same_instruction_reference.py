from layerlint.ast import Pos, Range
from layerlint.rule import Rule, register
from layerlint.shellwords import Lex, ShellLexError

_UNKNOWN = "\x00{}\x00"  # stands for the value of a variable declared without one


def _references(text: str, escape: str) -> list[tuple[str, int, int]]:
    lex = Lex(escape)
    try:
        lex.process_word(text, {})
    except ShellLexError:
        return []
    return [(name, a, b) for name, a, b in lex.references if name and (name[0].isalpha() or name[0] == "_")]


def _expand(text: str, values: dict, escape: str) -> str | None:
    try:
        return Lex(escape).process_word(text, values)
    except ShellLexError:
        return None


@register
class EnvSameInstructionReference(Rule):
    """ENV refers to a variable that the same ENV instruction defines.

    BuildKit expands every value of an ENV instruction with the variables as
    they were *before* the instruction, so in `ENV A=1 B=$A`, B does not see
    the new A. Reported, on the reference (`$A`, `${A}`), when a value refers
    to a variable that:

    - an earlier pair of the same instruction sets, unless that pair leaves the
      variable's value unchanged (`ARG V` / `ENV V=$V URL=/x/$V`); or
    - a later pair sets and that was not defined before the instruction (the
      reference expands to an empty string).

    A self-append (`PATH=/opt/bin:$PATH`) and references to variables set by an
    earlier ENV or ARG of the stage (or of its parent stages) are fine.

    Differences from hadolint: references are found with BuildKit's own
    expansion rules, so an escaped `\\$A` or `'$A'` is not a reference (hadolint
    issue #1062) and a longer name is never a reference to its prefix, even
    after another `$` in the value (`$SOFT/x-$SAMTOOLS_VERSION` does not
    refer to `SAMTOOLS`, issue #568);
    modifier forms (`${A:-x}`, `${A:+x}`) are references too; what counts as
    defined before follows BuildKit's scoping (an ARG of another stage, or a
    global ARG not re-declared in the stage, does not count); a variable that
    existed before is still reported when an earlier pair changes it
    (`ENV V=1.2 URL=/x/$V` after `ENV V=1.1` gives `/x/1.1`; hadolint exempts
    every variable defined before, so `ENV PATH=/a:$PATH PATH=/b:$PATH` after
    an `ENV PATH=...` passes there although `/a` is lost).

    ## Why is this bad?
    The value silently comes out different from what the line suggests:
    `ENV JAVA_HOME=/opt/java PATH=$JAVA_HOME/bin:$PATH` puts `/bin` on the
    PATH, not `/opt/java/bin`.

    ## Example
    ```dockerfile
    FROM debian:12.5
    ENV JAVA_HOME=/opt/java \\
        PATH=$JAVA_HOME/bin:$PATH
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    ENV JAVA_HOME=/opt/java
    ENV PATH=$JAVA_HOME/bin:$PATH
    ```
    """

    code = "DL3044"
    name = "env-same-instruction-reference"
    groups = ("variables",)
    severity = "error"
    visits = ("ENV",)

    def check(self, ins, ctx):
        pairs = [p for p in ins.pairs if p.value is not None]
        if ins.parent is not None or len(pairs) < 2:
            return
        escape = ctx.dockerfile.escape
        scope = ctx.model.scope_at.get(id(ins))
        before = scope.values() if scope else {}
        defined = (lambda n: scope.defined(n)) if scope else (lambda n: False)
        # old values, with a placeholder for variables declared without a value
        known = dict(before)
        if scope:
            for name in scope.args:
                known.setdefault(name, _UNKNOWN.format(name))
        keys = [p.key.text for p in pairs]
        for j, pair in enumerate(pairs):
            for name, a, b in _references(pair.value.text, escape):
                earlier = [i for i in range(j) if keys[i] == name]
                if earlier:
                    i = earlier[-1]
                    new = _expand(pairs[i].value.text, known, escape)
                    if defined(name) and name in known and new == known[name]:
                        continue
                    why = f"`{name}` is set earlier in this ENV (line {pairs[i].key.range.start.line + 1})"
                elif name != keys[j] and name in keys[j + 1:] and not defined(name):
                    why = f"`{name}` is only set later in this ENV"
                else:
                    continue
                ctx.report(self, self._range(pair.value, a, b),
                           f"Do not refer to an environment variable within the same `ENV` statement where it is "
                           f"defined: {why}, so this reference sees its old value")

    @staticmethod
    def _range(word, a: int, b: int) -> Range:
        r = word.range
        if r.start.line == r.end.line and r.end.column - r.start.column == len(word.text):
            return Range(Pos(r.start.line, r.start.column + a), Pos(r.start.line, r.start.column + b))
        return r
