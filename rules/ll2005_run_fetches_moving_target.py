import posixpath
import re
from urllib.parse import parse_qsl, urlsplit

from layerlint.rule import Rule, register
from layerlint.rules._package_calls import calls
from layerlint.rules._cache_model import expand_shell_word, program_cwds, resolve, under
from layerlint.patterns import lazy_pattern

MOVING = frozenset({"latest", "master", "main"})
_ARCHIVE = lazy_pattern(r"\.(tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tbz2|tar\.zst|tar|zip)$", re.I)
_URL = lazy_pattern(r"^(https?|ftp)://", re.I)
_REMOTE = lazy_pattern(r"://|^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:|^\$")
_SHA = lazy_pattern(r"^[0-9a-f]{7,64}$", re.I)
_TAG = lazy_pattern(r"^(?:[A-Za-z][A-Za-z0-9]*[-_])?v?\d+(?:[._+-]\d+)*[A-Za-z0-9.+-]*$", re.I)
# path segments after which `main`/`master` name a branch (GitHub, GitLab, Bitbucket, Gitea URLs)
_BRANCH_BEFORE = frozenset({"heads", "raw", "archive", "blob", "tree", "branch", "branches", "tarball", "zipball",
                            "snapshot", "src", "get"})
_BRANCHY = ("release", "stable", "branch", "dev", "feature", "hotfix", "origin/")
# `git` options before the subcommand that take a value
_GIT_SHORT = "Cc"
_GIT_LONG = ("git-dir", "work-tree", "namespace", "config-env", "exec-path", "super-prefix", "list-cmds")
_CLONE_SHORT = "bocuj"
_CLONE_LONG = ("branch", "origin", "config", "upload-pack", "template", "reference", "reference-if-able",
               "separate-git-dir", "depth", "shallow-since", "shallow-exclude", "jobs", "filter", "server-option",
               "bundle-uri", "revision", "ref-format")


