"""The ONBUILD triggers that run at the start of a stage, wherever its parent is declared.

A stage's parent is an earlier stage of the same file, or an image the project
builds itself (`layerlint.images`: the `[images]` configuration and Compose
files). Either way its ONBUILD triggers run in this stage, in this build's
context, and its own ancestors' triggers do not.

- `resolver(ctx)`: the `ImageResolver` of the linted file, made once per file;
- `parent_of(ctx, stage)`: the direct parent as a `Parent` (in-file stage or
  project image), None for a registry image;
- `ancestors(ctx, stage)`: every stage the stage is built on, nearest first, each
  a `Parent`, following project images across Dockerfiles.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from layerlint.images import BuiltImage, ImageResolver, onbuild_triggers
from layerlint.model import Model, Stage


@dataclass(slots=True, eq=False)
class Parent:
    stage: Stage
    model: Model  # the model the stage belongs to (another file's for a project image)
    image: BuiltImage | None  # the project image, None for a stage of the linted file

    @property
    def triggers(self) -> list:
        return onbuild_triggers(self.stage)

    def file_label(self, linted_path: str | None) -> str | None:
        """The parent's Dockerfile relative to the linted one; None for a stage of the linted file."""
        if self.image is None:
            return None
        path = self.image.source.dockerfile
        if linted_path and linted_path != "-":
            path = os.path.relpath(path, os.path.dirname(os.path.abspath(linted_path)))
        return path

    @property
    def name(self) -> str:
        """`stage `base`` or `image `team/base:1.4``, for messages."""
        if self.image is None:
            return f"stage `{self.stage.label}`"
        if self.stage is not self.image.stage:
            return f"stage `{self.stage.label}` of image `{self.image.source.name}`"
        return f"image `{self.image.source.name}`"

    def describe(self, linted_path: str | None) -> str:
        """`name`, with the Dockerfile of a project image: `image `team/base:1.4` (base/Dockerfile)`."""
        if self.image is None:
            return self.name
        return f"{self.name} ({self.file_label(linted_path)})"

    def where(self, ins, linted_path: str | None) -> str:
        """`line 7` or `base/Dockerfile line 7`: where an instruction of the parent is."""
        if self.image is None:
            return f"line {ins.start_line}"
        return f"{self.file_label(linted_path)} line {ins.start_line}"


def resolver(ctx) -> ImageResolver:
    key = ("image-resolver",)
    cache = ctx.model.shell_cache
    if key not in cache:
        cfg = ctx.config
        cache[key] = ImageResolver.for_file(ctx.path, getattr(cfg, "images", None) or None, cfg.root)
    return cache[key]


def parent_of(ctx, stage: Stage) -> Parent | None:
    if stage.parent is not None:
        return Parent(stage.parent, ctx.model, None)
    image = resolver(ctx).base_of(stage)
    return Parent(image.stage, image.model, image) if image is not None else None


def ancestors(ctx, stage: Stage) -> list[Parent]:
    out: list[Parent] = []
    current = stage
    while current.parent is not None and len(out) < len(ctx.model.stages):
        current = current.parent
        out.append(Parent(current, ctx.model, None))
    image = resolver(ctx).base_of(current)
    if image is not None:
        out.append(Parent(image.stage, image.model, image))
        out.extend(Parent(s, built.model, built) for s, built in resolver(ctx).ancestry(image))
    return out
