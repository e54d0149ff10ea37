"""Shared command-line reading for the shell rules (yum, dnf, zypper, go, useradd, wget).

`lint.shell` gives each simple command with its words; these helpers add what
the rules need on top of it, all from the words `lint.shell` produced:

- `invocations(script, names)`: the commands run under `names`, also when they
  are run through a transparent wrapper (`command`, `exec`, `builtin`,
  `busybox`, `time`, `sudo`, `env`, `nice`, `nohup`), or by path (`/usr/bin/yum`);
- `parse_options`: getopt/argparse-style reading of options, so that the value
  of an option (`--enablerepo epel`, `-x pkg`, `-u 1000`) is never taken for an
  operand and combined short options (`-qy`, `-lu 123456`) are understood;
- the per-tool option tables, pinning predicates and the cache-clean test of the
  `*-clean` rules (DL3032, DL3036, DL3040), including BuildKit cache mounts.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass, field

from layerlint.ast import Range
from layerlint.rule import Edit, Fix, Rule
from layerlint.shell import Program, commands, script_programs
from layerlint.patterns import lazy_pattern

# -- commands -------------------------------------------------------------------------


def invocations(script, *names: str) -> list[Program]:
    """Programs of `script` named `names` (by basename), wrappers looked through."""
    return [p for p in script_programs(script) if p.basename in names]


def has_expansion(word) -> bool:
    """The word's value depends on a variable or a command substitution."""
    return "$" in word.text or "`" in word.text


# -- options ----------------------------------------------------------------------------


@dataclass
class Option:
    name: str  # "-y", "--assumeyes" (as written, without `=value`)
    value: str | None
    word: object  # the ShellWord the option came from


@dataclass
class Parsed:
    options: list[Option] = field(default_factory=list)
    operands: list = field(default_factory=list)  # ShellWords
    stop: int = -1  # index in the argument list where parsing stopped (stop_at_operand)

    def has(self, *names: str) -> bool:
        return any(o.name in names for o in self.options)

    def values(self, *names: str) -> list[str]:
        return [o.value for o in self.options if o.name in names and o.value is not None]


def is_option_word(word) -> bool:
    v = word.value
    return v.startswith("-") and v != "-"


def parse_options(args, short_with_value: str = "", long_with_value=(), *, stop_at_operand: bool = False,
                  single_dash_long: bool = False) -> Parsed:
    """Read options the way getopt_long / argparse do.

    `-abc` is `-a -b -c` unless one of the letters takes a value, which is then
    the rest of the word or the next word; `--name=value` or `--name value` for the
    long options in `long_with_value`; `--` ends the options. With
    `single_dash_long` (Go's flag package) `-name` and `--name` are both long.
    """
    out = Parsed()
    i = 0
    while i < len(args):
        w = args[i]
        v = w.value
        if v == "--":
            out.operands.extend(args[i + 1:])
            out.stop = i + 1
            return out
        if not is_option_word(w):
            if stop_at_operand:
                out.stop = i
                return out
            out.operands.append(w)
            i += 1
            continue
        if v.startswith("--") or single_dash_long:
            name, eq, val = v.partition("=")
            if single_dash_long:
                name = "-" + name.lstrip("-")
            if eq:
                out.options.append(Option(name, val, w))
            elif name in long_with_value and i + 1 < len(args):
                out.options.append(Option(name, args[i + 1].value, w))
                i += 1
            else:
                out.options.append(Option(name, None, w))
            i += 1
            continue
        letters = v[1:]
        for k, ch in enumerate(letters):
            if ch in short_with_value:
                rest = letters[k + 1:]
                if rest:
                    out.options.append(Option("-" + ch, rest, w))
                elif i + 1 < len(args):
                    out.options.append(Option("-" + ch, args[i + 1].value, w))
                    i += 1
                else:
                    out.options.append(Option("-" + ch, None, w))
                break
            out.options.append(Option("-" + ch, None, w))
        i += 1
    out.stop = len(args)
    return out


