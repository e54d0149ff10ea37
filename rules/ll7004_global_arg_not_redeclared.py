from layerlint.ast import Pos, Range
from layerlint.model import PLATFORM_ARGS
from layerlint.rule import Edit, Fix, Rule, register
from layerlint.shell import commands

from ._stage_analysis import assigned_names, line_indent, lineage, maybe_image_env, shell_refs


@register
class GlobalArgNotRedeclared(Rule):
    """A RUN uses a global ARG that its stage does not declare.

    ARGs declared before the first FROM (global ARGs) and BuildKit's automatic
    platform ARGs (`TARGETARCH`, `BUILDPLATFORM`, ...) belong to the global
    scope: they can be used in FROM lines, but a stage sees them only after an
    `ARG NAME` (without a value, to take the global one) inside it. A RUN's
    command text is expanded by the shell, which gets only the stage's ARGs
    and ENVs as environment variables, so `$NAME` there is empty.

    Reported on the first reference to each such name in each RUN (shell form,
    POSIX shell), unless the stage, or an earlier stage it is built on,
    declares the name with ARG or ENV before the RUN, the script sets it
    itself (`NAME=...`, `for NAME`, `read NAME`, `export NAME=...`), the
    reference handles an unset value (`${NAME:-default}`), or the base image
    may define it (its FROM line uses the name, or it is an environment
    variable that official images set, such as `NODE_VERSION` in `FROM node`).
    The instructions BuildKit expands itself (ENV, LABEL, COPY, WORKDIR, ...)
    are LL8005's business; CMD and ENTRYPOINT run in the container, where no
    ARG exists (LL7006); ONBUILD triggers run in a child build (LL6003).

    ## Why is this bad?
    The build runs with an empty value without any error: `RUN curl -fsSLO
    https://example.com/tool-$VERSION.tgz` downloads `tool-.tgz`, and
    `GOARCH=$TARGETARCH go build` builds for the build machine instead of the
    target platform.

    ## Example
    ```dockerfile
    ARG VERSION=1.4.2
    FROM alpine:3.20
    RUN wget -q https://example.com/tool-$VERSION.tar.gz
    ```

    ## Use instead
    ```dockerfile
    ARG VERSION=1.4.2
    FROM alpine:3.20
    ARG VERSION
    RUN wget -q https://example.com/tool-$VERSION.tar.gz
    ```

    ## Fix
    Inserts `ARG NAME` right after the stage's FROM line (once per name and
    stage), when the stage does not declare the name later. Unsafe: the RUN
    then sees the value, which changes what it does (and its cache key).
    """

    code = "LL7004"
    name = "global-arg-not-redeclared"
    groups = ("variables",)
    severity = "warning"
    fixable = "sometimes"
    visits = ("RUN",)

    def check(self, ins, ctx):
        stage = ctx.stage
        if ins.parent is not None or stage is None or ins.json:
            return
        script = commands(ins, ctx.model)
        if script is None:
            return
        refs = shell_refs(script)
        if not refs:
            return
        model = ctx.model
        scope = model.scope_at.get(id(ins))
        known = set(scope.env) | set(scope.args) if scope is not None else set()
        for s in lineage(stage, model)[1:]:
            known |= set(s.env) | set(s.args)
        assigned = assigned_names(script)
        state = ctx.stage_state(self)
        fixed = state.setdefault("fixed", set())
        seen: set[str] = set()
        for ref in refs:
            name = ref.name
            if ref.guarded or name in seen or name in known or name in assigned:
                continue
            is_global = name in model.global_args
            if not is_global and name not in PLATFORM_ARGS:
                continue
            if maybe_image_env(name, stage, model):
                continue
            seen.add(name)
            later = self._declared_later(ins, stage, name)
            what = "global ARG" if is_global else "automatic platform ARG"
            if later is not None:
                ctx.report(self, ref.range,
                           f"`${name}` is empty here: the {what} `{name}` is declared in this stage only later "
                           f"(line {later.start_line}), and the shell sees only the ARGs and ENVs declared before "
                           f"the RUN")
                continue
            fix = None
            if name not in fixed:
                fixed.add(name)
                frm = stage.from_
                end = frm.range.end
                at = Range(Pos(end.line, end.column), Pos(end.line, end.column))
                indent = line_indent(ctx, frm.range.start.line)
                fix = Fix((Edit(at, f"\n{indent}ARG {name}"),), safe=False,
                          title=f"Declare `ARG {name}` in the stage")
            ctx.report(self, ref.range,
                       f"`${name}` is empty here: the {what} `{name}` belongs to the global scope, and a stage "
                       f"sees it only after `ARG {name}` inside it, so the shell gets no such variable", fix=fix)

    @staticmethod
    def _declared_later(ins, stage, name):
        after = False
        for i in stage.instructions:
            if i is ins:
                after = True
                continue
            if after and i.keyword in ("ARG", "ENV") and any(p.key.text == name for p in i.pairs):
                return i
        return None
