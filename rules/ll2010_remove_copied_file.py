from layerlint.rule import Rule, register
from layerlint.rules._copied_paths import absolute, copied_regions
from layerlint.shell import programs


@register
class RemoveCopiedFile(Rule):
    """`RUN rm` deletes files that an earlier COPY or ADD of the same stage added.

    Reported on `rm` when one of its paths is a file an earlier COPY/ADD wrote,
    a directory containing one, or a path inside a directory whose contents were
    copied (`COPY . /app` then `rm -rf /app/tests`). Paths are resolved against
    WORKDIR; paths with variables or globs are skipped.

    ## Why is this bad?
    Every instruction adds a layer on top of the previous ones: the deleted file
    is still stored in the COPY/ADD layer, so the image is exactly as large as
    before (and a secret copied that way can still be read from the image).

    ## Example
    ```dockerfile
    FROM alpine:3.20
    ADD --checksum=sha256:1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988 https://example.com/tool-1.2.tar.gz /tmp/
    RUN tar -xzf /tmp/tool-1.2.tar.gz -C /opt && rm /tmp/tool-1.2.tar.gz
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    ADD --checksum=sha256:1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988 https://example.com/tool-1.2.tar.gz /opt/
    ```
    """

    code = "LL2010"
    name = "remove-copied-file"
    groups = ("cache", "copy")
    severity = "info"  # common and usually small (a copied script removed after use); a secret is the bad case
    visits = ("COPY", "ADD", "RUN")

    def check(self, ins, ctx):
        if ctx.stage is None:
            return
        regions = copied_regions(self, ins, ctx)
        if ins.keyword != "RUN" or not regions:
            return
        workdir = ctx.model.workdir_at.get(id(ins))
        for program in programs(ins, ctx.model) or ():
            if program.basename != "rm":
                continue
            for word in program.positional:
                if any(c in word.value for c in "*?["):
                    continue
                target = absolute(word.value, workdir)
                if target is None or target == "/":
                    continue
                if any(target == path or path.startswith(target.rstrip("/") + "/")
                       or (is_dir and target.startswith(path.rstrip("/") + "/")) for path, is_dir in regions):
                    ctx.report(self, program.name.range,
                               f"`rm {word.value}` deletes what an earlier COPY/ADD added, but that layer still "
                               f"stores it: the image does not get smaller; fetch and delete in one RUN, exclude "
                               f"it with .dockerignore, or copy from a build stage")
                    break
