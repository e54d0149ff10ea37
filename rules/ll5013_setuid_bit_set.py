import re

from layerlint.rule import Rule, register
from layerlint.shell import programs
from layerlint.patterns import lazy_pattern

_CLAUSE = lazy_pattern(r"^([ugoa]*)((?:[-+=][rwxXstugo]*)+)$")
# directories whose files are programs: a setgid bit there is meant for an executable
BIN_DIRS = lazy_pattern(r"(^|/)(s?bin|libexec)/")


def special_bits(mode: str) -> set[str]:
    """{"setuid", "setgid"} bits a chmod/install mode sets (`4755`, `u+s`, `+s`, `g=rxs`)."""
    out: set[str] = set()
    if re.fullmatch(r"[0-7]{1,5}", mode):
        if len(mode) >= 4:
            special = int(mode[-4])
            if special & 4:
                out.add("setuid")
            if special & 2:
                out.add("setgid")
        return out
    for clause in mode.split(","):
        m = _CLAUSE.match(clause)
        if not m:
            continue
        who = m.group(1) or "a"
        for op in re.findall(r"[-+=][rwxXstugo]*", m.group(2)):
            if op[0] in "+=" and "s" in op:
                if "u" in who or "a" in who:
                    out.add("setuid")
                if "g" in who or "a" in who:
                    out.add("setgid")
    return out


def _mode_and_files(p):
    """(mode word, file words) of `chmod MODE FILE...` or `install -m MODE ... FILE`."""
    if p.basename == "chmod":
        # a mode such as `-s` or `-x` looks like an option; chmod accepts it as a mode
        args = [a for a in p.args if a.value not in ("-R", "-v", "-c", "-f", "--recursive", "--verbose",
                                                      "--changes", "--silent", "--quiet")
                and not a.value.startswith("--reference")]
        if len(args) < 2:
            return None, []
        return args[0], args[1:]
    if p.basename == "install":
        args = p.args
        for i, a in enumerate(args):
            if a.value in ("-m", "--mode") and i + 1 < len(args):
                return args[i + 1], p.operands("mogtS", ("mode", "owner", "group", "target-directory", "suffix"))
            if a.value.startswith("--mode="):
                return a, p.operands("mogtS", ("mode", "owner", "group", "target-directory", "suffix"))
    return None, []


@register
class SetuidBitSet(Rule):
    """A RUN sets the setuid (or, on a program, the setgid) bit.

    Reports `chmod` modes that add setuid: numeric modes with 4 in the special
    digit (`4755`, `6755`) and symbolic ones (`u+s`, `+s`, `a+s`, `u=rwxs`);
    also `install -m 4755`. A setgid bit (`2755`, `g+s`) is reported only when a
    file operand is in a `bin`, `sbin` or `libexec` directory: on directories it
    only makes new files inherit the group, which is common and harmless. Also
    inside heredoc scripts and `ONBUILD RUN`. Removing the bits (`u-s`) is fine.

    ## Why is this bad?
    A setuid program runs with its owner's privileges, usually root, whoever
    starts it. Any flaw in it (or in a library or environment variable it
    trusts) turns a compromised unprivileged process into root in the
    container, the first step of most container escapes. Grant the one
    capability needed (`setcap cap_net_bind_service=+ep`) or run the step as
    root at build time instead.

    ## Example
    ```dockerfile
    FROM debian:12.5
    COPY bin/backup /usr/local/bin/backup
    RUN chmod 4755 /usr/local/bin/backup
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    COPY bin/backup /usr/local/bin/backup
    RUN chmod 0755 /usr/local/bin/backup
    ```
    """

    code = "LL5013"
    name = "setuid-bit-set"
    groups = ("security",)
    severity = "warning"
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        for p in programs(ins, ctx.model) or ():
            mode, files = _mode_and_files(p)
            if mode is None:
                continue
            value = mode.value.split("=", 1)[1] if mode.value.startswith("--mode=") else mode.value
            bits = special_bits(value)
            if "setgid" in bits and "setuid" not in bits and not any(BIN_DIRS.search(f.value) for f in files):
                bits.discard("setgid")
            if not bits:
                continue
            kind = "setuid and setgid bits" if len(bits) == 2 else f"{next(iter(bits))} bit"
            if p.basename == "install":
                files = files[-1:]
            target = f" on `{files[0].value}`" if len(files) == 1 else ""
            whose = "its owner's (usually root's)" if "setuid" in bits else "its group's"
            shown = f"install -m {value}" if p.basename == "install" else f"chmod {value}"
            ctx.report(self, mode.range,
                       f"`{shown}` sets the {kind}{target}, so the program runs with {whose} privileges whoever "
                       f"starts it")
