"""Configuration: `[tool.layerlint]` in pyproject.toml, `.layerlint.toml`, or a hadolint YAML file.

Lookup: `--config FILE` if given (TOML, or YAML in hadolint's format); otherwise the
nearest `.layerlint.toml` or `pyproject.toml` with a `[tool.layerlint]` table,
searching from the linted file's directory upwards; otherwise a hadolint
configuration found by hadolint's own lookup (`./.hadolint.yaml`, then the user's
configuration directories). Keys (TOML):

    select = ["DL", "cache"]          # replaces the default rule set
    extend-select = ["DL3057"]        # adds to it (also enables rules off by default)
    ignore = ["DL3006", "style"]      # removes from it
    severity = { DL3007 = "error" }   # per-rule severity; "off" disables
    per-file-ignores = { "legacy/*" = ["DL3020"] }
    failure-threshold = "warning"     # error | warning | info | style | none
    no-fail = false
    disable-ignore-pragmas = false
    trusted-registries = ["docker.io", "*.corp.example"]
    label-schema = { maintainer = "email" }
    strict-labels = false
    shellcheck = false                # run ShellCheck on RUN (needs layerlint[shellcheck])
    build-contexts = ["shared"]       # names given with `docker build --build-context NAME=...`

Every selector may be a code, a code prefix, a rule name, a BuildKit check name or a
group. A broken file raises `ConfigError` naming the file and the key.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field

from .rule import SEVERITIES, all_rules, resolve

THRESHOLDS = ("error", "warning", "info", "style", "ignore", "none")
LABEL_TYPES = ("text", "url", "rfc3339", "semver", "hash", "spdx", "email")


class ConfigError(Exception):
    pass


@dataclass
class Config:
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    failure_threshold: str = "info"
    no_fail: bool = False
    disable_ignore_pragmas: bool = False
    trusted_registries: list[str] = field(default_factory=list)
    label_schema: dict[str, str] = field(default_factory=dict)
    strict_labels: bool = False
    shellcheck: bool = False
    build_contexts: list[str] = field(default_factory=list)  # `--build-context NAME=...` names
    images: dict[str, dict] = field(default_factory=dict)  # image name -> {dockerfile, context, target}
    source: str | None = None  # the file this came from
    root: str | None = None  # directory per-file-ignores are relative to

    def shellcheck_allowed(self, code: str, path: str | None = None) -> str | None:
        """Severity override for a ShellCheck code, "off" when ignored, None otherwise."""
        refs = list(self.ignore)
        if path is not None:
            for pattern, more in self.per_file_ignores.items():
                if _path_matches(path, pattern, self.root):
                    refs += more
        if any(code.startswith(r.upper()) and r.upper().startswith("SC") for r in refs):
            return "off"
        sev = self.severity.get(code)
        return "off" if sev == "ignore" else sev

    def rule_severities(self, path: str | None = None) -> dict[str, str]:
        """Enabled rule codes for `path` with their effective severity."""
        rules = all_rules()
        if self.select is None:
            enabled = {c for c, r in rules.items() if r.enabled_by_default}
        else:
            enabled = set().union(*(resolve(s) for s in self.select)) if self.select else set()
        for s in self.extend_select:
            enabled |= resolve(s)
        for s in self.ignore:
            enabled -= resolve(s)
        if path is not None:
            for pattern, refs in self.per_file_ignores.items():
                if _path_matches(path, pattern, self.root):
                    for s in refs:
                        enabled -= resolve(s)
        out = {c: rules[c].severity for c in enabled}
        for ref, sev in self.severity.items():
            for c in resolve(ref):
                if sev in ("off", "ignore"):
                    out.pop(c, None)
                elif c in out:
                    out[c] = sev
        return out


def _path_matches(path: str, pattern: str, root: str | None) -> bool:
    candidates = {path.replace(os.sep, "/"), os.path.basename(path)}
    if root:
        rel = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
        if not rel.startswith(".."):
            candidates.add(rel.replace(os.sep, "/"))
    return any(fnmatch.fnmatch(c, pattern) for c in candidates)


# -- loading ------------------------------------------------------------------------------
def find_config(start: str | os.PathLike) -> str | None:
    """Nearest `.layerlint.toml`, or `pyproject.toml` with `[tool.layerlint]`, from `start` upwards."""
    d = os.path.realpath(start)
    if not os.path.isdir(d):
        d = os.path.dirname(d)
    while True:
        cand = os.path.join(d, ".layerlint.toml")
        if os.path.isfile(cand):
            return cand
        py = os.path.join(d, "pyproject.toml")
        if os.path.isfile(py) and "[tool.layerlint" in _read(py):
            return py
        parent = os.path.dirname(d)
        if parent == d:
            return find_hadolint_config()
        d = parent


def find_hadolint_config() -> str | None:
    """hadolint's own lookup, used when no layerlint configuration exists.

    `./.hadolint.yaml` (or .yml) in the working directory, then
    `$XDG_CONFIG_HOME/hadolint.yaml`, `~/.config/hadolint.yaml`,
    `~/.hadolint/hadolint.yaml` or `config.yaml`, then `~/.hadolint.yaml`.
    """
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    candidates = [os.path.join(os.getcwd(), ".hadolint")]
    candidates += [os.path.join(xdg, "hadolint"), os.path.join(home, ".hadolint", "hadolint"),
                   os.path.join(home, ".hadolint", "config"), os.path.join(home, ".hadolint")]
    for base in candidates:
        for ext in (".yaml", ".yml"):
            if os.path.isfile(base + ext):
                return base + ext
    return None


def load(path: str | os.PathLike) -> Config:
    p = os.fspath(path)
    if not os.path.isfile(p):
        raise ConfigError(f"{p}: configuration file not found")
    text = _read(p)
    if os.path.splitext(p)[1] in (".yaml", ".yml"):
        return _from_hadolint(p, text)
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: invalid TOML: {e}") from None
    if os.path.basename(p) == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("layerlint", {}) if isinstance(tool, dict) else None
        if not isinstance(data, dict):
            raise ConfigError(f"{p}: 'tool.layerlint' must be a table")
    return _from_table(p, data)


def _read(p: str) -> str:
    try:
        with open(p, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{p}: cannot read configuration: {e}") from None


def _check_refs(p: str, key: str, refs) -> list[str]:
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise ConfigError(f"{p}: '{key}' must be a list of rule codes, names or groups")
    for r in refs:
        if not resolve(r) and r.upper() not in ("ALL",) and not re.fullmatch(r"SC\d{0,4}", r.upper()):
            raise ConfigError(f"{p}: '{key}': unknown rule or group {r!r}")
    return list(refs)


def _bool(p: str, key: str, v) -> bool:
    if not isinstance(v, bool):
        raise ConfigError(f"{p}: '{key}' must be true or false, not {v!r}")
    return v


def _threshold(p: str, key: str, v) -> str:
    if not isinstance(v, str) or v.lower() not in THRESHOLDS:
        raise ConfigError(f"{p}: '{key}' must be one of {', '.join(THRESHOLDS)}, not {v!r}")
    return v.lower()


def _label_schema(p: str, key: str, v) -> dict[str, str]:
    if not isinstance(v, dict) or not all(isinstance(t, str) and t in LABEL_TYPES for t in v.values()):
        raise ConfigError(f"{p}: '{key}' must map label names to one of {', '.join(LABEL_TYPES)}")
    return {str(k): t for k, t in v.items()}


def _strings(p: str, key: str, v) -> list[str]:
    if not isinstance(v, list) or not all(isinstance(r, str) for r in v):
        raise ConfigError(f"{p}: '{key}' must be a list of names")
    return list(v)


def _severity_table(p: str, key: str, v) -> dict[str, str]:
    if not isinstance(v, dict):
        raise ConfigError(f"{p}: 'severity' must be a table of rule = severity")
    for ref, sev in v.items():
        _check_refs(p, "severity", [ref])
        if sev not in SEVERITIES + ("off", "ignore"):
            raise ConfigError(f"{p}: 'severity.{ref}' must be one of error, warning, info, style, off")
    return dict(v)


def _per_file_ignores(p: str, key: str, v) -> dict[str, list[str]]:
    if not isinstance(v, dict):
        raise ConfigError(f"{p}: 'per-file-ignores' must be a table of pattern = [codes]")
    return {k: _check_refs(p, f"per-file-ignores.{k}", refs) for k, refs in v.items()}


def _images(p: str, key: str, v) -> dict[str, dict]:
    """`[images]`: image name = "path/to/Dockerfile", or = { dockerfile, context, target }."""
    if not isinstance(v, dict):
        raise ConfigError(f"{p}: 'images' must be a table of image name = Dockerfile path")
    out = {}
    for name, entry in v.items():
        if isinstance(entry, str):
            entry = {"dockerfile": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("dockerfile"), str) or not entry["dockerfile"]:
            raise ConfigError(f"{p}: 'images.\"{name}\"' must be a Dockerfile path or a table with 'dockerfile'")
        for k, val in entry.items():
            if k not in ("dockerfile", "context", "target"):
                raise ConfigError(f"{p}: 'images.\"{name}\".{k}': unknown key (dockerfile, context, target)")
            if not isinstance(val, str):
                raise ConfigError(f"{p}: 'images.\"{name}\".{k}' must be a string")
        out[str(name)] = dict(entry)
    return out


# file key -> (Config attribute, validator(path, key, value) -> value)
_TOML_KEYS = {
    "select": ("select", _check_refs),
    "extend-select": ("extend_select", _check_refs),
    "ignore": ("ignore", _check_refs),
    "severity": ("severity", _severity_table),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "failure-threshold": ("failure_threshold", _threshold),
    "no-fail": ("no_fail", _bool),
    "disable-ignore-pragmas": ("disable_ignore_pragmas", _bool),
    "trusted-registries": ("trusted_registries", _strings),
    "label-schema": ("label_schema", _label_schema),
    "strict-labels": ("strict_labels", _bool),
    "shellcheck": ("shellcheck", _bool),
    "build-contexts": ("build_contexts", _strings),
    "images": ("images", _images),
}
_HADOLINT_KEYS = {
    "ignored": ("ignore", lambda p, k, v: _check_refs(p, k, v or [])),
    "trustedRegistries": ("trusted_registries", _strings),
    "label-schema": ("label_schema", _label_schema),
    "strict-labels": ("strict_labels", _bool),
    "failure-threshold": ("failure_threshold", _threshold),
    "no-fail": ("no_fail", _bool),
    "disable-ignore-pragma": ("disable_ignore_pragmas", _bool),
}
# hadolint output settings: the command line decides those
_HADOLINT_IGNORED_KEYS = ("no-color", "format", "formats", "verbose", "output", "file-path-in-report")


def _from_table(p: str, data: dict) -> Config:
    cfg = Config(source=str(p), root=os.path.dirname(os.path.abspath(p)))
    for key, v in data.items():
        if key not in _TOML_KEYS:
            raise ConfigError(f"{p}: unknown key '{key}'")
        attr, validate = _TOML_KEYS[key]
        setattr(cfg, attr, validate(p, key, v))
    return cfg


def _from_hadolint(p: str, text: str) -> Config:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{p}: invalid YAML: {e}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: a hadolint configuration must be a mapping")
    cfg = Config(source=str(p), root=os.path.dirname(os.path.abspath(p)))
    for key, v in data.items():
        if key in _HADOLINT_KEYS:
            attr, validate = _HADOLINT_KEYS[key]
            setattr(cfg, attr, validate(p, key, v))
        elif key == "override":
            if not isinstance(v, dict):
                raise ConfigError(f"{p}: 'override' must map error/warning/info/style to lists of codes")
            for level, refs in v.items():
                if level not in SEVERITIES:
                    raise ConfigError(f"{p}: 'override.{level}' is not one of {', '.join(SEVERITIES)}")
                for ref in _check_refs(p, f"override.{level}", refs or []):
                    cfg.severity[ref] = level
                    cfg.extend_select.append(ref)  # hadolint: overriding enables rules off by default
        elif key not in _HADOLINT_IGNORED_KEYS:
            raise ConfigError(f"{p}: unknown key '{key}'")
    return cfg


_TRUTHY = ("1", "y", "yes", "on", "true")


def with_hadolint_environment(cfg: Config, environ) -> Config:
    """Apply hadolint's environment variables, as hadolint does.

    Precedence is hadolint's: environment < configuration file < command line, so a
    scalar from the environment only applies when the file left it at its default;
    lists (ignored codes, overrides, registries, label schema) are concatenated.
    """
    env = {k: v for k, v in environ.items() if k.startswith("HADOLINT_")}
    if not env:
        return cfg
    import copy

    cfg = copy.deepcopy(cfg)
    default = Config()

    def codes(var: str) -> list[str]:
        return _check_refs(f"environment variable {var}", var, [c.strip() for c in env[var].split(",") if c.strip()])

    for var, attr in (("HADOLINT_NOFAIL", "no_fail"), ("HADOLINT_STRICT_LABELS", "strict_labels"),
                      ("HADOLINT_DISABLE_IGNORE_PRAGMA", "disable_ignore_pragmas")):
        if var in env and getattr(cfg, attr) == getattr(default, attr):
            setattr(cfg, attr, env[var].strip().lower() in _TRUTHY)
    if "HADOLINT_FAILURE_THRESHOLD" in env and cfg.failure_threshold == default.failure_threshold:
        cfg.failure_threshold = _threshold("environment", "HADOLINT_FAILURE_THRESHOLD",
                                           env["HADOLINT_FAILURE_THRESHOLD"].strip())
    if "HADOLINT_IGNORE" in env:
        cfg.ignore = cfg.ignore + codes("HADOLINT_IGNORE")
    for level in ("error", "warning", "info", "style"):
        var = f"HADOLINT_OVERRIDE_{level.upper()}"
        if var in env:
            for ref in codes(var):
                cfg.severity.setdefault(ref, level)
                cfg.extend_select.append(ref)
    if "HADOLINT_TRUSTED_REGISTRIES" in env:
        cfg.trusted_registries = cfg.trusted_registries + [
            r.strip() for r in env["HADOLINT_TRUSTED_REGISTRIES"].split(",") if r.strip()]
    if "HADOLINT_REQUIRE_LABELS" in env:
        for item in env["HADOLINT_REQUIRE_LABELS"].split(","):
            name, _, typ = item.strip().partition(":")
            if not name:
                continue
            if typ not in LABEL_TYPES:
                raise ConfigError(f"environment variable HADOLINT_REQUIRE_LABELS: label {name!r} needs a type, "
                                  f"one of {', '.join(LABEL_TYPES)}")
            cfg.label_schema.setdefault(name, typ)
    return cfg
