from layerlint.rule import Rule, register
from layerlint.rules._user_security import absolute, expand_text, is_under

DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock", "/var/run/docker", "/run/containerd/containerd.sock",
                  "/var/run/crio/crio.sock", "/run/podman/podman.sock")
KERNEL_FS = ("/proc", "/sys", "/dev")
SYSTEM_DIRS = ("/etc", "/root", "/boot", "/usr", "/bin", "/sbin", "/lib", "/lib64")


def volume_problem(path: str) -> str | None:
    if path == "/":
        return "Docker cannot mount a volume on `/`, so containers from this image fail to start"
    if path in DOCKER_SOCKETS:
        return ("it is where the container runtime's socket gets bind-mounted, and whoever reaches that socket "
                "controls every container and, through them, the host as root")
    if any(is_under(path, k) for k in KERNEL_FS):
        return ("the runtime mounts its own kernel filesystem there; a volume hides it, or, bound from the host, "
                "exposes the host's kernel interfaces to the container")
    if path in SYSTEM_DIRS:
        return ("the volume is filled from the image once and then outlives it, so image updates never reach "
                "these system files and the container keeps them writable")
    return None


def workdir_problem(path: str) -> str | None:
    if path in DOCKER_SOCKETS:
        return "the runtime's socket is a file, not a directory, so the container cannot start in it"
    if any(is_under(path, k) for k in KERNEL_FS):
        return ("at run time the runtime mounts a fresh kernel filesystem over it, so whatever the build put "
                "there disappears and the process starts inside `/proc`, `/sys` or `/dev`")
    return None


@register
class SensitiveVolumeOrWorkdir(Rule):
    """VOLUME or WORKDIR on a system path: `/`, the Docker socket, `/proc`, `/sys`, `/dev`, `/etc`, ...

    VOLUME is reported (also in `ONBUILD VOLUME`, each path on its own word)
    when a path, after variable expansion, is `/`; a container runtime socket
    (`/var/run/docker.sock`, `/run/docker.sock`, containerd, CRI-O and Podman
    sockets); inside `/proc`, `/sys` or `/dev`; or one of `/etc`, `/root`,
    `/boot`, `/usr`, `/bin`, `/sbin`, `/lib`, `/lib64` itself. WORKDIR is
    reported inside `/proc`, `/sys` or `/dev` and on a runtime socket.
    `WORKDIR /`, `/root` or `/etc` are ordinary and not reported. Paths with
    variables without a value are skipped.

    ## Why is this bad?
    A VOLUME declares where the image expects outside storage. A runtime socket
    there asks operators to hand the container control of the host; a volume on
    `/proc`, `/sys` or `/dev` shadows or exposes kernel interfaces; a volume on a
    system directory freezes it outside the image's updates; and `/` cannot be
    mounted at all. A WORKDIR on a kernel filesystem is replaced at run time.

    ## Example
    ```dockerfile
    FROM docker:27-cli
    VOLUME /var/run/docker.sock
    ```

    ## Use instead
    ```dockerfile
    FROM docker:27-cli
    ENV DOCKER_HOST=tcp://docker:2376
    ```
    """

    code = "LL5012"
    name = "sensitive-volume-or-workdir"
    groups = ("security",)
    severity = "warning"
    visits = ("VOLUME", "WORKDIR")
    onbuild = True

    def check(self, ins, ctx):
        if not ins.value or len(ins.words) != len(ins.value):
            return
        if ins.keyword == "WORKDIR":
            value = expand_text(ins.value[0], ins, ctx)
            if not value or not value.startswith("/"):
                return
            path = absolute(value, None)
            problem = workdir_problem(path)
            if problem:
                ctx.report(self, ins.words[0].range, f"`WORKDIR {path}`: {problem}")
            return
        for word, raw in zip(ins.words, ins.value):
            value = expand_text(raw, ins, ctx)
            if not value or not value.startswith("/"):
                continue
            path = absolute(value, None)
            problem = volume_problem(path)
            if problem:
                ctx.report(self, word.range, f"`VOLUME {path}`: {problem}")
