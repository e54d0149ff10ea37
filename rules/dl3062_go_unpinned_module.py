from layerlint.rule import register
from layerlint.rules._command_words import ShellCommandRule, has_expansion, invocations, parse_options

# go build flags that take a value (`-tags netgo` as well as `-tags=netgo`)
GO_VALUE_FLAGS = frozenset({
    "-C", "-p", "-asmflags", "-buildmode", "-compiler", "-gccgoflags", "-gcflags", "-installsuffix", "-ldflags",
    "-mod", "-modfile", "-overlay", "-pgo", "-pkgdir", "-tags", "-toolexec", "-exec", "-o", "-covermode",
    "-coverpkg", "-coverprofile", "-debug-actiongraph", "-debug-runtime-trace", "-debug-trace",
})
META_PATTERNS = frozenset({"all", "std", "cmd", "tool"})
MOVING_QUERIES = frozenset({"latest", "upgrade", "patch"})


def _is_local(value: str) -> bool:
    return value.startswith((".", "/")) or value.endswith(".go")


@register
class GoUnpinnedModule(ShellCommandRule):
    """`go install`, `go get` or `go run` of a module without a version.

    Every package argument of `go install` and `go get`, and the package of
    `go run` (the first argument; the rest belongs to the program), must carry
    an `@version` other than the moving queries `@latest`, `@upgrade` and
    `@patch`. Local paths (`.`, `./cmd/x`, `/src/app`), `.go` files and the
    meta-patterns `all`, `std`, `cmd` and `tool` are exempt. Each unpinned
    argument is reported at its own position, also inside ONBUILD and in
    heredoc scripts.

    Differences from hadolint:
    - `go run main.go` (a local source file) is fine;
    - option values are not packages (`go install -tags netgo pkg@v1`);
    - every `go` command of the RUN is checked: hadolint skips `go install`
      and `go get` as soon as the RUN also has a `go run`;
    - an argument with a variable counts as pinned (`$TOOL`), as in the other
      pinning rules; `go get pkg@none` (removing a dependency) is fine;
    - `@upgrade` and `@patch` are reported like `@latest`;
    - go run by path (`/usr/local/go/bin/go`) or through `sudo`, `env` and
      similar wrappers is checked; exec-form RUN and RUN under a non-POSIX
      SHELL are not analysed.

    ## Why is this bad?
    Without a version, or with `@latest`, go fetches whatever the module's
    newest release is on the day of the build: rebuilding the same Dockerfile
    gives a different binary, and a new release can break the build.

    ## Example
    ```dockerfile
    FROM golang:1.23
    RUN go install golang.org/x/tools/gopls@latest
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.23
    RUN go install golang.org/x/tools/gopls@v0.16.2
    ```
    """

    code = "DL3062"
    name = "go-unpinned-module"
    groups = ("packages",)
    severity = "warning"

    def check_script(self, script, ins, ctx):
        for inv in invocations(script, "go"):
            if not inv.args:
                continue
            sub = inv.args[0].value
            if sub not in ("install", "get", "run"):
                continue
            parsed = parse_options(inv.args[1:], long_with_value=GO_VALUE_FLAGS, stop_at_operand=True,
                                   single_dash_long=True)
            rest = inv.args[1:][parsed.stop:] if parsed.stop >= 0 else []
            if sub == "run":
                rest = rest[:1]
            for w in rest:
                if not w.value or w.value.startswith("-"):
                    continue
                problem = self.problem(w, sub)
                if problem:
                    ctx.report(self, w.range, "Pin versions in go. Instead of `go install <package>` use "
                                              f"`go install <package>@<version>`: {problem}")

    @staticmethod
    def problem(word, sub: str) -> str | None:
        if has_expansion(word):
            return None
        v = word.value
        if _is_local(v) or v in META_PATTERNS:
            return None
        path, at, version = v.rpartition("@")
        if not at:
            return f"`{v}` has no version"
        if version in MOVING_QUERIES:
            return f"`@{version}` in `{v}` is not a fixed version"
        if version == "none" and sub != "get":
            return f"`{v}` has no version"
        return None
