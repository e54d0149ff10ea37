import posixpath

from layerlint.rule import Edit, Fix, Rule, register
from layerlint.rules._package_calls import apt_subcommand, calls

# apt subcommands and the tool that does the same job in scripts
_REPLACEMENT = {
    **dict.fromkeys(("install", "remove", "purge", "update", "autoremove", "clean", "autoclean",
                     "build-dep", "source", "download", "check", "satisfy", "changelog"), "apt-get"),
    **dict.fromkeys(("search", "show", "showsrc", "policy", "depends", "rdepends"),
                    "apt-cache"),
}


@register
class AptInsteadOfAptGet(Rule):
    """RUN uses `apt` instead of `apt-get` or `apt-cache`.

    Reports every `apt` command, pointing at the word `apt`, also inside
    `ONBUILD RUN`, heredoc scripts and exec-form RUN.

    Differences from hadolint: `apt` called by path (`/usr/bin/apt`) or through
    `sudo`, `env` and similar wrappers counts.

    ## Why is this bad?
    `apt` is the interactive front end: its output and behaviour are tuned for
    people at a terminal and may change between releases, and it warns that it
    "does not have a stable CLI interface". Scripts should use `apt-get` and
    `apt-cache`, whose interfaces are kept stable.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN apt update \\
     && apt install -y --no-install-recommends curl=7.88.1-10+deb12u5 \\
     && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    RUN apt-get update \\
     && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 \\
     && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    Replaces `apt` with `apt-get` for install, remove, purge, update,
    autoremove, clean and the other subcommands apt-get has, and with
    `apt-cache` for search, show, policy, depends and rdepends (shell-form RUN
    only; `apt upgrade`, `full-upgrade` and `list` have no exact equivalent and
    are left alone). Unsafe: the two front ends share the engine but not every
    default (progress output, `Binary::apt` configuration), so the build's
    behaviour may change slightly.
    """

    code = "DL3027"
    name = "apt-instead-of-apt-get"
    groups = ("packages",)
    severity = "warning"
    fixable = "sometimes"
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        for call in calls(ins, ctx) or ():
            if call.basename != "apt":
                continue
            fix = None
            sub = apt_subcommand(call)
            new = _REPLACEMENT.get(sub.value) if sub is not None else None
            word = call.name
            if new and not call.exec_form and word.text == word.value:
                head = posixpath.dirname(word.text)
                replacement = f"{head}/{new}" if head else new
                fix = Fix((Edit(word.range, replacement),), safe=False, title=f"Use {new}")
            ctx.report(self, word.range,
                       "Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead",
                       fix=fix)
