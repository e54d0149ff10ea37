"""Configuration loading: both file styles, lookup, and errors that name the file and key."""

from __future__ import annotations

import pytest

from layerlint.config import Config, ConfigError, find_config, load


def test_hadolint_yaml_keys(tmp_path):
    p = tmp_path / ".hadolint.yaml"
    p.write_text("ignored: [DL3006]\noverride:\n  error: [DL3007]\n  info: [DL3061]\n"
                 "trustedRegistries: [docker.io, '*.corp.example']\nlabel-schema: {maintainer: email}\n"
                 "strict-labels: true\nfailure-threshold: warning\nno-fail: true\n"
                 "disable-ignore-pragma: true\nno-color: true\nformat: json\n")
    c = load(p)
    assert c.ignore == ["DL3006"]
    assert c.severity == {"DL3007": "error", "DL3061": "info"} and "DL3007" in c.extend_select
    assert c.trusted_registries == ["docker.io", "*.corp.example"]
    assert (c.label_schema, c.strict_labels, c.failure_threshold, c.no_fail, c.disable_ignore_pragmas) == (
        {"maintainer": "email"}, True, "warning", True, True)
    sev = c.rule_severities()
    assert "DL3006" not in sev and sev["DL3007"] == "error" and sev["DL3061"] == "info"


def test_empty_hadolint_file_is_the_default_configuration(tmp_path):
    p = tmp_path / "h.yml"
    p.write_text("")
    assert load(p).rule_severities() == Config().rule_severities()


@pytest.mark.parametrize("content,needle", [
    ("ignored: DL3006\n", "'ignored' must be a list"),
    ("override:\n  fatal: [DL3006]\n", "'override.fatal'"),
    ("label-schema: {a: colour}\n", "'label-schema'"),
    ("strict-labels: maybe\n", "'strict-labels' must be true or false"),
    ("- a\n- b\n", "must be a mapping"),
    ("ignored: [\n", "invalid YAML"),
    ("trustedRegistries: docker.io\n", "'trustedRegistries' must be a list"),
    ("colour: red\n", "unknown key 'colour'"),
])
def test_broken_hadolint_files(tmp_path, content, needle):
    p = tmp_path / ".hadolint.yaml"
    p.write_text(content)
    with pytest.raises(ConfigError) as e:
        load(p)
    assert str(p) in str(e.value) and needle in str(e.value)


def test_lookup_prefers_nearest_and_skips_pyproject_without_table(tmp_path):
    (tmp_path / ".layerlint.toml").write_text("ignore = ['DL3006']\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config(sub) == str(tmp_path / ".layerlint.toml")
    (tmp_path / "a" / "pyproject.toml").write_text("[tool.layerlint]\nignore = ['DL3007']\n")
    found = find_config(sub / "Dockerfile")
    assert found == str(tmp_path / "a" / "pyproject.toml")
    assert load(found).ignore == ["DL3007"]


def test_missing_explicit_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load(tmp_path / "nope.toml")


def test_hadolint_yaml_is_found_when_no_layerlint_config(tmp_path, monkeypatch):
    from layerlint.config import find_hadolint_config

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert find_config(tmp_path) is None
    (tmp_path / "xdg").mkdir()
    (tmp_path / "xdg" / "hadolint.yaml").write_text("ignored: [DL3007]\n")
    assert find_config(tmp_path) == str(tmp_path / "xdg" / "hadolint.yaml")
    (tmp_path / ".hadolint.yml").write_text("ignored: [DL3006]\n")
    assert find_hadolint_config() == str(tmp_path / ".hadolint.yml")
    (tmp_path / ".layerlint.toml").write_text("")
    assert find_config(tmp_path) == str(tmp_path / ".layerlint.toml")  # layerlint's own wins


def test_cli_verbose_names_the_configuration(tmp_path, monkeypatch, capsys):
    from layerlint.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".hadolint.yaml").write_text("ignored: [DL3006]\n")
    (tmp_path / "Dockerfile").write_text("FROM debian\n")
    assert main(["check", "Dockerfile", "--verbose", "--select", "DL3006"]) == 0
    assert f"configuration: {tmp_path / '.hadolint.yaml'}" in capsys.readouterr().err


def test_hadolint_environment_variables(tmp_path):
    from layerlint.config import with_hadolint_environment

    base = Config(failure_threshold="error", ignore=["DL3007"])
    env = {"HADOLINT_IGNORE": "DL3006, DL3020", "HADOLINT_FAILURE_THRESHOLD": "style", "HADOLINT_NOFAIL": "yes",
           "HADOLINT_OVERRIDE_INFO": "DL3007", "HADOLINT_TRUSTED_REGISTRIES": "docker.io,*.corp",
           "HADOLINT_REQUIRE_LABELS": "maintainer:email,org.opencontainers.image.source:url", "PATH": "/bin"}
    c = with_hadolint_environment(base, env)
    assert c.ignore == ["DL3007", "DL3006", "DL3020"]  # lists concatenate
    assert c.failure_threshold == "error"  # the file's scalar wins over the environment
    assert c.no_fail is True and c.severity == {"DL3007": "info"}
    assert c.trusted_registries == ["docker.io", "*.corp"]
    assert c.label_schema == {"maintainer": "email", "org.opencontainers.image.source": "url"}
    assert base.ignore == ["DL3007"]  # the cached file configuration is not modified
    with pytest.raises(ConfigError, match="HADOLINT_IGNORE"):
        with_hadolint_environment(Config(), {"HADOLINT_IGNORE": "NOPE1"})
    with pytest.raises(ConfigError, match="HADOLINT_REQUIRE_LABELS"):
        with_hadolint_environment(Config(), {"HADOLINT_REQUIRE_LABELS": "maintainer"})
