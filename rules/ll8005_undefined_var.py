import re

from layerlint.ast import Pos
from layerlint.rule import Rule, register
from layerlint.shellwords import referenced_names

from ._buildkit_checks import body_range, levenshtein, raw_references, references, sub_range, suggest
from ._stage_sources import possible_parents, stage_chain
from layerlint.patterns import lazy_pattern

# set by most base images or by the container runtime; never reported
COMMON_BASE_VARIABLES = frozenset({"PATH", "HOME", "HOSTNAME", "TERM", "LANG", "LANGUAGE", "LC_ALL", "PWD",
                                   "SHELL", "USER", "TZ"})
# BuildKit never reports these (nonEnvArgs)
NON_ENV_ARGS = frozenset({"BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"})
_WINDOWS = lazy_pattern(r"windowsservercore|nanoserver|servercore|mcr\.microsoft\.com/windows", re.I)


def _from_names(stage) -> set[str]:
    """Variables the stage's FROM line uses (image and --platform)."""
    ins = stage.from_
    names = set(referenced_names(ins.words[0].text)) if ins.words else set()
    flag = ins.flag("platform")
    if flag is not None and flag.value:
        names |= set(referenced_names(flag.value))
    return names


def _defined_names(ins, ctx) -> list[str]:
    """Names an ARG or ENV instruction defines (ENV keys expanded as BuildKit does)."""
    if ins.keyword == "ARG":
        return [p.key.text for p in ins.pairs]
    if ins.keyword == "ENV":
        out = []
        for p in ins.pairs:
            key = ctx.model.expand(p.key.text, ins) if "$" in p.key.text or '"' in p.key.text or "'" in p.key.text \
                else p.key.text
            out.append(key if key is not None else p.key.text)
        return out
    return []


