"""Dockerfile reference texts for hover and completion: every instruction, each flag per
instruction, the `RUN --mount` types and keys, the parser directives and BuildKit's
predefined ARGs.

Each entry is short Markdown (what it does, its syntax, a small example) with a link to
the Dockerfile reference on docs.docker.com. The facts follow BuildKit's frontend (see the
module docstring of `layerlint.parser` and `FLAG_SPECS` / `MOUNT_KEYS` there); the tests
check that every flag and mount key the parser accepts is documented here.
"""

from __future__ import annotations

from dataclasses import dataclass

REFERENCE_URL = "https://docs.docker.com/reference/dockerfile/"


@dataclass(frozen=True, slots=True)
class Doc:
    title: str  # as the user reads it: `RUN --mount`, `type=cache`, `# escape=`
    summary: str  # one sentence; also the `detail` of completion items
    syntax: str  # usage line(s), shown as a code block
    text: str  # Markdown: what it does, what to know
    example: str  # a small Dockerfile example
    anchor: str  # fragment of the Dockerfile reference page

    @property
    def url(self) -> str:
        return REFERENCE_URL + "#" + self.anchor

    def markdown(self) -> str:
        parts = [f"**{self.title}**: {self.summary}"]
        if self.syntax:
            parts.append(f"```dockerfile\n{self.syntax}\n```")
        if self.text:
            parts.append(self.text)
        if self.example:
            parts.append(f"Example:\n```dockerfile\n{self.example}\n```")
        parts.append(f"[Dockerfile reference]({self.url})")
        return "\n\n".join(parts)


# -- instructions -------------------------------------------------------------------------

