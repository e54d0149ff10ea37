"""Shared shape of DL3033 (yum) and DL3041 (dnf, microdnf): unpinned packages and modules."""

from typing import ClassVar

from layerlint.rules._command_words import (ShellCommandRule, invocations, rpm_command, rpm_module_pinned,
                                        rpm_package_pinned)


class RpmUnpinnedPackage(ShellCommandRule):
    """Reports every package of `install` and every module of `module install` without a version."""

    programs: ClassVar[tuple[str, ...]] = ()
    install_actions: ClassVar[frozenset[str]] = frozenset({"install"})
    message: ClassVar[str] = ""

    def check_script(self, script, ins, ctx):
        for inv in invocations(script, *self.programs):
            rc = rpm_command(inv)
            if rc.action in self.install_actions:
                for w in rc.operands:
                    if w.value and not rpm_package_pinned(w):
                        ctx.report(self, w.range, f"{self.message}: `{w.value}` has no version")
            elif rc.action == "module install":
                for w in rc.operands:
                    if w.value and not rpm_module_pinned(w):
                        ctx.report(self, w.range, f"{self.message}: module `{w.value}` has no stream "
                                                  f"(`{w.value}:<stream>`)")
