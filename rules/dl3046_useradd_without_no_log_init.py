from layerlint.rule import register
from layerlint.rules._command_words import ShellCommandRule, insert_after, invocations, parse_options
from layerlint.patterns import lazy_pattern

USERADD_SHORT_VALUE = "bcdefgGkKpPsuRZ"
USERADD_LONG_VALUE = frozenset({
    "--base-dir", "--comment", "--home-dir", "--expiredate", "--inactive", "--gid", "--groups", "--skel", "--key",
    "--password", "--shell", "--uid", "--root", "--prefix", "--selinux-user", "--selinux-range",
})
_VARIABLE = lazy_pattern(r"^\$(?:\{(\w+)\}|(\w+))$")
MAX_SHORT_UID = 99999  # hadolint: a UID of more than five digits


def _uid_value(text: str, ins, ctx) -> int | None:
    """The UID as a number; a `$VAR` is looked up in the ARG/ENV values in scope."""
    m = _VARIABLE.match(text)
    if m:
        if ins.parent is not None:  # ONBUILD: the values come from the downstream build
            return None
        scope = ctx.model.scope_at.get(id(ins))
        text = scope.values().get(m.group(1) or m.group(2), "") if scope else ""
    return int(text) if text.isdigit() else None


@register
class UseraddWithoutNoLogInit(ShellCommandRule):
    """`useradd` with a high UID and without `-l` / `--no-log-init`.

    Finds `useradd -u <uid>` (also `--uid`, `--uid=`, `-u<uid>`, combined
    short options such as `-mu 123456`) with a UID above 99999 and no `-l` /
    `--no-log-init`, also inside ONBUILD and in heredoc scripts. The finding
    points at the `useradd` word.

    Differences from hadolint:
    - the UID is read as a number from any spelling of the option: hadolint
      misses `--uid`, `--uid=` and `-u123456`;
    - a UID given by a variable is looked up in the ARG/ENV values in scope
      and only reported when it is known to be high: hadolint reports every
      `-u "$UID"` because the text `"$UID"` is six characters long;
    - useradd run by path (`/usr/sbin/useradd`) or through `sudo`, `env` and
      similar wrappers is checked; exec-form RUN and RUN under a non-POSIX
      SHELL are not analysed.

    ## Why is this bad?
    useradd reserves a record for the new user in `/var/log/lastlog` and
    `/var/log/faillog`, sparse files indexed by UID. Image layers do not keep
    files sparse, so a UID like 1000000 stores hundreds of MB of zeroes in the
    image.

    ## Example
    ```dockerfile
    FROM debian:12
    RUN useradd -u 1000000 app
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12
    RUN useradd --no-log-init -u 1000000 app
    ```

    ## Fix
    Inserts ` --no-log-init` after `useradd`. Safe: the user is created the
    same way; only the lastlog and faillog records, which nothing in an image
    reads, are not written.
    """

    code = "DL3046"
    name = "useradd-without-no-log-init"
    groups = ("user",)
    severity = "warning"
    fixable = "always"

    def check_script(self, script, ins, ctx):
        for inv in invocations(script, "useradd"):
            parsed = parse_options(inv.args, USERADD_SHORT_VALUE, USERADD_LONG_VALUE)
            if parsed.has("-l", "--no-log-init"):
                continue
            uids = [u for u in (_uid_value(v, ins, ctx) for v in parsed.values("-u", "--uid")) if u is not None]
            if any(u > MAX_SHORT_UID for u in uids):
                ctx.report(self, inv.name.range,
                           "`useradd` without flag `-l` and high UID will result in excessively large Image.",
                           fix=insert_after(inv.name, " --no-log-init", "Add --no-log-init"))