INSTRUCTIONS: dict[str, Doc] = {d.title: d for d in (
    Doc("FROM", "starts a new build stage from a base image.",
        "FROM [--platform=<platform>] <image>[:<tag>|@<digest>] [AS <name>]",
        "Only `ARG` may come before the first `FROM`; those global ARGs can be used in `FROM` lines. "
        "`AS <name>` names the stage for later `FROM <name>`, `COPY --from=<name>` and "
        "`RUN --mount=from=<name>`. `scratch` is the empty image.",
        "FROM golang:1.22 AS build\nFROM alpine:3.20\nCOPY --from=build /out/app /usr/local/bin/app",
        "from"),
    Doc("RUN", "runs a command at build time and commits the result as a new layer.",
        "RUN [--mount=...] [--network=...] [--security=...] <command>\nRUN [\"executable\", \"param1\", \"param2\"]",
        "The shell form runs the command with the stage's `SHELL` (default `/bin/sh -c`); the exec form "
        "runs the executable directly, without a shell and without variable expansion. A heredoc "
        "(`RUN <<EOF`) passes a whole script. The step is cached by its command text, the ARGs of the "
        "stage and the layers before it.",
        "RUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n"
        " && rm -rf /var/lib/apt/lists/*",
        "run"),
    Doc("CMD", "sets the default command (or the default arguments of `ENTRYPOINT`) of the container.",
        "CMD [\"executable\", \"param1\"]\nCMD [\"param1\", \"param2\"]\nCMD command param1",
        "Nothing runs at build time. Only the last `CMD` of a stage takes effect; `docker run IMAGE ARGS` "
        "replaces it. Prefer the exec form: the shell form wraps the command in `/bin/sh -c`, which does "
        "not pass signals on.",
        "ENTRYPOINT [\"nginx\"]\nCMD [\"-g\", \"daemon off;\"]",
        "cmd"),
    Doc("LABEL", "adds metadata key-value pairs to the image.",
        "LABEL <key>=<value> [<key>=<value>...]",
        "Labels of the base image are inherited; a later value for the same key wins. Use double quotes "
        "for values with spaces or variables.",
        "LABEL org.opencontainers.image.source=\"https://github.com/example/app\" \\\n      version=\"1.0\"",
        "label"),
    Doc("MAINTAINER", "sets the author field of the image (deprecated).",
        "MAINTAINER <name>",
        "Deprecated: use the `org.opencontainers.image.authors` label instead.",
        "LABEL org.opencontainers.image.authors=\"team@example.com\"",
        "maintainer-deprecated"),
    Doc("EXPOSE", "documents the ports the container listens on.",
        "EXPOSE <port>[/<protocol>] [<port>[/<protocol>]...]",
        "The protocol is `tcp` (default) or `udp`. `EXPOSE` publishes nothing: `docker run -p` or `-P` "
        "does.",
        "EXPOSE 8080\nEXPOSE 53/udp",
        "expose"),
    Doc("ENV", "sets environment variables for the later instructions of the stage and the running container.",
        "ENV <key>=<value> [<key>=<value>...]",
        "Values are expanded with the variables in scope before the instruction (`ENV A=1 B=$A` uses the "
        "previous `A`). ENV is persisted in the image and inherited by stages built `FROM` this one; for "
        "build-only values use `ARG` or set the variable in the `RUN` command. The legacy form "
        "`ENV key value` is discouraged.",
        "ENV APP_HOME=/app \\\n    PATH=\"/app/bin:$PATH\"",
        "env"),
    Doc("ADD", "adds files from the build context, a URL or a Git repository; extracts local tar archives.",
        "ADD [--chown=...] [--chmod=...] [--checksum=...] [--link] <src>... <dest>\nADD [\"<src>\", ... \"<dest>\"]",
        "Prefer `COPY` for local files: `ADD` also downloads URLs, clones Git repositories "
        "(`--keep-git-dir`) and unpacks local archives (`--unpack`). Pin remote sources with `--checksum`.",
        "ADD https://github.com/moby/buildkit.git#v0.13.1 /buildkit\nADD vendor.tar.gz /opt/vendor/",
        "add"),
    Doc("COPY", "copies files from the build context, a build stage or an image into the image.",
        "COPY [--from=...] [--chown=...] [--chmod=...] [--link] [--parents] [--exclude=...] <src>... <dest>\n"
        "COPY [\"<src>\", ... \"<dest>\"]",
        "Sources are relative to the build context (or to the root of the `--from` stage or image) and may "
        "use wildcards; a relative destination is relative to `WORKDIR`. With several sources the "
        "destination must end with `/`. A heredoc (`COPY <<EOF /path`) writes inline content.",
        "COPY package.json package-lock.json ./\nCOPY --from=build /out/app /usr/local/bin/app",
        "copy"),
    Doc("ENTRYPOINT", "sets the executable the container runs.",
        "ENTRYPOINT [\"executable\", \"param1\"]\nENTRYPOINT command param1",
        "In exec form, `CMD` and the arguments of `docker run IMAGE ARGS` are appended to it. The shell "
        "form ignores `CMD` and runs under `/bin/sh -c`, so the process does not receive `docker stop`'s "
        "signal. Only the last `ENTRYPOINT` of a stage takes effect.",
        "ENTRYPOINT [\"/usr/local/bin/app\"]\nCMD [\"--port\", \"8080\"]",
        "entrypoint"),
    Doc("VOLUME", "declares mount points for externally mounted volumes.",
        "VOLUME [\"/data\"]\nVOLUME /data /logs",
        "A container gets an anonymous volume at each path unless one is mounted there.",
        "VOLUME /var/lib/postgresql/data",
        "volume"),
    Doc("USER", "sets the user (and group) for the later instructions and the running container.",
        "USER <user>[:<group>]\nUSER <UID>[:<GID>]",
        "Applies to later `RUN`, `CMD` and `ENTRYPOINT`. A numeric UID works even without an "
        "`/etc/passwd` entry and lets Kubernetes check `runAsNonRoot`.",
        "RUN useradd --no-log-init --uid 10001 app\nUSER 10001",
        "user"),
    Doc("WORKDIR", "sets the working directory for the later instructions of the stage.",
        "WORKDIR /path/to/workdir",
        "Used by later `RUN`, `CMD`, `ENTRYPOINT`, `COPY` and `ADD`; created when missing. A relative path "
        "is relative to the previous `WORKDIR`, so prefer absolute paths.",
        "WORKDIR /app\nCOPY . .",
        "workdir"),
    Doc("ARG", "declares a build argument, set with `docker build --build-arg <name>=<value>`.",
        "ARG <name>[=<default value>] [<name>[=<default value>]...]",
        "An `ARG` before the first `FROM` is global: usable in `FROM` lines, and inside a stage only after "
        "`ARG <name>` (without a value) redeclares it. Inside a stage it is visible from its declaration "
        "to the end of the stage. ARGs are not kept in the image's environment but are visible in its "
        "history: never pass secrets with them. A new value invalidates the cache of the later `RUN` "
        "steps of the stage.",
        "ARG NODE_VERSION=20\nFROM node:${NODE_VERSION}-alpine\nARG NODE_VERSION\nRUN echo \"node $NODE_VERSION\"",
        "arg"),
    Doc("ONBUILD", "registers an instruction that runs when another build uses this image as its base.",
        "ONBUILD <INSTRUCTION>",
        "The trigger runs in the child build, right after its `FROM`, with the child's context and "
        "variables. `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER` are not allowed.",
        "ONBUILD COPY . /app/src\nONBUILD RUN make -C /app/src",
        "onbuild"),
    Doc("STOPSIGNAL", "sets the signal sent to the container's main process to stop it.",
        "STOPSIGNAL <signal>",
        "A name (`SIGTERM`, `SIGQUIT`) or a number; the default is `SIGTERM`.",
        "STOPSIGNAL SIGQUIT",
        "stopsignal"),
    Doc("HEALTHCHECK", "tells Docker how to test that the container still works.",
        "HEALTHCHECK [--interval=30s] [--timeout=30s] [--start-period=0s] [--start-interval=5s] "
        "[--retries=3] CMD <command>\nHEALTHCHECK NONE",
        "Exit status 0 means healthy, 1 unhealthy. `HEALTHCHECK NONE` disables a check inherited from the "
        "base image. Only the last `HEALTHCHECK` of a stage takes effect.",
        "HEALTHCHECK --interval=30s --timeout=3s \\\n  CMD curl -fsS http://localhost:8080/health || exit 1",
        "healthcheck"),
    Doc("SHELL", "sets the shell used by the shell form of later `RUN`, `CMD` and `ENTRYPOINT`.",
        "SHELL [\"executable\", \"parameters\"]",
        "Must be written in exec (JSON) form. The default is `[\"/bin/sh\", \"-c\"]` on Linux and "
        "`[\"cmd\", \"/S\", \"/C\"]` on Windows.",
        "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://example.com | tar -xz",
        "shell"),
)}

