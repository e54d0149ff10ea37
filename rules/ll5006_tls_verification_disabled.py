import re

from layerlint.ast import Pos, Range
from layerlint.rule import Edit, Fix, Rule, register
from layerlint.rules._package_calls import apt_options
from layerlint.rules._user_security import (FALSY, basename, expand_text, option_words, script_tree,
                                          strip_quotes)
from layerlint.shell import programs
from layerlint.patterns import lazy_pattern

# curl options that take a value (short letters and long names), so that their values
# are not read as options (`-u key:pass` holds a `k`)
CURL_SHORT_VALUES = "AbcCdDeEFHKmoPQrtTuUwxXyYz"
CURL_LONG_VALUES = ("output", "header", "user", "data", "data-raw", "data-binary", "data-urlencode", "form",
                    "request", "url", "cacert", "capath", "cert", "key", "proxy", "user-agent", "referer", "cookie",
                    "cookie-jar", "max-time", "connect-timeout", "retry", "retry-delay", "retry-max-time",
                    "write-out", "config", "range", "upload-file", "continue-at", "dump-header", "output-dir",
                    "resolve", "proto", "proto-redir", "interface", "oauth2-bearer", "proxy-user", "time-cond")
PIP_TOOLS = lazy_pattern(r"^(pip[\d.]*|pipx|uv|python[\d.]*)$")
NODE_TOOLS = frozenset({"npm", "yarn", "pnpm"})
CONDA_TOOLS = frozenset({"conda", "mamba", "micromamba"})
RPM_TOOLS = frozenset({"yum", "dnf", "dnf5", "microdnf", "tdnf", "yum-config-manager"})
_SSLVERIFY_OFF = lazy_pattern(r"(^|[.=])sslverify=(0|false|no|off)$", re.I)
_GIT_SSLVERIFY = lazy_pattern(r"^http\.(.+\.)?sslverify$", re.I)
_APT_VERIFY = lazy_pattern(r"^acquire::https(::[^:]+)?::verify-(peer|host)$")
_ASSIGNMENT = lazy_pattern(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)


def insecure_env(name: str, value: str) -> str | None:
    """What an environment variable set to `value` turns off, or None."""
    n = name.upper()
    v = value.strip().lower()
    if n == "NODE_TLS_REJECT_UNAUTHORIZED" and v == "0":
        return "makes Node.js accept any TLS certificate"
    if n == "PYTHONHTTPSVERIFY" and v == "0":
        return "makes Python's HTTPS client accept any certificate"
    if n == "GIT_SSL_NO_VERIFY":
        return "makes git skip TLS certificate verification (whatever its value)"
    if n == "NPM_CONFIG_STRICT_SSL" and v in FALSY:
        return "makes npm accept any TLS certificate"
    if n == "YARN_ENABLE_STRICT_SSL" and v in FALSY:
        return "makes Yarn accept any TLS certificate"
    if n in ("PIP_TRUSTED_HOST", "UV_INSECURE_HOST") and v:
        return "makes pip trust those hosts without a valid certificate"
    if n == "CONDA_SSL_VERIFY" and v in FALSY:
        return "makes conda skip TLS certificate verification"
    if n == "GOINSECURE" and v:
        return "lets Go fetch those modules over plain HTTP or without certificate checks"
    return None


def _flag_removal(word, ctx):
    """An edit deleting a standalone option word with the blank before it, or None."""
    (sl, sc), (el, ec) = word.range
    line = ctx.dockerfile.lines[sl] if sl < len(ctx.dockerfile.lines) else ""
    if sl != el or sc == 0 or line[sc - 1] not in " \t" or word.text != word.value:
        return None
    start = sc - 1
    while start > 0 and line[start - 1] in " \t":
        start -= 1
    if start == 0:
        return None
    return Edit(Range(Pos(sl, start), Pos(sl, ec)), "")


def _letter_removal(word, letter: str):
    """An edit deleting one letter from a short option cluster (`-fsSLk` -> `-fsSL`)."""
    if word.text != word.value or word.range.start.line != word.range.end.line:
        return None
    return Edit(word.range, word.text.replace(letter, "", 1))