@register
class UndefinedVar(Rule):
    """An instruction that BuildKit expands uses a variable that is not defined.

    This is BuildKit's `UndefinedVar` check, limited to what can be known
    without the base image. The instructions BuildKit expands are checked: ENV
    and LABEL keys and values, ARG default values inside stages, ADD and COPY
    sources, destination, `--chown`, `--chmod` and ADD `--checksum`, COPY/ADD
    heredoc bodies whose delimiter is unquoted, WORKDIR, USER, VOLUME,
    STOPSIGNAL, and `RUN --mount` option values (except `from`). The command
    text of RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK is not: the shell, not
    BuildKit, expands it, and exec form is not expanded at all. FROM has its
    own check (LL8004) and ONBUILD triggers run in an unknown child build.

    A variable is defined when an ARG (with or without a value) or ENV of the
    stage, or of an earlier stage it is built on, sets it before the
    instruction. BuildKit also counts the base image's environment, which a
    linter cannot see, so findings are limited to what is certain or clearly a
    mistake:

    - in a stage built on `scratch` (directly or through earlier stages) the
      environment is only what the file defines (plus `PATH`, which BuildKit
      always sets): every other variable is reported;
    - in a stage built on another image, a variable is reported only when the
      file shows it is a mistake: a defined name is a likely typo of it (the
      "did you mean" suggestion), the stage defines it only later, or it is a
      global ARG (declared before the first FROM) that the stage did not
      re-declare, and that the stage's FROM lines do not use (images such as
      `node:${NODE_VERSION}` set an environment variable of the same name).

    Never reported: `PATH`, `HOME`, `HOSTNAME`, `TERM`, `LANG`, `LANGUAGE`,
    `LC_ALL`, `PWD`, `SHELL`, `USER`, `TZ` (set by most images or the runtime);
    references that handle an unset variable themselves (`${A:-default}`,
    `${A:+x}`, `${A:?message}`, and what is nested in them; BuildKit reports
    these too); and names that the same ENV instruction sets (DL3044 reports
    those), unless the name is a global ARG the stage did not re-declare:
    `ENV APP_VERSION=${APP_VERSION}` after a global `ARG APP_VERSION=1.2` sets
    an empty value, the usual way this mistake is written. On Windows images names are compared case-insensitively. Each name
    is reported once per instruction, on its first reference.

    ## Why is this bad?
    BuildKit expands an undefined variable to an empty string without an
    error: `COPY $DIST_DIR/ /srv/` copies the whole context to `/srv/`, and
    `WORKDIR /opt/$APP` becomes `/opt/`. Usually the ARG is missing from the
    stage (global ARGs must be re-declared after FROM) or the name is misspelt.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    ARG DIR_ASSETS=assets/
    COPY $DIR_ASSET /srv/
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    ARG DIR_ASSETS=assets/
    COPY $DIR_ASSETS /srv/
    ```
    """

    code = "LL8005"
    name = "undefined-var"
    groups = ("variables",)
    severity = "warning"
    aliases = ("UndefinedVar",)
    visits = ("ADD", "COPY", "ENV", "LABEL", "ARG", "WORKDIR", "USER", "VOLUME", "STOPSIGNAL", "RUN")

    def check(self, ins, ctx):
        stage = ctx.model.stage_of.get(id(ins))
        if stage is None or ins.parent is not None:
            return
        escape = ctx.dockerfile.escape
        # (references, text, range, or the first position of a heredoc body) of each expanded part
        parts = []

        def word(text, rng):
            if "$" in text:
                parts.append((references(text, escape), text, rng))

        same_instruction: set[str] = set()
        earlier_pairs: list[set[str]] = []
        kw = ins.keyword
        if kw in ("ENV", "LABEL"):
            for p in ins.pairs:
                word(p.key.text, p.key.range)
                if p.value is not None:
                    word(p.value.text, p.value.range)
            if kw == "ENV":
                same_instruction = set(_defined_names(ins, ctx))
        elif kw == "ARG":
            names: set[str] = set()
            for p in ins.pairs:
                if p.value is not None and "$" in p.value.text:
                    parts.append((references(p.value.text, escape), p.value.text, p.value.range))
                    earlier_pairs.append(set(names))
                names.add(p.key.text)
        elif kw in ("ADD", "COPY"):
            for name in ("chown", "chmod") + (("checksum",) if kw == "ADD" else ()):
                flag = ins.flag(name)
                if flag is not None and flag.value_range is not None:
                    word(ctx.text(flag.value_range), flag.value_range)
            for w in ins.words:
                if not ins.json and ins.heredocs and w.text.startswith("<<"):
                    continue
                word(w.text, w.range)
            for h in ins.heredocs:
                if h.expand and "$" in h.content:
                    parts.append((raw_references(h.content), h.content, Pos(h.body.start.line, 0)))
        elif kw == "RUN":
            for m in ins.mounts:
                for key, value in m.options.items():
                    if key == "from" or "$" not in value:
                        continue
                    rng = m.value_ranges.get(key)
                    text = ctx.text(rng) if rng is not None else value
                    parts.append((references(text, escape), text, rng or m.range_of(key)))
        else:  # WORKDIR, USER, VOLUME, STOPSIGNAL
            for w in ins.words:
                word(w.text, w.range)
        if not parts:
            return

        windows = self._windows(stage, ctx)
        norm = (lambda n: n.upper()) if windows else (lambda n: n)
        known = self._known(ins, stage, ctx)
        known_norm = {norm(n) for n in known}
        reported: set[str] = set()
        for index, (refs, text, where) in enumerate(parts):
            local = earlier_pairs[index] if kw == "ARG" and index < len(earlier_pairs) else set()
            for ref in refs or ():
                name = ref.name
                # `ENV A=$A` is fine when the image may set A; not when A is a global ARG the stage lacks
                self_ref = name in same_instruction and name not in ctx.model.global_args
                if (ref.guarded or norm(name) in known_norm or name in local or self_ref
                        or name in NON_ENV_ARGS or name in reported or norm(name) in COMMON_BASE_VARIABLES):
                    continue
                hint = suggest(name, known, case_sensitive=not windows)
                if not self._certain(name, hint, ins, stage, ctx):
                    continue
                reported.add(name)
                if isinstance(where, Pos):
                    rng = body_range(text, where, ref.start, ref.end)
                else:
                    rng = sub_range(text, where, ref.start, ref.end)
                hint_text = f" (did you mean ${hint}?)" if hint else ""
                ctx.report(self, rng,
                           f"Usage of undefined variable '${name}'{hint_text}: no ARG or ENV in scope defines it, "
                           f"so BuildKit expands it to an empty string")

    @staticmethod
    def _lineage(stage, ctx) -> list:
        out = []
        for s in stage_chain(stage):
            out.append(s)
            if s.parent is None:
                for p in possible_parents(s, ctx.model):
                    out.extend(x for x in stage_chain(p) if x not in out)
        return out

    def _known(self, ins, stage, ctx) -> set[str]:
        known = {"PATH"}
        scope = ctx.model.scope_at.get(id(ins))
        if scope is not None:
            known |= set(scope.env) | set(scope.args)
        for s in self._lineage(stage, ctx)[1:]:
            known |= set(s.env) | set(s.args)
        return known

    def _windows(self, stage, ctx) -> bool:
        for s in self._lineage(stage, ctx):
            if _WINDOWS.search(s.image.resolved) or (s.platform or "").lower().startswith("windows"):
                return True
        return False

    def _certain(self, name, hint, ins, stage, ctx) -> bool:
        lineage = self._lineage(stage, ctx)
        root = lineage[-1] if lineage else stage
        if root.parent is None and root.image.is_scratch and not root.image.has_variables \
                and not possible_parents(root, ctx.model):
            return True
        if hint and (len(hint) == len(name) or levenshtein(hint, name) == 1):
            return True  # a typo: a transposition, or one character added, dropped or changed
        later = stage.instructions[stage.instructions.index(ins) + 1:] if ins in stage.instructions else []
        if any(name in _defined_names(i, ctx) for i in later):
            return True
        if name in ctx.model.global_args:
            return not any(name in _from_names(s) for s in lineage)
        return False