# yum, dnf (4 and 5) and microdnf: argparse / GOption, options anywhere on the line
RPM_SHORT_VALUE = "cdeRx"
RPM_LONG_VALUE = frozenset({
    "--config", "--debuglevel", "--errorlevel", "--rpmverbosity", "--installroot", "--enablerepo",
    "--disablerepo", "--enable-repo", "--disable-repo", "--repo", "--repoid", "--from-repo", "--exclude",
    "--excludepkgs", "--disableexcludes", "--disableexcludepkgs", "--repofrompath", "--setopt", "--setvar",
    "--releasever", "--color", "--destdir", "--downloaddir", "--disableplugin", "--enableplugin",
    "--disable-plugin", "--enable-plugin", "--comment", "--advisory", "--advisories", "--bz", "--bzs", "--cve",
    "--cves", "--sec-severity", "--secseverity", "--forcearch", "--platform-id", "--cachedir",
})
DNF_NAMES = ("dnf", "dnf4", "dnf5", "dnf-3", "microdnf")


def dnf_family(basename: str) -> str:
    """`microdnf` or `dnf` (dnf, dnf4, dnf5 and dnf-3 are the same tool for the cache rules)."""
    return "microdnf" if basename == "microdnf" else "dnf"


@dataclass
class RpmCommand:
    inv: Program
    parsed: Parsed
    sub: str | None  # first operand: install, module, group, clean ...
    sub_word: object | None
    sub2: str | None  # second word after `module` / `group`
    operands: list  # words after the (sub)subcommand
    action_word: object | None = None  # the last word of the action (`install` of `module install`)

    @property
    def action(self) -> str | None:
        """`install`, `module install`, `group install` ..."""
        if self.sub is None:
            return None
        return f"{self.sub} {self.sub2}" if self.sub2 is not None else self.sub

    def assumes_yes(self) -> bool:
        if self.parsed.has("-y", "--assumeyes"):
            return True
        return any(re.fullmatch(r"assumeyes=(1|true|yes|on)", v, re.I)
                   for v in self.parsed.values("--setopt"))


def rpm_command(inv: Program) -> RpmCommand:
    parsed = parse_options(inv.args, RPM_SHORT_VALUE, RPM_LONG_VALUE)
    ops = parsed.operands
    sub = ops[0].value if ops else None
    if sub in ("module", "group", "groups") and len(ops) > 1:
        return RpmCommand(inv, parsed, sub, ops[0], ops[1].value, ops[2:], ops[1])
    return RpmCommand(inv, parsed, sub, ops[0] if ops else None, None, ops[1:], ops[0] if ops else None)


# zypper: global options before the command, command options after it (getopt)
ZYPPER_GLOBAL_SHORT_VALUE = "cRDCps"
ZYPPER_GLOBAL_LONG_VALUE = frozenset({
    "--config", "--root", "--reposd-dir", "--cache-dir", "--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir",
    "--userdata", "--installroot", "--plus-repo", "--plus-content", "--table-style", "--releasever",
})
ZYPPER_COMMAND_SHORT_VALUE = "rt"
ZYPPER_COMMAND_LONG_VALUE = frozenset({"--repo", "--type", "--from", "--download", "--solver-focus"})


@dataclass
class ZypperCommand:
    inv: Program
    global_opts: Parsed
    command_opts: Parsed
    sub: str | None
    sub_word: object | None
    operands: list

    def has(self, *names: str) -> bool:
        return self.global_opts.has(*names) or self.command_opts.has(*names)

    def values(self, *names: str) -> list[str]:
        return self.global_opts.values(*names) + self.command_opts.values(*names)


def zypper_command(inv: Program) -> ZypperCommand:
    g = parse_options(inv.args, ZYPPER_GLOBAL_SHORT_VALUE, ZYPPER_GLOBAL_LONG_VALUE, stop_at_operand=True)
    rest = inv.args[g.stop:] if g.stop >= 0 else []
    if not rest:
        return ZypperCommand(inv, g, Parsed(), None, None, [])
    c = parse_options(rest[1:], ZYPPER_COMMAND_SHORT_VALUE, ZYPPER_COMMAND_LONG_VALUE)
    return ZypperCommand(inv, g, c, rest[0].value, rest[0], c.operands)


