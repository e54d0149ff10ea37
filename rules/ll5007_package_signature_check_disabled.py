import re

from layerlint.ast import Pos, Range
from layerlint.rule import Rule, register
from layerlint.rules._package_calls import apt_options
from layerlint.rules._user_security import option_words
from layerlint.shell import programs
from layerlint.patterns import lazy_pattern

TRUTHY = frozenset({"1", "true", "yes", "on"})
APT_FLAGS = frozenset({"allow-unauthenticated", "allow-insecure-repositories",
                       "allow-downgrade-to-insecure-repositories", "force-yes", "allow-untrusted"})
APT_KEYS = lazy_pattern(r"^(apt::get::allowunauthenticated|acquire::allowinsecurerepositories|"
                      r"acquire::allowdowngradetoinsecurerepositories|apt::get::force-yes|"
                      r"aptitude::cmdline::ignore-trust-violations)$")
RPM_MANAGERS = frozenset({"yum", "dnf", "dnf5", "microdnf", "tdnf", "yum-config-manager"})
RPM_MANAGER_FLAGS = frozenset({"nogpgcheck", "no-gpgchecks", "no-gpgcheck"})
_GPGCHECK_OFF = lazy_pattern(r"(^|[.=])(repo_|localpkg_)?gpgcheck=(0|false|no|off)$", re.I)
ZYPPER_FLAGS = frozenset({"no-gpg-checks", "no-gpg-check"})
RPM_FLAGS = frozenset({"nosignature", "nodigest", "noverify", "nofiledigest"})
# configuration text that turns the checks off, written by echo/printf or in a heredoc
# (a local `file:`/`copy:` apt source marked trusted is not reachable from the network)
# deb [trusted=yes] URI (the options may not contain `[`: else every `[` of a long run of them
# scanned the whole rest of the text, quadratic time)
CONFIG_TEXT = lazy_pattern(r"\[[^\[\]\n]*\btrusted=yes\b[^\]\n]*\](?!\s*(file|copy|cdrom):)"
                         # yum/dnf .repo files; blanks, not \s, around it: \s* ran across lines and backtracked
                         # quadratically over a run of empty lines
                         r"|^[ \t]*(repo_)?gpgcheck[ \t]*=[ \t]*(0|false|no)[ \t]*$"
                         r"|(AllowUnauthenticated|AllowInsecureRepositories)\s+\"?(true|1|yes)\"?",
                         re.I | re.M)
WRITERS = frozenset({"echo", "printf"})


_PACKAGE_FILE = lazy_pattern(r"\.(apk|rpm|deb)$")


def installs_local_files_only(p) -> bool:
    """Every package operand is a package file (`/tmp/pkgs/x.apk`, `./tool.rpm`), none a URL or a
    name: packages built or copied into the build, which nothing on the network can swap."""
    ops = [w.value for w in p.operands("ocatXpcdexR")]
    ops = [o for o in ops if o not in ("install", "add", "localinstall", "in", "reinstall", "upgrade")]
    return bool(ops) and all("://" not in o and _PACKAGE_FILE.search(o) for o in ops)


def signature_options(p):
    """(word, text) for each option of a package tool that turns signature checks off."""
    b = p.basename
    out = []
    if installs_local_files_only(p):
        return out
    if b in ("apt-get", "apt", "aptitude"):
        for word, names in option_words(p, "ocat"):
            if word.value.startswith("--") and names[0] in APT_FLAGS:
                out.append((word, f"`{b} {word.value}`"))
        for key, val in apt_options(p):
            if APT_KEYS.match(key) and val.strip("\"'").lower() in TRUTHY:
                word = next((a for a in p.args if key in a.value.lower()), p.name)
                shown = word.value if word.value.startswith("-") else f"-o {word.value}"
                out.append((word, f"`{b} {shown}`"))
    elif b == "apk":
        for word, names in option_words(p, "tXp"):
            if names == ["allow-untrusted"]:
                out.append((word, "`apk --allow-untrusted`"))
    elif b in RPM_MANAGERS:
        prev = ""
        for a in p.args:
            v = a.value
            if v.startswith("--") and v[2:].partition("=")[0] in RPM_MANAGER_FLAGS:
                out.append((a, f"`{b} {v}`"))
            elif v.startswith("--setopt=") and _GPGCHECK_OFF.search(v[len("--setopt="):]):
                out.append((a, f"`{b} {v}`"))
            elif prev == "--setopt" and _GPGCHECK_OFF.search(v):
                out.append((a, f"`{b} --setopt {v}`"))
            prev = v
    elif b == "zypper":
        for word, names in option_words(p):
            if word.value.startswith("--") and names[0] in ZYPPER_FLAGS:
                out.append((word, f"`zypper {word.value}`"))
    elif b == "rpm":
        for word, names in option_words(p):
            if word.value.startswith("--") and names[0] in RPM_FLAGS:
                out.append((word, f"`rpm {word.value}`"))
    return out