def insecure_calls(p, ctx):
    """(word, description, edit or None) for each TLS check a program turns off."""
    b = p.basename
    out = []
    if b == "curl":
        for word, names in option_words(p, CURL_SHORT_VALUES, CURL_LONG_VALUES):
            if "k" in names:
                edit = _flag_removal(word, ctx) if word.value == "-k" else _letter_removal(word, "k")
                out.append((word, "`curl -k` skips TLS certificate verification", edit))
            elif names[0] in ("insecure", "proxy-insecure", "doh-insecure") and word.value.startswith("--"):
                edit = _flag_removal(word, ctx) if word.value == "--insecure" else None
                out.append((word, f"`curl {word.value}` skips TLS certificate verification", edit))
    elif b == "wget":
        for word, names in option_words(p):
            if names == ["no-check-certificate"]:
                out.append((word, "`wget --no-check-certificate` skips TLS certificate verification",
                            _flag_removal(word, ctx)))
            elif names == ["check-certificate"] and word.value.partition("=")[2].lower() in FALSY | {"quiet"}:
                out.append((word, f"`wget {word.value}` skips TLS certificate verification", None))
    elif PIP_TOOLS.match(b):
        for word, names in option_words(p):
            if names[0] in ("trusted-host", "allow-insecure-host") and word.value.startswith("--"):
                out.append((word, f"`{b} --{names[0]}` accepts those hosts without a valid certificate", None))
        vals = [w.value for w in p.positional]
        for w in p.positional:
            if w.value.lower().endswith("trusted-host") and "config" in vals and "set" in vals:
                out.append((w, f"`{b} config set {w.value}` makes pip trust hosts without a valid certificate",
                            None))
    elif b == "git":
        args = p.args
        for i, a in enumerate(args):
            if a.value == "-c" and i + 1 < len(args):
                key, _, val = args[i + 1].value.partition("=")
                if _GIT_SSLVERIFY.match(key) and val.lower() in FALSY:
                    out.append((args[i + 1], "`git -c http.sslVerify=false` skips TLS certificate verification",
                                None))
        pos = p.positional
        if pos and pos[0].value == "config":
            for k, w in enumerate(pos[1:-1], start=1):
                if _GIT_SSLVERIFY.match(w.value) and pos[k + 1].value.lower() in FALSY:
                    out.append((w, "`git config http.sslVerify false` makes git skip TLS certificate verification",
                                None))
    elif b in NODE_TOOLS:
        pos = p.positional
        vals = [w.value for w in pos]
        if "set" in vals:
            i = vals.index("set")
            if i + 1 < len(vals):
                key, eq, val = vals[i + 1].partition("=")
                if not eq and i + 2 < len(vals):
                    val = vals[i + 2]
                if key.lower() in ("strict-ssl", "strict_ssl", "enablestrictssl") and val.lower() in FALSY:
                    out.append((pos[i + 1], f"`{b} config set {key} {val}` makes {b} accept any TLS certificate",
                                None))
        args = p.args
        for i, a in enumerate(args):
            v = a.value.lower()
            nxt = args[i + 1].value.lower() if i + 1 < len(args) else ""
            if v == "--no-strict-ssl" or (v.startswith("--strict-ssl=") and v.split("=", 1)[1] in FALSY) or \
                    (v == "--strict-ssl" and nxt in FALSY):
                out.append((a, f"`{b} {a.value}` accepts any TLS certificate", None))
    elif b in CONDA_TOOLS:
        args = p.args
        for i, a in enumerate(args):
            if a.value == "--set" and i + 2 < len(args) and args[i + 1].value == "ssl_verify" \
                    and args[i + 2].value.lower() in FALSY:
                out.append((args[i + 1], f"`{b} config --set ssl_verify false` skips TLS certificate verification",
                            None))
            elif a.value == "--insecure":
                out.append((a, f"`{b} --insecure` skips TLS certificate verification", None))
    elif b == "apk":
        for word, names in option_words(p):
            if names == ["no-check-certificate"]:
                out.append((word, "`apk --no-check-certificate` skips TLS certificate verification",
                            _flag_removal(word, ctx)))
    elif b in RPM_TOOLS:
        for a in p.args:
            if _SSLVERIFY_OFF.search(a.value.partition("--setopt=")[2] or a.value):
                out.append((a, f"`{b} {a.value}` skips TLS certificate verification for its repositories", None))
    elif b in ("apt-get", "apt", "aptitude"):
        for key, val in apt_options(p):
            if _APT_VERIFY.match(key) and val.strip("\"'").lower() in FALSY:
                word = next((a for a in p.args if key in a.value.lower()), p.name)
                shown = word.value if word.value.startswith("-") else f"-o {word.value}"
                out.append((word, f"`{b} {shown}` skips TLS certificate verification", None))
    for word, names in option_words(p):
        if not word.value.startswith("--"):
            continue
        name = names[0]
        val = word.value.partition("=")[2].lower()
        if name == "insecure-skip-tls-verify" and val not in FALSY:
            out.append((word, f"`{b} --insecure-skip-tls-verify` accepts any server certificate", None))
        elif name.endswith(("tls-verify", "tlsverify")) and val in FALSY and "=" in word.value:
            out.append((word, f"`{b} {word.value}` skips TLS certificate verification", None))
    return out


