from layerlint.ast import Range
from layerlint.rule import Rule, register
from layerlint.rules._package_calls import APK_LONG_VALUES, APK_SHORT_VALUES, apt_options, apt_subcommand
from layerlint.rules._user_security import NonRootRunRule, escalates, option_words, runs_as
from layerlint.shell import programs

APT_ROOT = frozenset({"install", "remove", "purge", "update", "upgrade", "dist-upgrade", "full-upgrade", "autoremove",
                      "autopurge", "build-dep", "reinstall", "clean", "autoclean", "satisfy"})
APT_NO_ROOT = frozenset({"s", "simulate", "dry-run", "just-print", "no-act", "recon", "print-uris"})
APK_ROOT = frozenset({"add", "del", "update", "upgrade", "fix"})
APK_NO_ROOT = frozenset({"p", "root", "usermode", "s", "simulate"})
RPM_MANAGERS = frozenset({"yum", "dnf", "dnf5", "microdnf", "tdnf"})
RPM_MANAGER_ROOT = frozenset({"install", "localinstall", "groupinstall", "remove", "erase", "groupremove", "update",
                              "upgrade", "update-minimal", "upgrade-minimal", "groupupdate", "reinstall", "downgrade",
                              "autoremove", "distro-sync", "distrosync", "swap", "group", "groups", "module"})
RPM_MANAGER_NO_ROOT = frozenset({"installroot", "assumeno", "downloadonly"})
RPM_MANAGER_LONG_VALUES = ("installroot", "enablerepo", "disablerepo", "setopt", "exclude", "releasever", "config",
                           "repo", "repofrompath", "repoid", "downloaddir", "destdir", "forcearch", "disableplugin",
                           "enableplugin", "color", "rpmverbosity", "debuglevel", "errorlevel")
ZYPPER_ROOT = frozenset({"install", "in", "remove", "rm", "update", "up", "patch", "dist-upgrade", "dup", "refresh",
                         "ref", "addrepo", "ar", "removerepo", "rr", "modifyrepo", "mr", "addlock", "al", "clean",
                         "cc"})
ZYPPER_LONG_VALUES = ("root", "config", "reposd-dir", "cache-dir", "raw-cache-dir", "solv-cache-dir",
                      "pkg-cache-dir")
DPKG_ROOT = frozenset({"i", "r", "P", "install", "remove", "purge", "configure", "unpack"})
DPKG_NO_ROOT = frozenset({"root", "instdir", "admindir", "force-not-root", "dry-run", "simulate", "no-act"})
RPM_ROOT = frozenset({"i", "U", "F", "e", "install", "upgrade", "freshen", "erase", "import", "reinstall"})
RPM_QUERY = frozenset({"q", "V", "K", "query", "verify", "checksig", "eval", "E", "showrc", "querytags"})
RPM_NO_ROOT = frozenset({"root", "dbpath", "test"})
ACCOUNT_TOOLS = frozenset({"useradd", "adduser", "groupadd", "addgroup", "usermod", "userdel", "deluser", "groupdel",
                           "delgroup", "groupmod", "chpasswd", "update-ca-certificates"})



