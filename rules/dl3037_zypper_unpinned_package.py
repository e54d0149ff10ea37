from layerlint.rule import register
from layerlint.rules._command_words import ShellCommandRule, has_expansion, invocations, rpm_file_or_url, zypper_command

UNPINNABLE_TYPES = frozenset({"pattern", "patch", "product", "application"})


def zypper_pinned(word) -> bool:
    if has_expansion(word):
        return True
    v = word.value
    if any(op in v for op in "=<>") or rpm_file_or_url(v):
        return True
    kind, colon, _ = v.partition(":")
    return bool(colon) and kind in UNPINNABLE_TYPES


@register
class ZypperUnpinnedPackage(ShellCommandRule):
    """`zypper install` of a package without a version.

    Every package word of `zypper install` / `in` must carry a version
    constraint (`pkg=1.2`, `pkg>=1.2`, `pkg<2`, ...) or be an rpm file. Each
    unpinned word is reported at its own position, also inside ONBUILD and in
    heredoc scripts.

    Differences from hadolint:
    - option values are not packages (`--from repo`, `-r repo`, `--root /x`);
    - patterns, patches and products (`-t pattern devel_basis`,
      `pattern:devel_basis`), which cannot be pinned, are not flagged, and
      neither are URLs;
    - a word with a variable or command substitution counts as pinned (`$PKG`),
      as for yum and dnf (hadolint issue #1143);
    - zypper run by path or through `sudo`, `env` and similar wrappers is
      checked; exec-form RUN and RUN under a non-POSIX SHELL are not analysed.

    ## Why is this bad?
    Without a version the build installs whatever the repositories offer that
    day: rebuilding the same Dockerfile gives a different image, and an update
    can break it without any change in your code.

    ## Example
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper install -y tomcat && zypper clean
    ```

    ## Use instead
    ```dockerfile
    FROM opensuse/leap:15.6
    RUN zypper install -y tomcat=9.0.85 && zypper clean
    ```
    """

    code = "DL3037"
    name = "zypper-unpinned-package"
    groups = ("packages",)
    severity = "warning"

    def check_script(self, script, ins, ctx):
        for inv in invocations(script, "zypper"):
            zc = zypper_command(inv)
            if zc.sub not in ("install", "in"):
                continue
            if any(t.lower() in UNPINNABLE_TYPES for t in zc.command_opts.values("-t", "--type")):
                continue
            for w in zc.operands:
                if w.value and not zypper_pinned(w):
                    ctx.report(self, w.range,
                               f"Specify version with `zypper install -y <package>=<version>`: `{w.value}` "
                               f"has no version")