# Instructions that may not follow ONBUILD.
NOT_TRIGGERS = ("ONBUILD", "FROM", "MAINTAINER")

# -- flags --------------------------------------------------------------------------------

_CHOWN_TEXT = ("A user and optional group, by name or numeric id; names are looked up in the stage's "
               "`/etc/passwd` and `/etc/group` (use numeric ids with `--link`). Without it files belong "
               "to root. Not supported for Windows containers.")
_CHMOD_TEXT = "Octal (`755`, `644`) or, since Dockerfile 1.14, symbolic (`+x`, `u=rwX,go=rX`) permissions."
_LINK_TEXT = ("Copies into an empty directory that becomes an independent layer, linked on top of the "
              "previous state: the layer is not invalidated when earlier layers change and can be reused "
              "when the base image changes.")
_EXCLUDE_TEXT = ("A path pattern (Go `filepath.Match` wildcards, like the sources) of files to leave out; "
                 "may be repeated.")


def _flag(kw: str, name: str, summary: str, syntax: str, text: str, example: str, anchor: str) -> Doc:
    return Doc(f"{kw} --{name}", summary, syntax, text, example, anchor)


FLAGS: dict[str, dict[str, Doc]] = {
    "FROM": {
        "platform": _flag(
            "FROM", "platform", "selects the platform of a multi-platform base image.",
            "FROM --platform=<os>/<arch>[/<variant>] <image>",
            "May use global ARGs and BuildKit's automatic platform ARGs (`$BUILDPLATFORM`, "
            "`$TARGETPLATFORM`, ...). `--platform=$BUILDPLATFORM` runs a stage natively to cross-compile; "
            "`--platform=$TARGETPLATFORM` is the default and redundant; a constant value is usually a "
            "mistake (FromPlatformFlagConstDisallowed).",
            "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETOS TARGETARCH\n"
            "RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .",
            "from"),
    },
    "RUN": {
        "mount": _flag(
            "RUN", "mount", "mounts a filesystem into the build container for this command only.",
            "RUN --mount=[type=<TYPE>][,<option>=<value>...] <command>",
            "Types: `bind` (default; files of the context, a stage or an image, read-only), `cache` "
            "(a persistent cache directory for package managers and compilers), `tmpfs`, `secret` "
            "(a secret file or variable, never stored in the image) and `ssh` (the SSH agent). "
            "May be repeated. Option values may use variables, except `from`.",
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n    --mount=type=bind,source=requirements.txt,"
            "target=/tmp/requirements.txt \\\n    pip install -r /tmp/requirements.txt",
            "run---mount"),
        "network": _flag(
            "RUN", "network", "chooses the network the command runs in: `default`, `none` or `host`.",
            "RUN --network=default|none|host <command>",
            "`none` runs without network access (proves a step needs no downloads); `host` uses the "
            "host's network and needs the `network.host` entitlement (`--allow network.host`).",
            "RUN --network=none pip install --no-index --find-links=/wheels app",
            "run---network"),
        "security": _flag(
            "RUN", "security", "runs the command in the default `sandbox` or `insecure` (privileged) mode.",
            "RUN --security=sandbox|insecure <command>",
            "`insecure` runs without the sandbox, like `docker run --privileged`; it needs the "
            "`security.insecure` entitlement (`--allow security.insecure`).",
            "RUN --security=insecure mount -t tmpfs none /mnt",
            "run---security"),
        "device": _flag(
            "RUN", "device", "gives the command access to a CDI device (for example a GPU).",
            "RUN --device=<name>[,required] <command>",
            "Accepted by the parser but usable only with the `docker/dockerfile:1-labs` frontend; the "
            "builder must allow the device. May be repeated.",
            "# syntax=docker/dockerfile:1-labs\nRUN --device=nvidia.com/gpu=all nvidia-smi",
            "run---device"),
    },
    "COPY": {
        "from": _flag(
            "COPY", "from", "copies from a build stage, an image or a named build context instead of the context.",
            "COPY --from=<stage|index|image|context> <src>... <dest>",
            "Sources are resolved from the root of that stage or image. The value is not variable-expanded: "
            "to choose an image with an ARG, make a stage `FROM ${IMAGE} AS src` and copy from it.",
            "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM alpine:3.20\n"
            "COPY --from=build /out/app /usr/local/bin/app",
            "copy---from"),
        "chown": _flag("COPY", "chown", "sets the owner of the copied files.",
                       "COPY --chown=<user>[:<group>] <src>... <dest>", _CHOWN_TEXT,
                       "COPY --chown=10001:10001 app/ /app/", "copy---chown"),
        "chmod": _flag("COPY", "chmod", "sets the permissions of the copied files.",
                       "COPY --chmod=<perms> <src>... <dest>", _CHMOD_TEXT,
                       "COPY --chmod=755 entrypoint.sh /usr/local/bin/", "copy---chmod"),
        "link": _flag("COPY", "link", "copies into an independent layer.",
                      "COPY --link[=<boolean>] <src>... <dest>", _LINK_TEXT,
                      "COPY --link --from=build /out/app /usr/local/bin/app", "copy---link"),
        "parents": _flag(
            "COPY", "parents", "keeps the parent directories of the sources under the destination.",
            "COPY --parents[=<boolean>] <src>... <dest>",
            "`./x/a.txt` lands in `<dest>/x/a.txt`. A `./` inside a source path marks where the kept part "
            "starts; `**` matches any number of directories.",
            "COPY --parents ./services/*/package.json /app/", "copy---parents"),
        "exclude": _flag("COPY", "exclude", "leaves out the files matching a pattern.",
                         "COPY --exclude=<pattern> <src>... <dest>", _EXCLUDE_TEXT,
                         "COPY --exclude=*.md --exclude=tests/ . /app/", "copy---exclude"),
    },
    "ADD": {
        "chown": _flag("ADD", "chown", "sets the owner of the added files.",
                       "ADD --chown=<user>[:<group>] <src>... <dest>", _CHOWN_TEXT,
                       "ADD --chown=10001:10001 files/ /app/", "add---chown"),
        "chmod": _flag("ADD", "chmod", "sets the permissions of the added files.",
                       "ADD --chmod=<perms> <src>... <dest>", _CHMOD_TEXT,
                       "ADD --chmod=755 https://example.com/tool /usr/local/bin/tool", "add---chmod"),
        "link": _flag("ADD", "link", "adds into an independent layer.",
                      "ADD --link[=<boolean>] <src>... <dest>", _LINK_TEXT,
                      "ADD --link https://example.com/data.json /data/", "add---link"),
        "keep-git-dir": _flag(
            "ADD", "keep-git-dir", "keeps the `.git` directory when adding a Git repository.",
            "ADD --keep-git-dir[=<boolean>] <git ref> <dest>",
            "By default the `.git` directory of a cloned repository is left out.",
            "ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.13.1 /buildkit",
            "add---keep-git-dir"),
        "checksum": _flag(
            "ADD", "checksum", "verifies the checksum of a remote source.",
            "ADD --checksum=sha256:<hash> <url> <dest>",
            "The build fails when the downloaded content does not match, so the source cannot change "
            "unnoticed.",
            "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \\\n"
            "    https://mirrors.edge.kernel.org/pub/linux/kernel/Historic/linux-0.01.tar.gz /",
            "add---checksum"),
        "unpack": _flag(
            "ADD", "unpack", "chooses whether an archive source is extracted (Dockerfile 1.17).",
            "ADD --unpack[=<boolean>] <src>... <dest>",
            "Local tar archives are extracted by default and remote ones are not; `--unpack=true` "
            "extracts a downloaded archive, `--unpack=false` copies a local archive as a file.",
            "ADD --unpack=true https://example.com/release.tar.gz /opt/app/",
            "add---unpack"),
        "exclude": _flag("ADD", "exclude", "leaves out the files matching a pattern.",
                         "ADD --exclude=<pattern> <src>... <dest>", _EXCLUDE_TEXT,
                         "ADD --exclude=*.txt files/ /data/", "add---exclude"),
    },
    "HEALTHCHECK": {
        "interval": _flag("HEALTHCHECK", "interval", "time between two checks (default `30s`).",
                          "HEALTHCHECK --interval=<duration> CMD <command>",
                          "A Go duration such as `30s`, `1m30s` or `500ms`.",
                          "HEALTHCHECK --interval=1m CMD /app/healthcheck", "healthcheck"),
        "timeout": _flag("HEALTHCHECK", "timeout",
                         "time after which a running check counts as failed (default `30s`).",
                         "HEALTHCHECK --timeout=<duration> CMD <command>",
                         "A Go duration such as `3s`.",
                         "HEALTHCHECK --timeout=3s CMD /app/healthcheck", "healthcheck"),
        "start-period": _flag(
            "HEALTHCHECK", "start-period", "start-up time during which failures do not count (default `0s`).",
            "HEALTHCHECK --start-period=<duration> CMD <command>",
            "A successful check during the start period marks the container healthy at once.",
            "HEALTHCHECK --start-period=1m CMD /app/healthcheck", "healthcheck"),
        "start-interval": _flag(
            "HEALTHCHECK", "start-interval", "time between checks during the start period (default `5s`).",
            "HEALTHCHECK --start-interval=<duration> CMD <command>",
            "Needs Docker Engine 25 or newer.",
            "HEALTHCHECK --start-period=1m --start-interval=2s CMD /app/healthcheck", "healthcheck"),
        "retries": _flag("HEALTHCHECK", "retries",
                         "consecutive failures before the container is unhealthy (default `3`).",
                         "HEALTHCHECK --retries=<n> CMD <command>",
                         "A non-negative integer.",
                         "HEALTHCHECK --retries=5 CMD /app/healthcheck", "healthcheck"),
    },
}

