"""The typed model rules read: stages, base images, variables, SHELL, WORKDIR, USER.

Built once per file from the syntax tree, in one pass, following BuildKit's
dispatch semantics:

- ARGs before the first FROM are global (meta) ARGs; FROM and `--platform` are
  expanded with them and the built-in platform ARGs only;
- inside a stage, an ARG without a value inherits the global ARG of that name;
  ENV and ARG values are expanded with what is in scope *before* the instruction
  (`ENV a=1 b=$a` uses the old `a`);
- a stage whose FROM names an earlier stage inherits its ENV, SHELL, WORKDIR and
  USER (its parent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .ast import Dockerfile, Instruction, Word
from .shellwords import Lex, ShellLexError
from .patterns import lazy_pattern

DEFAULT_SHELL = ("/bin/sh", "-c")
WINDOWS_SHELL = ("cmd", "/S", "/C")  # Docker's default SHELL on Windows images
_SHELL_PRAGMA = lazy_pattern(r"^hadolint\s+shell\s*=\s*(\S+)")
_WINDOWS_IMAGE = lazy_pattern(r"windowsservercore|nanoserver|servercore|mcr\.microsoft\.com/windows", re.I)
PLATFORM_ARGS = ("BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH", "BUILDVARIANT", "TARGETPLATFORM",
                 "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE")
PROXY_ARGS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY",
              "no_proxy", "ALL_PROXY", "all_proxy")
_DIGEST = lazy_pattern(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$")


@dataclass(slots=True)
class ImageRef:
    """A FROM image reference split into its parts (after expansion when possible)."""

    text: str  # as written
    resolved: str  # after expanding global ARGs (equals `text` when nothing to expand)
    registry: str | None
    repository: str
    tag: str | None
    digest: str | None
    has_variables: bool

    @classmethod
    def parse(cls, text: str, resolved: str | None = None) -> ImageRef:
        resolved = text if resolved is None else resolved
        ref = resolved
        digest = None
        if "@" in ref:
            ref, digest = ref.split("@", 1)
        tag = None
        slash = ref.rfind("/")
        colon = ref.rfind(":")
        if colon > slash:
            ref, tag = ref[:colon], ref[colon + 1:]
        registry = None
        first, sep, rest = ref.partition("/")
        if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
            registry, ref = first, rest
        return cls(text, resolved, registry, ref, tag, digest, "$" in text)

    @property
    def is_scratch(self) -> bool:
        return self.resolved.lower() == "scratch"


@dataclass(slots=True, eq=False)
class Stage:
    index: int
    from_: Instruction
    name: str | None  # lower-cased, as BuildKit stores it
    name_word: Word | None
    image: ImageRef
    parent: Stage | None  # earlier stage this one is built FROM
    platform: str | None
    instructions: list[Instruction] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)  # at the end of the stage
    args: dict[str, str | None] = field(default_factory=dict)
    shell: tuple[str, ...] = DEFAULT_SHELL
    workdir: str | None = None
    user: str | None = None
    copied_from_by_later: bool = False

    @property
    def label(self) -> str:
        return self.name or str(self.index)


@dataclass(slots=True)
class Scope:
    """Variables visible at one instruction."""

    env: dict[str, str]
    args: dict[str, str | None]
    _values: dict[str, str] | None = field(default=None, repr=False, compare=False)

    def values(self) -> dict[str, str]:
        """The values an expansion sees: ARGs with a value, then ENV over them. Scopes are never
        changed once built (consecutive instructions share one), so this is computed once."""
        if self._values is None:
            out = {k: v for k, v in self.args.items() if v is not None}
            out.update(self.env)
            self._values = out
        return self._values

    def defined(self, name: str) -> bool:
        return name in self.env or name in self.args


@dataclass(slots=True)
class Model:
    dockerfile: Dockerfile
    global_args: dict[str, str | None]
    stages: list[Stage]
    stage_of: dict[int, Stage]  # id(instruction) -> stage
    scope_at: dict[int, Scope]  # id(instruction) -> variables before it
    shell_at: dict[int, tuple[str, ...]]
    workdir_at: dict[int, str | None]
    user_at: dict[int, str | None]
    shell_cache: dict = field(default_factory=dict)  # id(RUN) -> layerlint.shell.ShellScript | None
    # analyses of the whole model that several rules read (rules/_image_config.py's image
    # configs, ...), computed once per model by the first rule asking: name -> value
    derived: dict = field(default_factory=dict)

    def stage_by_name(self, name: str) -> Stage | None:
        low = name.lower()
        for s in self.stages:
            if s.name == low:
                return s
        return None

    def expand_known(self, text: str, ins: Instruction) -> str | None:
        """`text` expanded as BuildKit would at `ins`; None when a referenced variable has no
        known value or the text does not lex. An ONBUILD trigger is expanded with the ENV in
        scope only: it runs in a child build, which has none of this file's ARGs."""
        top = ins.parent if ins.parent is not None else ins
        scope = self.scope_at.get(id(top))
        if scope is None:
            values: dict[str, str] = {}
        elif ins.parent is not None:
            values = dict(scope.env)
        else:
            values = scope.values()
        lex = Lex(self.dockerfile.escape)
        try:
            out = lex.process_word(text, values)
        except ShellLexError:
            return None
        return None if lex.unset else out

    def expand(self, text: str, ins: Instruction, escape: str | None = None) -> str | None:
        """Expand `text` as BuildKit would at `ins`; None when expansion fails."""
        scope = self.scope_at.get(id(ins))
        env = scope.values() if scope else {}
        try:
            return Lex(escape or self.dockerfile.escape).process_word(text, env)
        except ShellLexError:
            return None