# -- pinning ------------------------------------------------------------------------------

_RPM_VERSION_CHAR = lazy_pattern(r"^[0-9A-Za-z.~^_:+]*$")


def rpm_file_or_url(value: str) -> bool:
    return value.endswith(".rpm") or "://" in value


def rpm_package_pinned(word) -> bool:
    """`name-version[-release]` as yum/dnf accept it (hadolint's test), or a form that cannot be pinned.

    After the first `-`, every dash-separated part must consist of version
    characters and one of them must start with a digit (`rpm-sign-4.16.1.3`,
    `openssl-1:1.1.1k`). Words with variables, rpm files and URLs, `@group` /
    `@module` specs and comparisons (`"pkg >= 1.2"`) count as pinned.
    """
    if has_expansion(word):
        return True
    v = word.value
    if rpm_file_or_url(v) or v.startswith("@") or any(op in v for op in "<>="):
        return True
    parts = v.split("-")
    if len(parts) <= 1:
        return False
    rest = parts[1:]
    return all(_RPM_VERSION_CHAR.match(p) for p in rest) and any(p[:1].isdigit() for p in rest)


def rpm_module_pinned(word) -> bool:
    """A module spec names its stream: `nodejs:20`, `nodejs:20/minimal`."""
    return has_expansion(word) or ":" in word.value


# -- cache cleaning ----------------------------------------------------------------------

RPM_CACHE_DIRS = ("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5")
ZYPPER_CACHE_DIRS = ("/var/cache/zypp",)


def _norm(path: str) -> str:
    path = path.rstrip("/") if path not in ("/", "") else path
    return path or "/"


def path_covers_cache(path: str, cache_dirs) -> bool:
    """`rm` of `path` removes (part of) one of the cache directories."""
    if not path.startswith("/"):
        return False
    p = _norm(path)
    for d in cache_dirs:
        if p == d or p == "/" or d.startswith(p + "/") or p.startswith(d + "/"):
            return True
        if any(c in p for c in "*?[") and (fnmatch.fnmatch(d, p) or any(
                fnmatch.fnmatch(parent, p) for parent in _parents(d))):
            return True
    return False


def _parents(d: str):
    while d not in ("/", ""):
        d = posixpath.dirname(d)
        yield d


def removes_cache(inv: Program, cache_dirs) -> bool:
    """`rm ... <cache dir, a parent or a part of it>` (an absolute path; globs are matched)."""
    if inv.basename != "rm":
        return False
    for w in parse_options(inv.args).operands:
        if path_covers_cache(w.value, cache_dirs):
            return True
    return False


def mount_covers(ins, cache_dirs) -> bool:
    """A `--mount=type=cache` or `type=tmpfs` on a cache directory, a parent or a part of it."""
    for m in ins.mounts:
        target = m.target
        if m.type not in ("cache", "tmpfs") or not target or not target.startswith("/"):
            continue
        t = _norm(target)
        for d in cache_dirs:
            if t == d or t == "/" or d.startswith(t + "/") or t.startswith(d + "/"):
                return True
    return False


# -- fixes --------------------------------------------------------------------------------


def insert_after(word, text: str, title: str, safe: bool = True) -> Fix:
    """A fix that inserts `text` (e.g. " -y") right after `word`."""
    end = word.range.end
    return Fix((Edit(Range(end, end), text),), safe=safe, title=title)


# -- base class ---------------------------------------------------------------------------


class ShellCommandRule(Rule):
    """A rule that reads the shell commands of RUN (and ONBUILD RUN) instructions.

    Exec-form RUN and RUN under a non-POSIX SHELL have no shell analysis
    (`lint.shell.commands` returns None) and are skipped.
    """

    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        script = commands(ins, ctx.model)
        if script is not None and script.commands:
            self.check_script(script, ins, ctx)

    def check_script(self, script, ins, ctx) -> None:  # pragma: no cover - overridden
        raise NotImplementedError