# Values a flag takes from a fixed set (completion).
FLAG_VALUES: dict[str, tuple[str, ...]] = {
    "network": ("default", "none", "host"),
    "security": ("sandbox", "insecure"),
    "link": ("true", "false"),
    "parents": ("true", "false"),
    "keep-git-dir": ("true", "false"),
    "unpack": ("true", "false"),
}

PLATFORMS = ("$BUILDPLATFORM", "$TARGETPLATFORM", "linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6",
             "linux/386", "linux/ppc64le", "linux/s390x", "linux/riscv64", "windows/amd64")

# -- RUN --mount ----------------------------------------------------------------------------

MOUNT_TYPES: dict[str, Doc] = {d.title.removeprefix("type="): d for d in (
    Doc("type=bind", "mounts files of the build context, a stage or an image (the default type).",
        "RUN --mount=type=bind,target=<path>[,source=<path>][,from=<stage|image>][,rw]",
        "Read-only unless `rw` is given; writes are discarded after the command. Nothing is copied "
        "into a layer.",
        "RUN --mount=type=bind,source=go.sum,target=go.sum \\\n    --mount=type=bind,source=go.mod,target=go.mod \\\n"
        "    go mod download",
        "run---mounttypebind"),
    Doc("type=cache", "mounts a cache directory that persists between builds.",
        "RUN --mount=type=cache,target=<path>[,id=<id>][,sharing=shared|private|locked]",
        "For package manager and compiler caches. Its content does not invalidate the step's cache and "
        "is never part of the image; the build must work with an empty cache.",
        "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
        "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n    apt-get update && apt-get install -y gcc",
        "run---mounttypecache"),
    Doc("type=tmpfs", "mounts an in-memory `tmpfs` file system.",
        "RUN --mount=type=tmpfs,target=<path>[,size=<bytes>]",
        "Its content is discarded after the command.",
        "RUN --mount=type=tmpfs,target=/tmp make test",
        "run---mounttypetmpfs"),
    Doc("type=secret", "gives the command a secret without storing it in the image or its cache.",
        "RUN --mount=type=secret,id=<id>[,target=<path>|,env=<VAR>][,required]",
        "The secret is passed with `docker build --secret id=<id>,src=<file>` and mounted as a file "
        "(default `/run/secrets/<id>`) or, with `env`, as an environment variable. At least one of "
        "`id`, `source` or `target` is needed.",
        "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci",
        "run---mounttypesecret"),
    Doc("type=ssh", "gives the command access to the SSH agent or keys of the client.",
        "RUN --mount=type=ssh[,id=<id>][,required]",
        "Pass the agent with `docker build --ssh default=$SSH_AUTH_SOCK`; the socket is mounted at "
        "`/run/buildkit/ssh_agent.N` and `SSH_AUTH_SOCK` points to it.",
        "RUN --mount=type=ssh git clone git@github.com:example/private.git",
        "run---mounttypessh"),
)}

