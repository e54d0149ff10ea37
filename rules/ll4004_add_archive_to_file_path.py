import posixpath

from layerlint.rule import Edit, Fix, Rule, register
from layerlint.rules._build_context import expand, is_remote, keyword_like, operands
from layerlint.patterns import lazy_pattern

# tarballs, plain or compressed as BuildKit detects them (gzip, bzip2, xz, zstd)
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".taz", ".tar.bz2", ".tbz2", ".tbz", ".tb2", ".tar.xz", ".txz",
                ".tar.zst", ".tzst", ".tar.zstd")
_EXTENSION = lazy_pattern(r"^[A-Za-z][A-Za-z0-9]{0,5}$")
_DIRECTORY_SUFFIXES = frozenset({"d"})  # conf.d, sites.d
_ADD_ONLY_FLAGS = ("checksum", "keep-git-dir", "unpack")
_FALSE = ("0", "f", "false")


def _unpack(ins) -> bool | None:
    flag = ins.flag("unpack")
    if flag is None:
        return None
    return flag.value is None or flag.value.strip().lower() not in _FALSE


def _looks_like_file(dest: str) -> bool:
    if dest.endswith("/") or "\\" in dest:
        return False
    base = posixpath.basename(dest)
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem or base in (".", ".."):
        return False
    return bool(_EXTENSION.match(ext)) and ext.lower() not in _DIRECTORY_SUFFIXES


@register
class AddArchiveToFilePath(Rule):
    """ADD of a local tar archive names a file path as its destination.

    Reports `ADD app.tar.gz /tmp/app.tar.gz`: one local source whose name
    ends in a tarball suffix (`.tar`, `.tar.gz`, `.tgz`, `.tar.bz2`, `.tbz2`,
    `.tar.xz`, `.txz`, `.tar.zst`, ..., compared case-insensitively) and a
    destination without a trailing `/` whose last component has a file
    extension (letters and digits after a dot, starting with a letter: not
    the `3.12` of `python3.12`, nor `conf.d`). A URL source with
    `--unpack=true` is checked too; `--unpack=false` turns extraction off and
    is fine. Sources and destinations with a variable without a known value
    are skipped. ONBUILD triggers are checked too.

    ## Why is this bad?
    ADD extracts a local tar archive instead of copying it: the destination
    becomes a directory holding the archive's files. A later
    `RUN tar -xzf /tmp/app.tar.gz` or `RUN sha256sum -c` then fails, since
    `/tmp/app.tar.gz` is a directory. COPY keeps the archive packed; ADD
    into a directory path (`/opt/app/`) says what actually happens.

    ## Example
    ```dockerfile
    FROM debian:12-slim
    ADD app.tar.gz /tmp/app.tar.gz
    RUN tar -xzf /tmp/app.tar.gz -C /opt
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12-slim
    ADD app.tar.gz /opt/
    ```

    ## Fix
    Replaces ADD with COPY, which copies the archive as a file to the
    destination, when the source is local and no ADD-only flag (`--checksum`,
    `--keep-git-dir`, `--unpack`) is used. Unsafe: the image then holds the
    packed archive instead of its extracted files, which is only right when
    the archive should stay packed.
    """

    code = "LL4004"
    name = "add-archive-to-file-path"
    groups = ("copy",)
    severity = "warning"
    fixable = "sometimes"
    visits = ("ADD",)
    onbuild = True

    def check(self, ins, ctx):
        ops = operands(ins)
        if ops is None or len(ops[0]) != 1:
            return
        (_, src_text), (dest_word, dest_text) = ops[0][0], ops[1]
        if not ins.json and src_text.startswith("<<") and ins.heredocs:
            return
        unpack = _unpack(ins)
        if unpack is False:
            return
        source = expand(src_text, ins, ctx, json=ins.json)
        dest = expand(dest_text, ins, ctx, json=ins.json)
        if not source or not dest:
            return
        remote = is_remote(source)
        if remote and not unpack:
            return
        name = source.split("?", 1)[0].split("#", 1)[0] if remote else source
        if not name.lower().endswith(TAR_SUFFIXES) or not _looks_like_file(dest):
            return
        fix = None
        if not remote and not any(ins.flag(f) is not None for f in _ADD_ONLY_FLAGS):
            fix = Fix((Edit(ins.keyword_range, keyword_like(ins.instruction, "COPY")),), safe=False,
                      title="Replace ADD with COPY to keep the archive packed")
        if remote:
            advice = "drop `--unpack=true` if the archive should stay packed, or use a destination ending in `/`"
            kind = "the remote archive"
        else:
            advice = "use COPY if the archive should stay packed, or a destination ending in `/`"
            kind = "the local archive"
        ctx.report(self, dest_word.range,
                   f"ADD extracts {kind} `{source}`, so `{dest}` becomes a directory holding its files, not the "
                   f"archive; {advice}", fix=fix)