def _assignments(ins, ctx):
    """(word, NAME, value) of every `NAME=value` in a RUN: before a command, exported, or given to `env`."""
    out = []
    if ins.json:
        words = ins.words
        if words and basename(words[0].text) == "env":
            for w in words[1:]:
                m = _ASSIGNMENT.match(w.text)
                if not m:
                    break
                out.append((w, m.group(1), m.group(2)))
        return out
    tree = script_tree(ins, ctx)
    if tree is None:
        return out
    for n in tree.walk():
        if n.type == "variable_assignment":
            m = _ASSIGNMENT.match(tree.text(n))
            if m:
                out.append((tree.word(n), m.group(1), strip_quotes(m.group(2))))
    for cmd in tree.script.commands:
        if cmd.basename == "env":
            for a in cmd.args:
                m = _ASSIGNMENT.match(a.value)
                if m:
                    out.append((a, m.group(1), m.group(2)))
    return out


@register
class TlsVerificationDisabled(Rule):
    """A download tool or an environment variable turns off TLS certificate verification.

    Reported in RUN (also heredoc scripts, exec form and `ONBUILD RUN`):
    `curl -k`/`--insecure`/`--proxy-insecure`, `wget --no-check-certificate`,
    `pip`/`uv --trusted-host`/`--allow-insecure-host` and `pip config set
    global.trusted-host`, `git -c http.sslVerify=false` and `git config
    http.sslVerify false`, `npm`/`yarn`/`pnpm config set strict-ssl false` (also
    `--strict-ssl=false`, `--no-strict-ssl`, Yarn's `enableStrictSsl`), `conda
    config --set ssl_verify false`, `apk --no-check-certificate`, yum/dnf
    `--setopt=sslverify=0`, apt `-o Acquire::https::Verify-Peer=false`, and any
    `--insecure-skip-tls-verify` or `--tls-verify=false` (kubectl, helm, skopeo,
    podman). In ENV, ARG defaults and RUN assignments (`NAME=value cmd`,
    `export`, `env NAME=value`): `NODE_TLS_REJECT_UNAUTHORIZED=0`,
    `PYTHONHTTPSVERIFY=0`, `GIT_SSL_NO_VERIFY` (any value),
    `NPM_CONFIG_STRICT_SSL=false`, `YARN_ENABLE_STRICT_SSL=false`,
    `PIP_TRUSTED_HOST`, `UV_INSECURE_HOST`, `CONDA_SSL_VERIFY=false` and
    `GOINSECURE`. Values with variables are judged by their known values.

    ## Why is this bad?
    Without certificate verification, HTTPS no longer proves who is on the
    other end: anyone on the network path (a proxy, a hijacked DNS answer, a
    hostile Wi-Fi) can serve a forged package or script, and the build
    installs it without an error. Set in ENV, it also stays on in every
    container. Add the missing CA certificate instead (`COPY ca.crt
    /usr/local/share/ca-certificates/` and `update-ca-certificates`, or the
    tool's `--cacert`/`cafile` option).

    ## Example
    ```dockerfile
    FROM debian:12.5
    RUN curl -fsSLk https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    COPY corp-ca.crt /usr/local/share/ca-certificates/
    RUN update-ca-certificates \\
     && curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
    ```

    ## Fix
    Removes curl's `-k` (also from a cluster such as `-fsSLk`) and `--insecure`,
    and `--no-check-certificate` of wget and apk. Unsafe: the download fails if
    the server's certificate is not trusted in the image.
    """

    code = "LL5006"
    name = "tls-verification-disabled"
    groups = ("security",)
    severity = "warning"
    fixable = "sometimes"
    visits = ("RUN", "ENV", "ARG")
    onbuild = True

    def check(self, ins, ctx):
        if ins.keyword in ("ENV", "ARG"):
            for pair in ins.pairs:
                if pair.value is None:
                    continue
                value = expand_text(pair.value.text, ins, ctx)
                name = expand_text(pair.key.text, ins, ctx) or pair.key.text
                if value is None:
                    continue
                what = insecure_env(name, value)
                if what:
                    rng = Range(pair.key.range.start, pair.value.range.end)
                    ctx.report(self, rng, f"`{ins.keyword} {name}={value}` {what}, {self.consequence}")
            return
        for word, name, value in _assignments(ins, ctx):
            what = insecure_env(name, value)
            if what:
                ctx.report(self, word.range, f"`{name}={value}` {what}, {self.consequence}")
        seen = set()
        for p in programs(ins, ctx.model) or ():
            for word, what, edit in insecure_calls(p, ctx):
                if word.range in seen:
                    continue
                seen.add(word.range)
                fix = None
                if edit is not None and not p.exec_form:
                    fix = Fix((edit,), safe=False, title="Remove the option that turns off TLS verification")
                ctx.report(self, word.range, f"{what}, {self.consequence}", fix=fix)

    consequence = "so anyone on the network path can serve a forged download and the build accepts it"
