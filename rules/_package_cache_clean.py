"""Shared shape of DL3032 (yum), DL3036 (zypper) and DL3040 (dnf): package cache left in the layer."""

from typing import ClassVar

from layerlint.rules._command_words import ShellCommandRule, invocations, mount_covers, removes_cache


class CacheNotCleaned(ShellCommandRule):
    """Reports, per RUN and per tool family, the last install that no clean follows.

    Subclasses define `programs`, `cache_dirs`, `message`, `family(invocation)`
    (tools sharing one cache), `is_install(invocation)` and `is_clean(invocation)`.
    """

    programs: ClassVar[tuple[str, ...]] = ()
    cache_dirs: ClassVar[tuple[str, ...]] = ()
    message: ClassVar[str] = ""

    def family(self, inv) -> str:
        return inv.basename

    def is_install(self, inv) -> bool:
        raise NotImplementedError

    def is_clean(self, inv) -> bool:
        raise NotImplementedError

    def check_script(self, script, ins, ctx):
        if mount_covers(ins, self.cache_dirs):
            return
        last_install: dict = {}  # family -> (index, invocation)
        last_clean: dict = {}  # family -> index; "*" for removals of the cache directories
        for i, inv in enumerate(invocations(script, *self.programs, "rm")):
            if inv.basename == "rm":
                if removes_cache(inv, self.cache_dirs):
                    last_clean["*"] = i
            elif self.is_install(inv):
                last_install[self.family(inv)] = (i, inv)
            elif self.is_clean(inv):
                last_clean[self.family(inv)] = i
        for fam, (i, inv) in last_install.items():
            if i > max(last_clean.get(fam, -1), last_clean.get("*", -1)):
                ctx.report(self, inv.name.range, self.message)