_MOUNT_KEY_DOCS = (
    Doc("type", "the mount type: `bind` (default), `cache`, `tmpfs`, `secret` or `ssh`.", "", "",
        "RUN --mount=type=cache,target=/root/.cache/go-build go build ./...", "run---mount"),
    Doc("target", "the mount path inside the build container (aliases `dst`, `destination`).", "",
        "Required for `bind` and `cache`. A `secret` defaults to `/run/secrets/<id>`, an `ssh` socket to "
        "`/run/buildkit/ssh_agent.N`.",
        "RUN --mount=type=cache,target=/root/.npm npm ci", "run---mount"),
    Doc("source", "the path inside `from` to mount (alias `src`); defaults to its root.", "",
        "For `bind` (default source: the build context) and `cache`; a `secret` also accepts it as the "
        "secret's id.",
        "RUN --mount=type=bind,source=requirements.txt,target=/tmp/req.txt pip install -r /tmp/req.txt",
        "run---mounttypebind"),
    Doc("from", "the stage, image or named context used as the root of `source`.", "",
        "`bind` defaults to the build context, `cache` to an empty directory. Not variable-expanded.",
        "RUN --mount=type=bind,from=build,source=/out,target=/dist ls /dist", "run---mounttypebind"),
    Doc("readonly", "mounts read-only (alias `ro`; may be given without a value).", "",
        "For `cache` mounts; `bind` mounts are read-only already.",
        "RUN --mount=type=cache,target=/cache,ro ls /cache", "run---mounttypecache"),
    Doc("readwrite", "allows writes to a `bind` mount (alias `rw`); they are discarded after the command.", "",
        "", "RUN --mount=type=bind,target=/src,rw make -C /src", "run---mounttypebind"),
    Doc("id", "identifies the cache, secret or SSH agent.", "",
        "`cache`: separates caches (default: the target path); `secret`: the id given to "
        "`docker build --secret` (default: the target's base name); `ssh`: the id given to "
        "`docker build --ssh` (default `default`).",
        "RUN --mount=type=secret,id=aws,target=/root/.aws/credentials aws s3 ls", "run---mounttypesecret"),
    Doc("sharing", "how concurrent builds share a `cache` mount: `shared` (default), `private` or `locked`.", "",
        "`shared` allows several writers at once, `private` gives a new cache to the next writer, "
        "`locked` makes it wait. Package managers such as apt need `locked`.",
        "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update", "run---mounttypecache"),
    Doc("mode", "file mode in octal of a new cache directory (`0755`), secret file (`0400`) or SSH socket (`0600`).",
        "", "", "RUN --mount=type=secret,id=key,mode=0440,uid=10001 ./deploy.sh", "run---mounttypesecret"),
    Doc("uid", "user id owning a new cache directory, secret file or SSH socket (default `0`).", "", "",
        "RUN --mount=type=cache,target=/home/app/.cache,uid=10001 pip install .", "run---mounttypecache"),
    Doc("gid", "group id owning a new cache directory, secret file or SSH socket (default `0`).", "", "",
        "RUN --mount=type=cache,target=/home/app/.cache,uid=10001,gid=10001 pip install .", "run---mounttypecache"),
    Doc("required", "fails the build when the secret or SSH key is not provided (may be given without a value).",
        "", "The default is `false`: a missing secret or key is silently left out.",
        "RUN --mount=type=secret,id=token,required cat /run/secrets/token", "run---mounttypesecret"),
    Doc("env", "exposes a `secret` as this environment variable (Dockerfile 1.10).", "",
        "With `env` and no `target`, no secret file is mounted.",
        "RUN --mount=type=secret,id=API_KEY,env=API_KEY ./publish.sh", "run---mounttypesecret"),
    Doc("size", "the size limit of a `tmpfs` mount, in bytes.", "", "",
        "RUN --mount=type=tmpfs,target=/tmp,size=104857600 make test", "run---mounttypetmpfs"),
)
MOUNT_KEYS: dict[str, Doc] = {d.title: Doc(f"--mount {d.title}", d.summary, d.syntax, d.text, d.example, d.anchor)
                              for d in _MOUNT_KEY_DOCS}
