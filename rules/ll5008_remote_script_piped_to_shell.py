import re

from layerlint.rule import Rule, register
from layerlint.rules._user_security import option_words, script_tree
from layerlint.shell import programs
from layerlint.patterns import lazy_pattern

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "fish"})
INTERPRETERS = lazy_pattern(r"^(python[\d.]*|perl[\d.]*|ruby[\d.]*|node|nodejs|php[\d.]*)$")
SOURCING = frozenset({"source", ".", "eval"})
CHECKSUM_TOOLS = frozenset({"sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "shasum", "md5sum",
                            "b2sum", "cksum", "gpgv", "cosign", "minisign", "signify", "rekor-cli", "slsa-verifier"})
CURL_SHORT_VALUES = "AbcCdDeEFHKmoPQrtTuUwxXyYz"
CURL_TO_FILE = frozenset({"o", "O", "output", "remote-name", "remote-name-all"})


def downloads_to_stdout(p) -> bool:
    """curl without an output file, or wget writing to `-`."""
    if p.basename == "curl":
        names = {n for _, ns in option_words(p, CURL_SHORT_VALUES, ("output",)) for n in ns}
        return not names & CURL_TO_FILE
    if p.basename == "wget":
        args = p.args
        for i, a in enumerate(args):
            v = a.value
            if re.fullmatch(r"-[A-Za-z]*O-", v) or v == "--output-document=-":
                return True
            if (re.fullmatch(r"-[A-Za-z]*O", v) or v == "--output-document") and i + 1 < len(args) \
                    and args[i + 1].value == "-":
                return True
    return False


def reads_stdin_as_code(p) -> bool:
    """A shell or interpreter given no script file (or `-`), so it runs what comes on stdin."""
    b = p.basename
    if b in SHELLS:
        if p.has_short_flag("c"):
            return False
        if p.has_short_flag("s"):
            return True
        ops = p.operands("o", ())
    elif INTERPRETERS.match(b):
        if any(p.has_short_flag(x) for x in "cemp") or p.has_long_flag("--eval", "--print"):
            return False
        ops = p.operands("WX", ())
    else:
        return False
    return not ops or ops[0].value == "-"


def _verifies(found) -> bool:
    for p in found:
        if p.basename in CHECKSUM_TOOLS:
            return True
        if p.basename in ("gpg", "gpg2") and p.has_long_flag("--verify"):
            return True
        if p.basename == "openssl" and p.args and p.args[0].value == "dgst":
            return True
    return False


@register
class RemoteScriptPipedToShell(Rule):
    """A RUN pipes a download straight into a shell or interpreter.

    Finds `curl ... | sh`, `wget -qO- ... | bash` (also through `sudo`, `env`
    and with filters in between such as `curl ... | tee log | sh`), interpreters
    reading the script from stdin (`| python3`, `| python3 -`, `| perl`, `|
    ruby`, `| node`, `| php`, `| bash -s -- args`), and the substitution forms
    `sh -c "$(curl ...)"`, `bash <(curl ...)`, `source <(curl ...)` and `eval
    "$(curl ...)"`. curl counts when it writes to stdout (no `-o`/`-O`), wget when
    it writes to `-` (`-O-`, `-qO-`, `--output-document=-`). Not reported when
    the same RUN verifies something with a checksum or signature tool
    (`sha256sum`, `shasum`, `gpg --verify`, `cosign`, `minisign`, ...), nor for
    `sh -c` with a literal script, a script file operand (`bash install.sh`), or
    non-POSIX shells.

    ## Why is this bad?
    The build runs whatever the server returns, as soon as it arrives: a
    changed, compromised or intercepted script executes with the build's
    privileges (often root), and a dropped connection can run half a script.
    Nothing pins what was run, so two builds of the same Dockerfile can differ.
    Download to a file, check its checksum, then run it.

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN curl -fsSL https://example.com/install.sh | sh
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    ARG INSTALL_SHA256=4f1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e
    RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \\
     && echo "${INSTALL_SHA256}  /tmp/install.sh" | sha256sum -c - \\
     && sh /tmp/install.sh && rm /tmp/install.sh
    ```
    """

    code = "LL5008"
    name = "remote-script-piped-to-shell"
    groups = ("security", "shell")
    severity = "warning"
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        found = programs(ins, ctx.model, exec_form=False)
        tree = script_tree(ins, ctx)
        if not found or tree is None or _verifies(found):
            return
        by_range = {p.command.range: p for p in found if p.command is not None}
        reported = set()

        def program_of(node):
            while node is not None and node.type in ("redirected_statement", "negated_command"):
                node = next((c for c in node.children if c.is_named), None)
            if node is None or node.type != "command":
                return None
            return by_range.get(tree.range(node))

        def report(downloader, runner, how):
            if runner.name.range in reported:
                return
            reported.add(runner.name.range)
            ctx.report(self, runner.name.range,
                       f"`{downloader.basename}` output is {how} `{runner.basename}`, so whatever the server or anyone "
                       f"in between returns is executed in the build without any check")

        for node in tree.walk():
            if node.type == "pipeline":
                stage = [program_of(c) for c in node.children if c.is_named]
                downloader = None
                for p in stage:
                    if p is None:
                        continue
                    if downloader is None and p.basename in ("curl", "wget") and downloads_to_stdout(p):
                        downloader = p
                    elif downloader is not None and reads_stdin_as_code(p):
                        report(downloader, p, "piped straight into")
            elif node.type == "command":
                runner = program_of(node)
                if runner is None or not (runner.basename in SHELLS or runner.basename in SOURCING):
                    continue
                for sub in _substitutions(node):
                    for inner in _commands(sub):
                        p = program_of(inner)
                        if p is not None and p.basename in ("curl", "wget") and downloads_to_stdout(p):
                            report(p, runner, "run by")
                            break


def _substitutions(command_node):
    """`$(...)` and `<(...)` among a command's arguments (inside strings too)."""
    out = []
    stack = [c for c in command_node.children if c.type != "command_name"]
    while stack:
        n = stack.pop()
        if n.type in ("command_substitution", "process_substitution"):
            out.append(n)
            continue
        stack.extend(n.children)
    return out


def _commands(node):
    out = []
    stack = list(node.children)
    while stack:
        n = stack.pop()
        if n.type == "command":
            out.append(n)
        stack.extend(n.children)
    return out