def needs_root(p):
    """(first word, last word) of a command that only root can run, else None."""
    b = p.basename
    opts = set(p.options())
    if b in ("apt-get", "apt", "aptitude"):
        sub = apt_subcommand(p)
        if sub is None or sub.value not in APT_ROOT or opts & APT_NO_ROOT:
            return None
        if any(k.startswith("dir") or k == "debug::nolocking" for k, _ in apt_options(p)):
            return None
        return sub
    if b == "apk":
        ops = p.operands(APK_SHORT_VALUES, APK_LONG_VALUES)
        if not ops or ops[0].value not in APK_ROOT or set(p.options(APK_SHORT_VALUES)) & APK_NO_ROOT:
            return None
        return ops[0]
    if b in RPM_MANAGERS:
        ops = p.operands("cdexR", RPM_MANAGER_LONG_VALUES)
        if not ops or ops[0].value not in RPM_MANAGER_ROOT or set(p.options("cdexR")) & RPM_MANAGER_NO_ROOT:
            return None
        return ops[0]
    if b == "zypper":
        ops = p.operands("RcDC", ZYPPER_LONG_VALUES)
        if not ops or ops[0].value not in ZYPPER_ROOT or set(p.options("RcDC")) & {"R", "root", "dry-run"}:
            return None
        return ops[0]
    if b == "dpkg":
        if not opts & DPKG_ROOT or opts & DPKG_NO_ROOT:
            return None
        return next((w for w, names in option_words(p) if set(names) & DPKG_ROOT), p.name)
    if b == "rpm":
        if not opts & RPM_ROOT or opts & RPM_QUERY or opts & RPM_NO_ROOT:
            return None
        return next((w for w, names in option_words(p) if set(names) & RPM_ROOT), p.name)
    if b in ACCOUNT_TOOLS:
        if opts & {"help", "h"} and b != "adduser":
            return None
        return p.name
    return None


@register
class RootCommandAsNonRootUser(NonRootRunRule, Rule):
    """A RUN installs packages or manages accounts after USER switched to a non-root user.

    Looks at every RUN whose USER in effect is known and not root (`root`, `0`,
    with or without a group): set earlier in the stage or in the stage it is
    built `FROM`. Reported on the commands that only root can run:

    - package managers changing the system: `apt-get`/`apt`/`aptitude`
      `install`, `remove`, `purge`, `update`, `upgrade`, `autoremove`, `clean`,
      ...; `apk add`/`del`/`update`/`upgrade`; `yum`/`dnf`/`microdnf`/`tdnf`
      `install`, `remove`, `update`, `upgrade`, `group`, `module`, ...;
      `zypper install`/`remove`/`update`/`refresh`/...; `dpkg -i`/`-r`/`-P`;
      `rpm -i`/`-U`/`-F`/`-e`/`--import`;
    - account tools: `useradd`, `adduser`, `groupadd`, `addgroup`, `usermod`,
      `userdel`, `deluser`, `groupdel`, `groupmod`, `chpasswd`; and
      `update-ca-certificates`.

    Not reported when the command runs through `sudo`, `doas` or `fakeroot`
    (DL3004 reports sudo), when it works on another root directory or only
    simulates (`--root`, `--installroot`, `--instdir`, `apk --usermode`,
    `-s`/`--simulate`, `--assumeno`, `--downloadonly`, apt `-o Dir...=`), when the
    USER's value is unknown (a variable without a value), or for exec-form
    programs other than these. An `ONBUILD RUN` runs in the later build as the
    image's final USER, changed by earlier `ONBUILD USER` triggers.

    ## Why is this bad?
    RUN executes as the current USER. Package managers need root to take their
    lock and write to `/usr` and `/var/lib`, account tools to write `/etc/passwd`
    and `/etc/shadow`: as any other user the command fails with "Permission
    denied" (or "are you root?") and the build stops.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN useradd --create-home app
    USER app
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
     && rm -rf /var/lib/apt/lists/*
    RUN useradd --create-home app
    USER app
    ```
    """

    code = "LL5002"
    name = "root-command-as-non-root-user"
    groups = ("user",)
    severity = "error"
    visits = ("RUN", "USER")
    onbuild = True

    def check_run(self, ins, ctx, user, user_ins, onbuild):
        for p in programs(ins, ctx.model) or ():
            if escalates(p):
                continue
            last = needs_root(p)
            if last is None:
                continue
            rng = Range(p.name.range.start, last.range.end) if last is not p.name else p.name.range
            what = p.basename if last is p.name else f"{p.basename} {last.value}"
            ctx.report(self, rng,
                       f"`{what}` needs root, but {runs_as(user, user_ins, onbuild)}, so the build stops with a "
                       f"permission error")
