"""Project images: which Dockerfile builds which image (layerlint.images), as rules see them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from layerlint.config import ConfigError, _from_table
from layerlint.engine import lint_text
from layerlint.images import ImageResolver, normalise


@pytest.mark.parametrize("ref,expected", [
    ("alpine", "alpine:latest"),
    ("library/alpine:3.20", "alpine:3.20"),
    ("docker.io/library/alpine:3.20", "alpine:3.20"),
    ("docker.io/team/app", "team/app:latest"),
    ("localhost:5000/app", "localhost:5000/app:latest"),
    ("registry.example.com:5000/team/app:1.2", "registry.example.com:5000/team/app:1.2"),
    ("alpine@sha256:abc", "alpine@sha256:abc"),
])
def test_image_names_compare_as_docker_normalises_them(ref, expected):
    assert normalise(ref) == expected


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")


def test_compose_interpolation_defaults_and_dotenv(tmp_path):
    write(tmp_path, {
        "compose.yaml": """\
            services:
              a: {image: "team/a:${A_TAG:-1.0}", build: ./a}
              b: {image: "team/b:${B_TAG}", build: ./b}
              c: {image: "team/c:${C_TAG}", build: ./c}
              d: {image: "$${LITERAL}", build: ./d}
              e: {build: {context: ./e, dockerfile: Containerfile}}
              f: {image: team/f, build: "https://github.com/x/y.git"}
            """,
        ".env": "# tags\nexport B_TAG='2.0'\n",
        "Dockerfile": "FROM team/a:1.0\n",
    })
    r = ImageResolver.for_file(str(tmp_path / "Dockerfile"))
    assert set(r.images) == {"team/a:1.0", "team/b:2.0", "${LITERAL}:latest"}  # C_TAG unresolved: skipped
    assert r.images["team/a:1.0"].dockerfile == str(tmp_path / "a" / "Dockerfile")
    assert r.images["team/a:1.0"].origin == "compose.yaml (service a)"
    assert r.context_of(str(tmp_path / "e" / "Containerfile")) == str(tmp_path / "e")


def test_compose_files_searched_up_to_the_repository_root(tmp_path):
    write(tmp_path, {
        "compose.yaml": "services:\n  base: {image: team/base, build: ./base}\n",
        "base/Dockerfile": "FROM alpine:3.20\n",
        "services/api/Dockerfile": "FROM team/base\n",
    })
    linted = str(tmp_path / "services" / "api" / "Dockerfile")
    assert ImageResolver.for_file(linted).images == {}  # no .git: only the Dockerfile's directory
    (tmp_path / ".git").mkdir()
    assert list(ImageResolver.for_file(linted).images) == ["team/base:latest"]


def test_broken_compose_file_is_not_an_error(tmp_path):
    write(tmp_path, {"compose.yaml": "services: [unclosed\n", "Dockerfile": "FROM alpine:3.20\n"})
    res = lint_text("FROM alpine:3.20\n", path=str(tmp_path / "Dockerfile"))
    assert not res.rule_errors


def test_a_cycle_of_project_images_ends(tmp_path):
    write(tmp_path, {
        "compose.yaml": "services:\n  a: {image: team/a, build: ./a}\n  b: {image: team/b, build: ./b}\n",
        "a/Dockerfile": "FROM team/b\nONBUILD RUN echo a\n",
        "b/Dockerfile": "FROM team/a\nONBUILD RUN echo b\n",
    })
    cfg = _from_table(str(tmp_path / "x.toml"), {"select": ["LL6001", "LL6004"]})
    res = lint_text("FROM team/a\n", path=str(tmp_path / "Dockerfile"), config=cfg)
    assert not res.rule_errors
    assert [d.code for d in res.diagnostics] == ["LL6001"]  # team/b's triggers ran in team/a


def test_a_dockerfile_is_not_its_own_parent(tmp_path):
    write(tmp_path, {"compose.yaml": "services:\n  a: {image: team/a, build: .}\n",
                     "Dockerfile": "FROM team/a\nONBUILD COPY missing.txt /\n"})
    cfg = _from_table(str(tmp_path / "x.toml"), {"select": ["LL6004"]})
    res = lint_text((tmp_path / "Dockerfile").read_text(), path=str(tmp_path / "Dockerfile"), config=cfg)
    assert res.diagnostics == []


def test_compose_context_is_the_build_context_of_other_rules(tmp_path):
    # docker/Dockerfile is built with the repository root as its context: `.dockerignore` there applies
    write(tmp_path, {
        "compose.yaml": "services:\n  app: {build: {context: ., dockerfile: docker/Dockerfile}}\n",
        ".dockerignore": "secrets.env\n",
        "docker/Dockerfile": "FROM alpine:3.20\nCOPY secrets.env /etc/app/\n",
    })
    (tmp_path / ".git").mkdir()
    cfg = _from_table(str(tmp_path / "x.toml"), {"select": ["LL4001"]})
    linted = tmp_path / "docker" / "Dockerfile"
    res = lint_text(linted.read_text(), path=str(linted), config=cfg)
    assert [d.code for d in res.diagnostics] == ["LL4001"]


@pytest.mark.parametrize("value,message", [
    ("base/Dockerfile", "'images' must be a table"),
    ({"team/base": 3}, "must be a Dockerfile path or a table with 'dockerfile'"),
    ({"team/base": {"context": "."}}, "must be a Dockerfile path or a table with 'dockerfile'"),
    ({"team/base": {"dockerfile": "D", "tag": "x"}}, "'images.\"team/base\".tag': unknown key"),
    ({"team/base": {"dockerfile": "D", "target": 1}}, "'images.\"team/base\".target' must be a string"),
])
def test_invalid_images_configuration_names_the_key(value, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        _from_table("layerlint.toml", {"images": value})