MOUNT_KEY_ALIASES = {"dst": "target", "destination": "target", "src": "source", "ro": "readonly",
                     "rw": "readwrite"}

# Keys each mount type takes (BuildKit's documentation tables), canonical names first.
MOUNT_KEYS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "bind": ("target", "source", "from", "readwrite", "dst", "destination", "src", "rw"),
    "cache": ("target", "id", "sharing", "from", "source", "readonly", "mode", "uid", "gid", "dst", "destination",
              "src", "ro"),
    "tmpfs": ("target", "size", "dst", "destination"),
    "secret": ("id", "target", "env", "required", "mode", "uid", "gid", "dst", "destination"),
    "ssh": ("id", "target", "required", "mode", "uid", "gid", "dst", "destination"),
}
MOUNT_KEY_VALUES: dict[str, tuple[str, ...]] = {
    "type": tuple(MOUNT_TYPES),
    "sharing": ("shared", "private", "locked"),
    "readonly": ("true", "false"),
    "readwrite": ("true", "false"),
    "required": ("true", "false"),
}


def mount_key_doc(key: str) -> Doc | None:
    key = key.lower()
    return MOUNT_KEYS.get(MOUNT_KEY_ALIASES.get(key, key))


# -- parser directives ----------------------------------------------------------------------