def moving_marker(url: str) -> str | None:
    """The `latest`/`master`/`main` path segment (or query value) that makes a URL a moving target."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    segments = parts.path.split("/")[1:]
    raw_host = parts.hostname in ("raw.githubusercontent.com", "raw.github.com")
    for k, seg in enumerate(segments):
        stem = _ARCHIVE.sub("", seg).lower()
        if stem == "latest":
            return seg
        if stem in ("main", "master") and ((raw_host and k == 2) or (k > 0 and segments[k - 1].lower()
                                                                        in _BRANCH_BEFORE)):
            return seg
    for _, value in parse_qsl(parts.query):
        if value.lower() in MOVING:
            return value
    return None


def _tag_like(ref: str) -> bool:
    """A version tag (`v1.2.3`, `v2_02_103`, `curl-8_5_0`, `release-3.0.5`), not a branch (`release-1.28`, `main`)."""
    low = ref.lower()
    if low in MOVING or low == "head":
        return False
    if low.startswith(_BRANCHY):
        return bool(re.search(r"\d+\.\d+\.\d+", ref))
    # tags are short (Docker caps them at 128 characters); the bound keeps _TAG's backtracking,
    # quadratic in the length of a near-miss, from hanging on a hostile megabyte-long ref
    return bool((len(ref) <= 256 and _TAG.match(ref)) or re.search(r"\d+\.\d+", ref))


def pins(ref: str | None) -> bool:
    """A ref that fixes the content: a commit SHA, a version tag, or an unknown value."""
    if ref is None:
        return True
    return bool(_SHA.match(ref)) or _tag_like(ref)


def _git(call):
    """(subcommand word, its arguments, the `-C` directory or None) of a `git` call, else None."""
    if call.basename != "git":
        return None
    ops = call.operands(_GIT_SHORT, _GIT_LONG)
    if not ops:
        return None
    sub = ops[0]
    k = next(i for i, a in enumerate(call.args) if a is sub)
    chdir = None
    before = call.args[:k]
    for i, a in enumerate(before):
        if a.value == "-C" and i + 1 < len(before):
            chdir = before[i + 1].value
        elif a.value.startswith("--git-dir="):  # `git --git-dir=/w/repo.git checkout SHA` works on that clone
            chdir = a.value.split("=", 1)[1]
    return sub, call.args[k + 1:], chdir


def _value_after(args, short: str, long: str):
    for i, a in enumerate(args):
        v = a.value
        if v == "--":
            break
        if v in (short, long) and i + 1 < len(args):
            return args[i + 1]
        if v.startswith(long + "="):
            return v[len(long) + 1:]
        if short and v.startswith(short) and not v.startswith("--") and len(v) > 2:
            return v[2:]
    return None


def _clone_operands(args) -> list:
    out, skip = [], False
    for a in args:
        v = a.value
        if skip:
            skip = False
            continue
        if v == "--":
            continue
        if a.is_flag:
            if v.startswith("--"):
                name, eq, _ = v[2:].partition("=")
                skip = not eq and name in _CLONE_LONG
            elif v[-1] in _CLONE_SHORT:
                skip = True
            continue
        out.append(a)
    return out


@register
class RunFetchesMovingTarget(Rule):
    """RUN downloads a moving target: `git clone` without a pinned ref, or a `latest`/`main` URL.

    Reports `git clone` when neither the clone nor a later `git checkout`,
    `git switch`, `git reset` or `git fetch` of the stage names a commit SHA or
    a version tag (`--branch v1.2.3`, `--revision=<sha>`, `git checkout
    3f1c2e9`); a ref given by a variable without a known value counts as a
    pin. Reports `curl` and `wget` URLs with a `latest`, `master` or `main` path
    segment (`/releases/latest/download/`, `/archive/refs/heads/main.tar.gz`,
    `raw.githubusercontent.com/o/r/master/install.sh`) or query value. Also
    inside `ONBUILD RUN`.

    The message explains that the builder caches the layer with whatever was
    fetched the first time and does not fetch again until that cache is
    dropped, when a rebuild gets different content.

    ## Why is this bad?
    The builder cannot know that the remote side changed: the RUN's cache key
    is its command text, which stays the same. The layer keeps whatever the
    first build fetched, possibly for months, and then a cache prune, a new CI
    runner or `--no-cache` silently brings different code into the image.
    Pinning a version or a commit makes builds reproducible and the cache
    honest.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN git clone --depth 1 https://github.com/nodejs/node.git /src/node
    RUN wget -q https://github.com/mikefarah/yq/releases/latest/download/yq_linux_amd64 -O /usr/bin/yq
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN git clone --depth 1 --branch v22.2.0 https://github.com/nodejs/node.git /src/node
    RUN wget -q https://github.com/mikefarah/yq/releases/download/v4.44.1/yq_linux_amd64 -O /usr/bin/yq
    ```
    """

    code = "LL2005"
    name = "run-fetches-moving-target"
    groups = ("cache",)
    severity = "info"
    visits = ("RUN",)
    onbuild = True

    def check(self, ins, ctx):
        key = "onbuild" if ins.parent is not None else "main"
        st = ctx.stage_state(self).setdefault(key, {"clones": []})
        cwds = None
        for call in calls(ins, ctx) or ():
            if call.basename in ("curl", "wget"):
                for a in call.args:
                    value = a.value
                    if not _URL.match(value):
                        continue
                    marker = moving_marker(value)
                    if marker is None or "$" in marker:
                        continue
                    ctx.report(self, a.range,
                               f"`{call.basename}` fetches `{value}`, a moving target (`{marker}`): the builder "
                               f"caches this layer with whatever it got the first time and never fetches again "
                               f"until that cache is dropped, when a rebuild silently gets different content; "
                               f"download a versioned URL")
                continue
            found = _git(call)
            if found is None:
                continue
            sub, args, chdir = found
            if cwds is None:
                cwds = program_cwds(ins, ctx)
            cwd = cwds.get(id(call))
            if chdir is not None:
                value = expand_shell_word(chdir, ins, ctx)
                cwd = resolve(value, cwd) if value else None
            if sub.value == "clone":
                ops = _clone_operands(args)
                if not ops or not _REMOTE.search(ops[0].value):
                    continue
                branch = _value_after(args, "-b", "--branch")
                revision = _value_after(args, "", "--revision")
                refs = [r if isinstance(r, str) else r.value for r in (branch, revision) if r is not None]
                known = [expand_shell_word(r, ins, ctx) for r in refs]
                if any(pins(r) for r in known):
                    continue
                url = expand_shell_word(ops[0].value, ins, ctx)
                bare = any(a.value in ("--bare", "--mirror") for a in args)
                base = posixpath.basename(url.rstrip("/").split(":")[-1]) if url else None
                if base and bare:  # a bare clone's directory keeps (or gets) the `.git` suffix
                    base = base if base.endswith(".git") else base + ".git"
                elif base:
                    base = base.removesuffix(".git")
                name = ops[1].value if len(ops) > 1 else base
                name = expand_shell_word(name, ins, ctx) if name else None
                target = resolve(name, cwd) if name else None
                # [url word, ref, target directory, pinned]
                st["clones"].append([ops[0], known[0] if known else None, target, False])
            elif sub.value in ("checkout", "switch", "reset", "fetch"):
                operands = [a for a in args if not a.is_flag]
                values = [expand_shell_word(a.value, ins, ctx) for a in operands]
                if any(v is None or _SHA.match(v) or _tag_like(v) for v in values):
                    for clone in st["clones"]:
                        if clone[2] is None or cwd is None or under(cwd, clone[2]):
                            clone[3] = True

    def stage_end(self, stage, ctx):
        for key in ("main", "onbuild"):
            st = ctx.stage_state(self, stage).get(key)
            if not st:
                continue
            for url, ref, _, pinned in st["clones"]:
                if pinned:
                    continue
                what = f"branch `{ref}`" if ref else "the default branch"
                ctx.report(self, url.range,
                           f"`git clone` takes whatever {what} holds when the layer is built: the builder caches it "
                           f"as it was the first time and never fetches again until that cache is dropped, when a "
                           f"rebuild silently gets different code; clone a tag (`--branch v1.2.3`) or check out a "
                           f"commit")
