"""Editor settings of the language server, and how they combine with the project configuration.

Clients send them as `initializationOptions` (`{"settings": {...}}` or the settings
object itself), in `workspace/didChangeConfiguration` (`{"layerlint": {...}}`), or
answer `workspace/configuration` for the section `layerlint` per workspace folder.
Every key is optional and a missing key keeps its default (unlike the reference
server, where a missing key disables its check):

    enable          bool       lint at all (default true)
    configPath      str        a configuration file to use instead of the one found
    select          [str]      replace the rule selection (codes, names, groups, prefixes)
    extendSelect    [str]      add rules
    ignore          [str]      remove rules
    severity        {ref: sev} per-rule severity (error, warning, info, style, off)
    shellcheck      bool       also run ShellCheck on RUN
    debounceMs      int        delay after the last edit before linting (default 150)

The project configuration file applies first; the editor settings refine it
(`select` replaces, `extendSelect`/`ignore` add, `severity` overrides per rule).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from ..config import Config
from ..rule import SEVERITIES

DEFAULT_DEBOUNCE_MS = 150


@dataclass(slots=True)
class Settings:
    enable: bool = True
    config_path: str | None = None
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    shellcheck: bool | None = None
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    problems: list[str] = field(default_factory=list)  # settings that were not understood

    @classmethod
    def from_json(cls, data) -> Settings:
        """Settings from a client's JSON object; values of the wrong type are reported in
        `problems` and keep their default."""
        out = cls()
        if not isinstance(data, dict):
            return out
        if isinstance(data.get("settings"), dict):  # initializationOptions: {"settings": {...}}
            data = data["settings"]
        if isinstance(data.get("layerlint"), dict):  # didChangeConfiguration: {"layerlint": {...}}
            data = data["layerlint"]

        def take(key: str, kind, convert=lambda v: v):
            if key not in data or data[key] is None:
                return None
            value = data[key]
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                out.problems.append(f"setting '{key}' ignored: expected {getattr(kind, '__name__', kind)}")
                return None
            return convert(value)

        if (v := take("enable", bool)) is not None:
            out.enable = v
        if (v := take("configPath", str)) is not None:
            out.config_path = v or None
        strings = (lambda v: [str(x) for x in v if isinstance(x, str)])
        if (v := take("select", list, strings)) is not None:
            out.select = v
        if (v := take("extendSelect", list, strings)) is not None:
            out.extend_select = v
        if (v := take("ignore", list, strings)) is not None:
            out.ignore = v
        if (v := take("severity", dict)) is not None:
            for ref, sev in v.items():
                if sev in SEVERITIES + ("off", "ignore"):
                    out.severity[str(ref)] = sev
                else:
                    out.problems.append(f"setting 'severity.{ref}' ignored: {sev!r} is not a severity")
        if (v := take("shellcheck", bool)) is not None:
            out.shellcheck = v
        if (v := take("debounceMs", int)) is not None:
            out.debounce_ms = max(0, min(v, 10_000))
        return out

    def apply(self, base: Config, valid_refs) -> Config:
        """`base` refined by these settings; `valid_refs(where, refs)` drops unknown rule references."""
        if (self.select is None and not self.extend_select and not self.ignore and not self.severity
                and self.shellcheck is None):
            return base
        cfg = copy.copy(base)
        if self.select is not None:
            cfg.select = valid_refs("select", self.select)
        cfg.extend_select = list(base.extend_select) + valid_refs("extendSelect", self.extend_select)
        cfg.ignore = list(base.ignore) + valid_refs("ignore", self.ignore)
        cfg.severity = dict(base.severity)
        for ref in valid_refs("severity", list(self.severity)):
            cfg.severity[ref] = self.severity[ref]
        if self.shellcheck is not None:
            cfg.shellcheck = self.shellcheck
        return cfg