def _heredoc_lines(h, pattern):
    """Ranges of the heredoc body lines where `pattern` matches."""
    out = []
    for k, line in enumerate(h.content.split("\n")):  # lines as the Dockerfile's (not str.splitlines)
        line = line.rstrip("\r")
        m = pattern.search(line)
        if m:
            row = h.body.start.line + k
            out.append((Range(Pos(row, 0), Pos(row, len(line))), m.group(0).strip()))
    return out


@register
class PackageSignatureCheckDisabled(Rule):
    """A package manager is told to install packages without checking their signatures.

    Reported in RUN (also heredoc scripts, exec form and `ONBUILD RUN`):
    apt-get/apt/aptitude `--allow-unauthenticated`,
    `--allow-insecure-repositories`, `--allow-downgrade-to-insecure-repositories`,
    `--force-yes` and the matching `-o APT::Get::AllowUnauthenticated=true` /
    `-o Acquire::AllowInsecureRepositories=true`; `apk --allow-untrusted`;
    yum/dnf/microdnf/tdnf `--nogpgcheck` and `--setopt=gpgcheck=0` (also per
    repository and `repo_gpgcheck`); `zypper --no-gpg-checks`; `rpm
    --nosignature`/`--nodigest`/`--noverify`. Also configuration written with
    `echo`/`printf` or in a heredoc (of RUN, COPY or ADD): an apt source with
    `[trusted=yes]`, a `.repo` file with `gpgcheck=0`, an apt.conf line
    `AllowUnauthenticated "true"`.

    Not reported when every package operand is a package file (`apk add
    --allow-untrusted /tmp/pkgs/*.apk`, `rpm -i --nosignature ./tool.rpm`) or
    the trusted apt source is local (`deb [trusted=yes] file:/tmp/repo ./`):
    such packages were built or copied into the build, and nothing on the
    network can swap them; check where they came from instead.

    ## Why is this bad?
    Package signatures are what ties a package to its publisher; HTTPS (or its
    absence on plain-HTTP mirrors) does not. With the check off, a compromised
    mirror, a cache or anyone on the network path can substitute a package, and
    the package manager installs it, running its scripts as root.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache --allow-untrusted \\
        --repository https://pkgs.example.com/alpine/v3.20/main tool
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    COPY keys/pkgs.example.com.rsa.pub /etc/apk/keys/
    RUN apk add --no-cache --repository https://pkgs.example.com/alpine/v3.20/main tool
    ```
    """

    code = "LL5007"
    name = "package-signature-check-disabled"
    groups = ("security", "packages")
    severity = "warning"
    visits = ("RUN", "COPY", "ADD")
    onbuild = True

    consequence = ("so a compromised mirror or anyone on the network path can substitute a package and it is "
                   "installed without complaint")

    def check(self, ins, ctx):
        seen = set()
        lines = set()
        if ins.keyword == "RUN":
            for p in programs(ins, ctx.model) or ():
                found = signature_options(p)
                if p.basename in WRITERS:
                    for a in p.args:
                        m = CONFIG_TEXT.search(a.value)
                        if m:
                            found.append((a, f"Writing `{m.group(0).strip()}`"))
                for word, what in found:
                    if word.range in seen:
                        continue
                    seen.add(word.range)
                    lines.add(word.range.start.line)
                    ctx.report(self, word.range, f"{what} turns off package signature checks, {self.consequence}")
        heredocs = ins.heredocs or (ins.parent.heredocs if ins.parent is not None else [])
        for h in heredocs:
            for rng, text in _heredoc_lines(h, CONFIG_TEXT):
                if rng.start.line not in lines:  # a shell heredoc's `echo` is reported on its word
                    lines.add(rng.start.line)
                    ctx.report(self, rng, f"`{text}` turns off package signature checks, {self.consequence}")