def build_model(doc: Dockerfile) -> Model:
    lex = Lex(doc.escape)
    global_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    stage_of: dict[int, Stage] = {}
    scope_at: dict[int, Scope] = {}
    shell_at: dict[int, tuple[str, ...]] = {}
    workdir_at: dict[int, str | None] = {}
    user_at: dict[int, str | None] = {}
    current: Stage | None = None
    last_named: dict[str, Stage] = {}  # stage name -> the last stage of that name so far
    first_named: dict[str, Stage] = {}  # stage name -> the first stage of that name
    env: dict[str, str] = {}
    args: dict[str, str | None] = {}
    scope: Scope | None = None

    def expand(text: str, values: dict[str, str]) -> str:
        try:
            return lex.process_word(text, values)
        except ShellLexError:
            return text

    # `# hadolint shell=NAME` sets the shell assumed for the instructions after it
    shell_pragmas = [(c.range.start.line, (m.group(1),)) for c in doc.comments
                     if (m := _SHELL_PRAGMA.match(c.text))]
    pragma_shell: tuple[str, ...] | None = None

    for ins in doc.instructions:
        kw = ins.keyword
        while shell_pragmas and shell_pragmas[0][0] < ins.range.start.line:
            pragma_shell = shell_pragmas.pop(0)[1]
            if current is not None:
                current.shell = pragma_shell
        if kw == "FROM":
            values = {k: v for k, v in global_args.items() if v is not None}
            image_text = ins.value[0] if ins.value else ""
            image = ImageRef.parse(image_text, expand(image_text, values) if "$" in image_text else image_text)
            name_word = ins.words[2] if len(ins.words) == 3 and ins.value[1].lower() == "as" else None
            name = name_word.text.lower() if name_word else None
            # BuildKit looks the base up by its exact text among the lower-cased stage names,
            # so `FROM Builder` is an image, while `COPY --from=Builder` finds the stage
            parent = last_named.get(image.resolved) if image.resolved else None
            platform = ins.flag("platform")
            current = Stage(len(stages), ins, name, name_word, image, parent,
                            platform.value if platform else None)
            if _WINDOWS_IMAGE.search(image.resolved) or (current.platform or "").lower().startswith("windows"):
                current.shell = WINDOWS_SHELL
            if pragma_shell is not None:
                current.shell = pragma_shell
            if parent is not None:
                current.env = dict(parent.env)
                current.args = dict(parent.args)  # BuildKit carries the base stage's build args over
                current.shell = parent.shell
                current.workdir = parent.workdir
                current.user = parent.user
            stages.append(current)
            if name:
                last_named[name] = current
                first_named.setdefault(name, current)
            env = current.env
            args = current.args
            scope_at[id(ins)] = Scope({}, dict(global_args))
            scope = None  # the stage's first scope is made at its next instruction
        elif current is None:
            scope_at[id(ins)] = Scope({}, dict(global_args))
            if kw == "ARG":
                values = {k: v for k, v in global_args.items() if v is not None}
                for p in ins.pairs:
                    global_args[p.key.text] = expand(p.value.text, values) if p.value is not None else None
            continue
        else:
            if scope is None:  # shared by the instructions up to the next ARG or ENV
                scope = Scope(dict(env), dict(args))
            scope_at[id(ins)] = scope
        stage_of[id(ins)] = current
        current.instructions.append(ins)
        shell_at[id(ins)] = current.shell
        workdir_at[id(ins)] = current.workdir
        user_at[id(ins)] = current.user
        values = scope.values() if scope is not None else {}
        if kw in ("ARG", "ENV"):
            scope = None
        if kw == "ARG":
            for p in ins.pairs:
                name = p.key.text
                if p.value is not None:
                    args[name] = expand(p.value.text, values)
                elif name in global_args:
                    args[name] = global_args[name]
                elif name in PLATFORM_ARGS:
                    args[name] = ""
                else:
                    args[name] = None
        elif kw == "ENV":
            for p in ins.pairs:
                if p.value is not None:
                    env[expand(p.key.text, values)] = expand(p.value.text, values)
        elif kw == "SHELL" and ins.json and ins.value:
            current.shell = tuple(ins.value)
        elif kw == "WORKDIR" and ins.value:
            path = expand(ins.value[0], values)
            if current.workdir and not path.startswith("/") and not re.match(r"^[A-Za-z]:", path):
                path = current.workdir.rstrip("/") + "/" + path
            current.workdir = path
        elif kw == "USER" and ins.value:
            current.user = expand(ins.value[0], values)
        if kw in ("COPY", "RUN"):  # COPY --from=stage, RUN --mount=from=stage
            # COPY --from takes a stage name or index; a mount's from= only a name (BuildKit)
            sources = [(f.value, True) for f in ins.flag_nodes if f.name == "from" and f.value]
            sources += [(m.from_, False) for m in ins.mounts if m.from_]
            for src, by_index in sources:
                ref = first_named.get(src.lower())
                if ref is None and by_index and src.isdigit() and int(src) < len(stages):
                    ref = stages[int(src)]
                if ref is not None and ref is not current:
                    ref.copied_from_by_later = True
    for later in stages:
        if later.parent is not None:
            later.parent.copied_from_by_later = True
    return Model(doc, global_args, stages, stage_of, scope_at, shell_at, workdir_at, user_at)
