import fnmatch
import posixpath
import re
from dataclasses import dataclass

from layerlint.ast import Pos, Range
from layerlint.rule import Edit, Fix, Rule, register
from layerlint.rules._package_calls import calls
from layerlint.rules._cache_model import expand_text, installs, program_cwds, resolve, under, workdir_of
from layerlint.shell import programs
from layerlint.patterns import lazy_pattern

_GLOB = lazy_pattern(r"[*?\[]")
_URL = lazy_pattern(r"^(https?|git|ssh)://|^git@", re.I)
# file names a broad glob would also pick up: sources, docs, the Dockerfile itself
_SAMPLES = ("main.py", "app.py", "main.go", "index.js", "app.js", "server.js", "index.ts", "main.rs", "src", "lib",
            "app", "README.md", "Dockerfile")
# extensionless names that are files, not directories
_FILES = frozenset({"gradlew", "mvnw", "configure", "manage", "entrypoint", "gemfile", "pipfile", "makefile"})
_KEPT_FLAGS = ("chown", "chmod", "link")
# commands that may move with the install: they need nothing from the build context
_CONFIG = frozenset({"npm", "yarn", "pnpm", "pip", "pip3", "poetry", "bundle", "composer", "git", "uv"})


@dataclass(slots=True, eq=False)
class _Copy:
    ins: object
    dest: str | None  # absolute (or BASE-relative) destination directory
    broad: str | None  # what it copies, for messages (`in the build context`, `under `src/``), when broad
    root: bool  # it copies the whole context (`.`, `*`)
    prefix: str | None  # for a single broad source: the context directory its files come from
    files: list  # (basename pattern, target path) of the specific (non-broad) sources


_BUILD_TOOLS = {"gradle": "gradle", "gradlew": "gradle", "mvn": "maven", "mvnw": "maven"}


def _source_kind(src: str) -> str:
    """root, dir, glob (broad), file or narrow (a glob that picks manifests only)."""
    s = src
    while s.startswith("./"):
        s = s[2:]
    if s in ("", ".", "*", "/", "./*") or s.rstrip("/") in ("", "."):
        return "root"
    base = posixpath.basename(s.rstrip("/"))
    if _GLOB.search(s):
        if base in ("*", ".*"):
            return "root" if "/" not in s.rstrip("/") else "dir"
        return "glob" if any(fnmatch.fnmatchcase(x, base) for x in _SAMPLES) else "narrow"
    if s.endswith("/") or s.endswith("/."):
        return "dir"
    if "." not in base and base[:1].islower() and base.lower() not in _FILES:
        return "dir"
    return "file"


def _copy_info(ins, ctx) -> _Copy | None:
    if ins.flag("from") is not None or len(ins.value) < 2 or len(ins.words) != len(ins.value):
        return None
    dest_text = expand_text(ins.value[-1], ins, ctx)
    cwd = workdir_of(ins, ctx)
    dest = resolve(dest_text, cwd) if dest_text else None
    dest_is_dir = dest_text is not None and (dest_text.endswith("/") or dest_text in (".", "./")
                                             or len(ins.value) > 2)
    broad, root, prefix, files = [], False, None, []
    sources = ins.value[:-1]
    for src in sources:
        if src.startswith("<<") and ins.heredocs:
            continue
        value = expand_text(src, ins, ctx)
        if value is None or _URL.search(value):
            continue
        kind = _source_kind(value)
        if kind in ("root", "dir", "glob"):
            broad.append(f"matching `{src}`" if kind == "glob" else f"under `{src}`")
            root = root or kind == "root"
            if len(sources) == 1 and "$" not in src and not _GLOB.search(value):
                p = value
                while p.startswith("./"):
                    p = p[2:]
                p = p.rstrip("/")
                if p.endswith("/."):
                    p = p[:-2]
                prefix = "" if p in ("", ".") else p + "/"
        elif dest is not None:
            base = posixpath.basename(value.rstrip("/"))
            target = posixpath.join(dest, base) if dest_is_dir else dest
            files.append((base, target))
    label = None
    if broad:
        label = "in the build context" if root else " or ".join(broad)
    return _Copy(ins, dest, label, root, prefix, files)


def _provided(copies, broad, pattern: str, cwd: str) -> bool:
    """An earlier specific COPY (before the broad one) already brings `pattern` into `cwd`."""
    target = posixpath.join(cwd, pattern)
    for c in copies:
        if c is broad:
            break
        for base, path in c.files:
            if posixpath.dirname(path) == cwd and (fnmatch.fnmatchcase(posixpath.basename(target), base)
                                                  or fnmatch.fnmatchcase(base, posixpath.basename(target))):
                return True
    return False


