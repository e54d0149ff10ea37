import os

from layerlint.rule import Rule, register
from layerlint.rules._user_security import (PRIVILEGE_DROPPERS, chain_instructions, entrypoint_drops_privileges,
                                          image_known, is_windows, root_image, runs_as_non_root, users_in_chain)
from layerlint.rules._stage_sources import from_range


def _drops_privileges(ins) -> bool:
    """An ENTRYPOINT/CMD that starts through gosu, su-exec, setpriv, ... (exec or shell form)."""
    words = ins.value if ins.json else (ins.value[0].split() if ins.value else [])
    return any(os.path.basename(w.strip("\"'")) in PRIVILEGE_DROPPERS for w in words)


@register
class FinalStageRunsAsRoot(Rule):
    """The image's final stage never sets USER, so its containers run as root.

    Looks at the last stage of the file (the image `docker build` produces by
    default) and the earlier stages it is built `FROM`. When none of them has a
    USER instruction, the container runs as the base image's default user,
    which for almost every image (all official distribution and language images,
    and `scratch`) is root. Reported on the final stage's FROM line. A `scratch`
    image with no CMD or ENTRYPOINT only carries files and is not reported.

    Not reported when the base image is known to run as a non-root user by
    default: a tag or name saying so (`:nonroot`, `-nonroot`, `-rootless`,
    `-chiseled`, `nginx-unprivileged`), Chainguard (`cgr.dev/`, `chainguard/`),
    Bitnami, Jupyter, Jenkins, Selenium, CircleCI and a few more listed in
    `_user_security.NON_ROOT_REPOSITORIES`; when the ENTRYPOINT or CMD starts the
    process through a privilege-dropping tool (`gosu`, `su-exec`, `setpriv`,
    `runuser`, `s6-setuidgid`, `chpst`, `su`); when the base is an official
    database or broker image whose own entrypoint switches to its service account
    (`postgres`, `redis`, `mysql`, `mariadb`, `mongo`, `rabbitmq`, ...) and no
    ENTRYPOINT replaces it; when the base image is given by a variable without a
    known value; and for Windows images. An explicit `USER root` as the last
    USER is DL3002's finding, not this rule's.

    Off by default, like hadolint's DL3057 (missing HEALTHCHECK): four out of
    five public Dockerfiles set no USER, many of them on purpose (build and CI
    images). Select it where images must run unprivileged.

    ## Why is this bad?
    A process running as root inside the container is root in the container's
    user namespace: a vulnerability in it can rewrite the whole filesystem,
    and it is one kernel or runtime bug away from root on the host. Kubernetes
    `runAsNonRoot` policies also refuse such images.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY app.py /app/
    CMD ["python", "/app/app.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    RUN useradd --system --uid 10001 app
    COPY app.py /app/
    USER 10001
    CMD ["python", "/app/app.py"]
    ```
    """

    code = "LL5001"
    name = "final-stage-runs-as-root"
    groups = ("user", "security")
    severity = "warning"
    enabled_by_default = False  # most Dockerfiles have no USER; opt in with `extend-select = ["LL5001"]`

    def file_end(self, ctx):
        stages = ctx.model.stages
        if not stages:
            return
        final = stages[-1]
        if users_in_chain(final) or is_windows(final):
            return
        image = root_image(final)
        if not image_known(image, ctx.model) or runs_as_non_root(image):
            return
        instructions = chain_instructions(final)
        starts = [i for i in instructions if i.keyword in ("ENTRYPOINT", "CMD")]
        if any(_drops_privileges(i) for i in starts):
            return
        if entrypoint_drops_privileges(image) and not any(i.keyword == "ENTRYPOINT" for i in instructions):
            return
        if image.is_scratch and not any(i.value and i.value != [""] for i in starts):
            return  # a `FROM scratch` image with nothing to run only carries files (LL3005's view)
        if image.is_scratch:
            runs = "as uid 0 (root), since `scratch` defines no user"
        else:
            runs = f"as the default user of `{image.resolved}`, which is root for nearly every image"
        ctx.report(self, from_range(final),
                   f"No USER is set in the final stage or the stages it is built on, so containers run {runs}")