DIRECTIVES: dict[str, Doc] = {d.title.strip("# ="): d for d in (
    Doc("# syntax=", "selects the Dockerfile frontend (syntax version) that builds this file.",
        "# syntax=docker/dockerfile:1",
        "Must be among the first lines, before any comment, blank line or instruction. "
        "`docker/dockerfile:1` follows the latest stable 1.x syntax.",
        "# syntax=docker/dockerfile:1\nFROM alpine:3.20", "syntax"),
    Doc("# escape=", "sets the escape and line-continuation character: `\\` (default) or `` ` ``.",
        "# escape=`",
        "A backtick suits Windows images, where `\\` is the path separator. Must be among the first lines.",
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir C:\\", "escape"),
    Doc("# check=", "configures BuildKit's build checks for this file.",
        "# check=skip=<checks|all>;error=<boolean>;experimental=<checks|all>",
        "`skip` turns checks off (names are case-sensitive, comma-separated), `error=true` fails the "
        "build on a check violation, `experimental` turns on experimental checks. Written above an "
        "instruction, `# check=skip=...` skips checks for that instruction only.",
        "# check=skip=JSONArgsRecommended,StageNameCasing;error=true", "check"),
)}
CHECK_KEYS = ("skip", "error", "experimental")
SYNTAX_VALUES = ("docker/dockerfile:1", "docker/dockerfile:1-labs")
ESCAPE_VALUES = ("\\", "`")

# -- predefined ARGs --------------------------------------------------------------------------

_PLATFORM_ARG_MEANING = {
    "BUILDPLATFORM": "platform of the node performing the build (`linux/amd64`)",
    "BUILDOS": "OS of the build platform (`linux`)",
    "BUILDOSVERSION": "OS version of the build platform (Windows)",
    "BUILDARCH": "architecture of the build platform (`amd64`)",
    "BUILDVARIANT": "variant of the build platform's architecture (`v7`)",
    "TARGETPLATFORM": "platform of the build result (`linux/arm64`)",
    "TARGETOS": "OS of the target platform (`linux`)",
    "TARGETOSVERSION": "OS version of the target platform (Windows)",
    "TARGETARCH": "architecture of the target platform (`arm64`)",
    "TARGETVARIANT": "variant of the target platform's architecture (`v7`)",
    "TARGETSTAGE": "name of the stage being built (the build target)",
}


def platform_arg_doc(name: str) -> str:
    return (f"BuildKit's automatic platform ARG: the {_PLATFORM_ARG_MEANING.get(name, 'build platform')}. "
            f"Defined in the global scope (FROM lines); inside a stage, declare `ARG {name}` first. "
            f"[Reference]({REFERENCE_URL}#automatic-platform-args-in-the-global-scope)")


PROXY_ARG_DOC = ("Predefined proxy ARG: usable without an `ARG` declaration when given with `--build-arg`, "
                 "and left out of `docker history`. "
                 f"[Reference]({REFERENCE_URL}#predefined-args)")

# -- completion snippets -------------------------------------------------------------------------

# Keyword -> snippet bodies (LSP snippet syntax), exec form where the instruction takes one.
SNIPPETS: dict[str, tuple[str, ...]] = {
    "FROM": ("FROM ${1:image}:${2:tag}", "FROM ${1:image}:${2:tag} AS ${3:name}"),
    "RUN": ("RUN ${1:command}",),
    "CMD": ('CMD ["${1:executable}", "${2:param}"]',),
    "LABEL": ("LABEL ${1:key}=\"${2:value}\"",),
    "MAINTAINER": ("MAINTAINER ${1:name}",),
    "EXPOSE": ("EXPOSE ${1:port}",),
    "ENV": ("ENV ${1:key}=${2:value}",),
    "ADD": ("ADD ${1:source} ${2:dest}",),
    "COPY": ("COPY ${1:source} ${2:dest}",),
    "ENTRYPOINT": ('ENTRYPOINT ["${1:executable}", "${2:param}"]',),
    "VOLUME": ('VOLUME ["${1:/data}"]',),
    "USER": ("USER ${1:user}",),
    "WORKDIR": ("WORKDIR ${1:/path}",),
    "ARG": ("ARG ${1:name}", "ARG ${1:name}=${2:default}"),
    "ONBUILD": ("ONBUILD ${1:INSTRUCTION}",),
    "STOPSIGNAL": ("STOPSIGNAL ${1:SIGTERM}",),
    "HEALTHCHECK": ("HEALTHCHECK --interval=${1:30s} --timeout=${2:3s} CMD ${3:command}", "HEALTHCHECK NONE"),
    "SHELL": ('SHELL ["${1:/bin/bash}", "${2:-c}"]',),
}
