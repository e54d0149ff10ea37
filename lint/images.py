"""Images the project builds itself, and from which Dockerfile.

When a Dockerfile says `FROM team/base:1.4` and the same repository builds
`team/base:1.4`, the parent is not a black box: its ONBUILD triggers will run at
the start of the child's stage, in the child's build context. This module finds
such parents so that rules can analyse the triggers where they run.

Where the project says which Dockerfile builds which image, first source wins:

- the `[images]` table of the layerlint configuration
  (`"team/base:1.4" = "base/Dockerfile"`, or a table with `dockerfile`, `context`
  and `target`), paths relative to the configuration file;
- the services of Compose files that have both `image` and `build`, in the
  linted Dockerfile's directory and each directory above it up to the
  repository root (the directory holding `.git`; without one, only the
  Dockerfile's directory). Compose's `${VAR:-default}` and
  `${VAR-default}` take their default, other variables the value of the `.env`
  file beside the Compose file; a name that stays unresolved is skipped. The
  process environment is deliberately not read: findings must not depend on the
  shell that runs the linter.

Image names are compared as Docker normalises them: `docker.io/library/x`,
`library/x` and `x` are one image, and no tag means `latest`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from . import inputs
from .ast import Dockerfile, Instruction
from .discover import read_regular_file  # never blocks on a named pipe
from .model import Model, Stage, build_model
from .patterns import lazy_pattern

COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
_MAX_HOPS = 64  # stages followed up through project images
_COMPOSE_VAR = lazy_pattern(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True, slots=True)
class ImageSource:
    """Where the project builds an image."""

    name: str  # normalised image name
    dockerfile: str  # absolute path
    context: str  # absolute directory
    target: str | None  # the stage built (`--target`), None for the last one
    origin: str  # where this was declared, for messages: `compose.yaml (service api)`


@dataclass(slots=True, eq=False)
class BuiltImage:
    """A project image, parsed: the stage that becomes the image and its ONBUILD triggers."""

    source: ImageSource
    dockerfile: Dockerfile
    model: Model
    stage: Stage

    @property
    def triggers(self) -> list[Instruction]:
        """The ONBUILD instructions of the built stage: the triggers the image carries."""
        return onbuild_triggers(self.stage)


def onbuild_triggers(stage: Stage) -> list[Instruction]:
    """The ONBUILD instructions of a stage that carry a trigger."""
    return [i for i in stage.instructions if i.keyword == "ONBUILD" and i.trigger is not None]


def normalise(ref: str) -> str:
    """`ref` as Docker normalises an image name: registry `docker.io`, `library/` and the
    `latest` tag made implicit, so equal images compare equal."""
    name, at, digest = ref.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = ""
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    if name.startswith("library/") and name.count("/") == 1:
        name = name[len("library/"):]
    if at:
        return f"{name}{':' + tag if tag else ''}@{digest}"
    return f"{name}:{tag or 'latest'}"


# -- discovery -----------------------------------------------------------------------------


def project_images(dockerfile_path: str | None, configured: dict[str, dict] | None = None,
                   config_root: str | None = None) -> list[ImageSource]:
    """Every image the project builds, as seen from `dockerfile_path`; first declaration first.
    Compose services that build without an `image` name have the name ""."""
    out: list[ImageSource] = []
    for name, entry in (configured or {}).items():
        root = config_root or os.getcwd()
        dockerfile = os.path.normpath(os.path.join(root, entry["dockerfile"]))
        context = os.path.normpath(os.path.join(root, entry.get("context") or os.path.dirname(entry["dockerfile"])))
        key = normalise(name)
        out.append(ImageSource(key, dockerfile, context, entry.get("target"), "configuration [images]"))
    if not dockerfile_path or dockerfile_path == "-":
        return out
    for directory in _search_dirs(os.path.dirname(os.path.abspath(dockerfile_path))):
        for file_name in COMPOSE_FILES:
            compose = os.path.join(directory, file_name)
            if inputs.isfile(compose):
                out.extend(_compose_images(compose))
    return out


def _search_dirs(start: str) -> list[str]:
    dirs = []
    d = start
    while True:
        dirs.append(d)
        if inputs.exists(os.path.join(d, ".git")):
            return dirs
        up = os.path.dirname(d)
        if up == d:
            break
        d = up
    return dirs[:1]  # no repository root: only the Dockerfile's own directory


_COMPOSE_CACHE: dict[str, tuple[tuple, list[ImageSource]]] = {}


def _compose_images(path: str) -> list[ImageSource]:
    """The images a Compose file builds; [] when it cannot be read (another tool's file:
    broken YAML there is not layerlint's finding)."""
    directory = os.path.dirname(path)
    env_file = os.path.join(directory, ".env")
    key = tuple(_stamp(p) for p in (path, env_file))
    cached = _COMPOSE_CACHE.get(path)
    if cached and cached[0] == key:
        return cached[1]
    import yaml  # only when a Compose file exists

    found: list[ImageSource] = []
    try:
        data = yaml.safe_load(read_regular_file(path).decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        data = None
    services = data.get("services") if isinstance(data, dict) else None
    variables = _dotenv(env_file)
    for service, spec in (services or {}).items() if isinstance(services, dict) else ():
        if not isinstance(spec, dict) or "build" not in spec:
            continue
        image = _interpolate(spec.get("image", ""), variables)
        build = spec["build"]
        if isinstance(build, str):
            build = {"context": build}
        if not isinstance(image, str) or not isinstance(build, dict):
            continue
        context = _interpolate(build.get("context", "."), variables)
        dockerfile = _interpolate(build.get("dockerfile", "Dockerfile"), variables)
        target = _interpolate(build.get("target"), variables) if build.get("target") is not None else None
        if not isinstance(context, str) or not isinstance(dockerfile, str) or "://" in context \
                or context.startswith("git@") or "dockerfile_inline" in build:
            continue
        context = os.path.normpath(os.path.join(directory, context))
        name = normalise(image) if image else ""  # "": built, but under Compose's own name
        found.append(ImageSource(name, os.path.normpath(os.path.join(context, dockerfile)), context,
                                 target if isinstance(target, str) else None,
                                 f"{os.path.basename(path)} (service {service})"))
    _COMPOSE_CACHE[path] = (key, found)
    return found


def _stamp(path: str) -> tuple:
    inputs.observe(path)  # every file read here is stamped first, cached or not
    try:
        st = os.stat(path)
    except OSError:
        return (path, None)
    return (path, st.st_mtime_ns, st.st_size)


def _dotenv(path: str) -> dict[str, str]:
    """KEY=VALUE lines of a Compose `.env` file (comments and `export` allowed, quotes removed)."""
    out: dict[str, str] = {}
    try:
        lines = read_regular_file(path).decode("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return out
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, _, v = line.removeprefix("export ").partition("=")
        v = v.strip()
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
            v = v[1:-1]
        out[k.strip()] = v
    return out


def _interpolate(value, variables: dict[str, str]):
    """Compose interpolation of one scalar; None when a variable stays unresolved."""
    if not isinstance(value, str):
        return value
    unresolved = False

    def sub(m: re.Match) -> str:
        nonlocal unresolved
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, default = m.group(2), m.group(3) or ""
        current = variables.get(name)
        if op in (":-", "-"):
            if current is None or (op == ":-" and current == ""):
                return default
            return current
        if op in (":+", "+"):
            return default if current else ""
        if current is None:
            unresolved = True
            return ""
        return current

    out = _COMPOSE_VAR.sub(sub, value)
    return None if unresolved else out


# -- parents -------------------------------------------------------------------------------

_PARSED: dict[str, tuple[tuple, Dockerfile | None, Model | None]] = {}


def load(source: ImageSource) -> BuiltImage | None:
    """The parsed project image; None when its Dockerfile cannot be read or has no such stage."""
    from .parser import parse

    key = _stamp(source.dockerfile)
    cached = _PARSED.get(source.dockerfile)
    if cached is None or cached[0] != key:
        try:
            doc = parse(read_regular_file(source.dockerfile).decode("utf-8", "surrogateescape"),
                        source.dockerfile)
            model = build_model(doc)
        except OSError:
            doc, model = None, None
        cached = (key, doc, model)
        _PARSED[source.dockerfile] = cached
    _, doc, model = cached
    if doc is None or model is None or not model.stages:
        return None
    stage = model.stage_by_name(source.target) if source.target else model.stages[-1]
    if stage is None:
        return None
    return BuiltImage(source, doc, model, stage)


@dataclass(slots=True)
class ImageResolver:
    """Resolves the base images of one linted Dockerfile against the project's images."""

    dockerfile_path: str | None
    images: dict[str, ImageSource] = field(default_factory=dict)  # by normalised name
    contexts: dict[str, str] = field(default_factory=dict)  # real Dockerfile path -> build context

    @classmethod
    def for_file(cls, dockerfile_path: str | None, configured: dict[str, dict] | None = None,
                 config_root: str | None = None) -> ImageResolver:
        resolver = cls(dockerfile_path)
        for source in project_images(dockerfile_path, configured, config_root):
            if source.name:
                resolver.images.setdefault(source.name, source)
            resolver.contexts.setdefault(os.path.realpath(source.dockerfile), source.context)
        return resolver

    def context_of(self, dockerfile_path: str) -> str | None:
        """The build context the project declares for a Dockerfile, None when it declares none."""
        return self.contexts.get(os.path.realpath(dockerfile_path))

    def built_image(self, ref: str, *, exclude: str | None = None) -> BuiltImage | None:
        """The project image `ref` names, unless it is built by `exclude` (a Dockerfile's own
        image, rebuilt on top of a previous version of itself)."""
        if not ref or "$" in ref:
            return None
        source = self.images.get(normalise(ref))
        if source is None:
            return None
        if exclude and os.path.realpath(source.dockerfile) == os.path.realpath(exclude):
            return None
        return load(source)

    def base_of(self, stage: Stage) -> BuiltImage | None:
        """The project image a stage of the linted file is built on, if any."""
        if stage.parent is not None or stage.image.is_scratch:
            return None
        return self.built_image(stage.image.resolved, exclude=self.dockerfile_path)

    def ancestry(self, image: BuiltImage) -> list[tuple[Stage, BuiltImage]]:
        """The stages `image` is built on, nearest first, across project images, each with the
        image (Dockerfile) it belongs to. Stops at a registry image or a cycle."""
        out: list[tuple[Stage, BuiltImage]] = []
        seen = {os.path.realpath(image.source.dockerfile)}
        current, stage = image, image.stage
        while len(out) < _MAX_HOPS:
            if stage.parent is None:
                nxt = None if stage.image.is_scratch else self.built_image(stage.image.resolved)
                if nxt is None or os.path.realpath(nxt.source.dockerfile) in seen:
                    break
                seen.add(os.path.realpath(nxt.source.dockerfile))
                current, stage = nxt, nxt.stage
            else:
                stage = stage.parent
            out.append((stage, current))
        return out