def _names(items) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _keyword(written: str) -> str:
    if written.islower():
        return "copy"
    if written.isupper():
        return "COPY"
    return "Copy"


def _companion(call, found) -> bool:
    inst = next((i for i in found if i.call is call), None)
    if inst is not None:
        return inst.kind == "free"
    if call.basename == "corepack":
        return True
    ops = call.positional
    return call.basename in _CONFIG and bool(ops) and ops[0].value == "config"


@register
class CopyContextBeforeInstall(Rule):
    """A dependency install runs after a broad COPY of the build context.

    Reports a dependency install that needs only manifest files when an
    earlier COPY or ADD of the same stage copies the whole build context
    (`.`, `./`, `*`) or a directory or glob holding the manifests. The installs
    recognised, with the manifests they read: `pip install -r FILE` (and
    `uv pip install -r`, `uv pip sync`), `uv sync`, `poetry install`, `pipenv
    install`/`sync` (pyproject.toml, uv.lock, poetry.lock, Pipfile,
    Pipfile.lock), `npm ci`/`npm install`, `yarn`, `pnpm install`/`fetch`, `bun
    install` (package.json and the lock file), `go mod download` (go.mod,
    go.sum), `cargo fetch` (Cargo.toml, Cargo.lock), `bundle install` (Gemfile,
    Gemfile.lock), `composer install` (composer.json, composer.lock), `mvn
    dependency:go-offline` (pom.xml) and `gradle dependencies`. Builds that also
    download every dependency (`uv sync` and `poetry install` that install the
    project, `cargo build`, `mvn package`, `gradle build`) are reported too,
    with the dependency-only command to run first, unless the stage already
    ran one or the RUN has a cache mount.

    Silent when the install needs source files (`pip install .`, `-e`), when it
    is pointed at another directory (`npm --prefix`, `go -C`, `mvn -f` ...), and
    when a variable without a known value hides a path. A copy of a narrower
    directory or glob counts only when the manifests lie under its destination.

    The message names the manifest files to copy first. It explains that
    BuildKit computes the cache key of every later layer from the layers
    before it, so a change to any copied file makes the install run again.

    ## Why is this bad?
    After `COPY . .`, the next layer's cache key depends on the checksum of
    every file in the context: editing one line of source code makes the
    install run again, downloading and installing every dependency on each
    build. Copying the manifests first and installing before the rest keeps
    the install cached until the dependencies change.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY requirements.txt ./
    RUN pip install --no-cache-dir -r requirements.txt
    COPY . .
    ```

    ## Fix
    When the install RUN directly follows a single-source broad COPY whose
    destination is the install's working directory, and the RUN holds only
    dependency installs (and commands needing nothing from the context, such
    as `pip install --upgrade pip` or `npm config`), the fix inserts
    `COPY <manifests> <dest>` before the broad COPY and moves the RUN (with
    its comments) between the two. Manifests that may be missing are copied
    with a glob (`poetry.lock*`) so that the COPY cannot fail. Unsafe: the
    install may need more than the manifests (a `-r` include, a local path
    dependency, `postinstall` scripts, `.npmrc`, workspace members), and files
    the broad COPY brings later (a `node_modules` not excluded by
    .dockerignore) now overwrite what the install produced.
    """

    code = "LL2001"
    name = "copy-context-before-install"
    groups = ("cache", "packages")
    severity = "warning"
    fixable = "sometimes"
    visits = ("COPY", "ADD", "RUN")

    def check(self, ins, ctx):
        if ctx.stage is None:
            return
        st = ctx.stage_state(self)
        copies = st.setdefault("copies", [])
        families = st.setdefault("families", set())
        if ins.keyword in ("COPY", "ADD"):
            info = _copy_info(ins, ctx)
            if info is not None:
                copies.append(info)
            return
        # A Gradle/Maven run before a broad COPY is the project's own dependency step
        # (`./gradlew downloadRepos`), whatever its task is called: remember where it ran.
        prefetched = st.setdefault("prefetched", [])
        for program in programs(ins, ctx.model) or ():
            family = _BUILD_TOOLS.get(program.basename)
            if family:
                prefetched.append((family, len(copies)))
        found = installs(ins, ctx)
        if not found:
            return
        cwds = program_cwds(ins, ctx)
        has_cache_mount = any(m.type == "cache" for m in ins.mounts)
        here = {i.family for i in found if i.kind == "deps"}  # `uv sync --no-install-project && uv sync`
        reports = []
        for inst in found:
            if inst.kind not in ("deps", "build") or inst.elsewhere:
                continue
            cwd = cwds.get(id(inst.call))
            if cwd is None:
                continue
            if inst.kind == "build" and (has_cache_mount or inst.family in families or inst.family in here):
                continue
            probes = [p for p in (resolve(x, cwd) for x in inst.probes) if p is not None]
            if not probes:
                continue
            broad = None
            for c in reversed(copies):
                if c.broad and c.dest is not None and (c.root or any(under(p, c.dest) for p in probes)):
                    broad = c
                    break
            if broad is None:
                continue
            at = copies.index(broad)
            if inst.kind == "build" and any(f == inst.family and n <= at for f, n in prefetched):
                continue
            reports.append((inst, broad, cwd))
        for inst in found:
            if inst.kind == "deps":
                families.add(inst.family)
        if not reports:
            return
        fix = self._fix(ins, ctx, found, reports, copies)
        for k, (inst, broad, cwd) in enumerate(reports):
            line = broad.ins.range.start.line + 1
            copied = f"`{broad.ins.instruction} {' '.join(broad.ins.value)}`"
            what = f"a change to any file {broad.broad}"
            if inst.kind == "build":
                message = (f"`{inst.tool}` runs after {copied} (line {line}), so {what} changes its cache key and "
                           f"every dependency is downloaded again; copy {_names(inst.manifests)} first and fetch "
                           f"the dependencies with {inst.hint} before copying the rest")
            elif all(_provided(copies, broad, p, cwd) for p in inst.copy) and inst.copy:
                message = (f"`{inst.tool}` runs after {copied} (line {line}), so {what} changes its cache key and "
                           f"every dependency is installed again; run it before that COPY, right after the COPY of "
                           f"{_names(inst.manifests)}")
            else:
                message = (f"`{inst.tool}` runs after {copied} (line {line}), so {what} changes its cache key and "
                           f"every dependency is installed again; copy {_names(inst.manifests)} first and install "
                           f"before copying the rest")
            ctx.report(self, inst.range, message, fix=fix if k == 0 else None)

    def _fix(self, ins, ctx, found, reports, copies):
        broad = reports[0][1]
        b = broad.ins
        if any(r[1] is not broad for r in reports) or broad.prefix is None or b.json or ins.parent is not None:
            return None
        stage = ctx.stage
        pos = next((i for i, x in enumerate(stage.instructions) if x is ins), None)
        if pos is None or pos == 0 or stage.instructions[pos - 1] is not b:
            return None
        if any(f.name not in _KEPT_FLAGS for f in b.flag_nodes):
            return None
        reported = {id(r[0].call) for r in reports}
        for call in calls(ins, ctx) or ():
            if id(call) in reported or _companion(call, found):
                continue
            return None
        patterns = []
        for inst, _, cwd in reports:
            if inst.kind != "deps" or not inst.fixable or cwd != broad.dest:
                return None
            for p in inst.copy:
                if "/" in p or "$" in p or " " in p:
                    return None
                if p not in patterns and not _provided(copies, broad, p, cwd):
                    patterns.append(p)
        lines = ctx.dockerfile.lines
        run_first = ins.comments[0].range.start.line if ins.comments else ins.range.start.line
        run_last = ins.range.end.line
        copy_first = b.comments[0].range.start.line if b.comments else b.range.start.line
        if run_first <= b.range.end.line:
            return None
        nl = "\r\n" if "\r\n" in ctx.dockerfile.text else "\n"
        moved = nl.join(lines[run_first:run_last + 1]) + nl
        text = moved
        if patterns:
            line = lines[b.range.start.line]
            indent = line[:len(line) - len(line.lstrip())]
            dest = b.words[-1].text
            several = len(patterns) > 1 or any(_GLOB.search(p) for p in patterns)
            if dest == ".":
                dest = "./" if several else "."
            elif not dest.endswith("/"):
                dest += "/"
            flags = "".join(f.raw + " " for f in b.flag_nodes)
            sources = " ".join(broad.prefix + p for p in patterns)
            text = f"{indent}{_keyword(b.instruction)} {flags}{sources} {dest}{nl}" + moved
        start = Pos(copy_first, 0)
        return Fix((Edit(Range(start, start), text),
                    Edit(Range(Pos(run_first, 0), Pos(run_last + 1, 0)), "")),
                   safe=False, title="Copy the manifests and install before copying the context")
