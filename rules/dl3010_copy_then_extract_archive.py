import re

from layerlint.ast import Range
from layerlint.rule import Rule, register
from layerlint.shell import programs
from layerlint.shellwords import Lex, ShellLexError

# Names of tar archives ADD unpacks: plain, gzip, bzip2, xz and zstd compressed.
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".taz", ".tar.bz2", ".tbz2", ".tbz", ".tb2", ".tar.xz", ".txz",
                ".tar.zst", ".tzst")
# Programs that read a compressed archive to unpack it (hadolint's list, plus the zstd/xz/bzip2 cats).
DECOMPRESSORS = frozenset({"unzip", "gunzip", "bunzip2", "unlzma", "unxz", "zgz", "uncompress", "zcat", "gzcat",
                           "xzcat", "bzcat", "unzstd", "zstdcat"})
COMPRESSORS = frozenset({"gzip", "bzip2", "xz", "zstd"})  # with -d / --decompress


def _basename(path: str) -> str:
    return re.split(r"[/\\]", path.strip("\"'"))[-1]


def _is_tar(name: str) -> bool:
    return name.lower().endswith(TAR_SUFFIXES)


def _extracts(inv) -> bool:
    if inv.basename in ("tar", "bsdtar", "gtar"):
        if inv.has_long_flag("--extract", "--get") or inv.has_short_flag("x"):
            return True
        first = inv.args[0].value if inv.args else ""
        return not first.startswith("-") and "x" in first  # traditional bundled form: `tar xzf a.tgz`
    if inv.basename in DECOMPRESSORS:
        return True
    return inv.basename in COMPRESSORS and (inv.has_short_flag("d") or inv.has_long_flag("--decompress"))


@register
class CopyThenExtractArchive(Rule):
    """A tar archive is COPY-ed and later extracted in a RUN: ADD would do both.

    A COPY (not `COPY --from`) whose source, or whose destination file name,
    is a tar archive (`.tar`, `.tar.gz`, `.tgz`, `.tar.bz2`, `.tbz2`,
    `.tar.xz`, `.txz`, `.tar.zst`, ...) is reported, on the source, when a later
    RUN of the same stage or of a stage built on it (`FROM <stage>`) unpacks a
    file of that name: `tar -x`/`--extract`/`--get` (also the bundled form
    `tar xzf`), or a decompressor (`gunzip`, `zcat`, `unxz`, `gzip -d`, ...).
    Files are matched by base name, as in hadolint.

    Differences from hadolint: only tar archives count: a compressed single
    file (`data.csv.gz`, `dump.bz2`) is not unpacked by ADD, so copying and
    decompressing it is right (hadolint issue #332); `.lz`, `.lzma` and `.Z`
    tarballs are not counted either, since BuildKit does not unpack those
    compressions. Findings in every stage are reported (hadolint drops those of
    all stages but the last), an extraction in a child stage counts, `tar xf`
    without a dash counts, suffixes are compared case-insensitively, sources
    written with variables are expanded, and each archive gets its own finding.

    ## Why is this bad?
    COPY plus `tar -x` keeps the archive in a layer of the image (removing it in
    a later RUN does not shrink the image) and adds a step; ADD unpacks a local
    tar archive into the destination directly.

    ## Example
    ```dockerfile
    FROM debian:12.5
    COPY app.tar.gz /opt/
    RUN tar -xzf /opt/app.tar.gz -C /opt
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    ADD app.tar.gz /opt/
    ```
    """

    code = "DL3010"
    name = "copy-then-extract-archive"
    groups = ("copy",)
    severity = "info"
    visits = ("COPY", "RUN")

    def check(self, ins, ctx):
        stage = ctx.stage
        if stage is None:
            return
        if ins.keyword == "COPY":
            self._remember(ins, ctx)
            return
        invs = [inv for inv in programs(ins, ctx.model) or () if _extracts(inv)]
        if not invs:
            return
        names = {_basename(a.value) for inv in invs for a in inv.positional}
        names |= {_basename(a.value.split("=", 1)[1]) for inv in invs for a in inv.args
                  if a.value.startswith("--file=")}
        s = stage
        while s is not None:
            for entry in ctx.stage_state(self, s).get("archives", []):
                if entry["name"] in names:
                    entry["extracted"] = True
            s = s.parent

    def _remember(self, ins, ctx):
        if ins.flag("from") is not None or len(ins.words) < 2 or len(ins.words) != len(ins.value):
            return
        scope = ctx.model.scope_at.get(id(ins))
        env = scope.values() if scope else {}

        def value(i):
            text = ins.value[i]
            if ins.json or "$" not in text:
                return text
            try:
                return Lex(ctx.dockerfile.escape).process_word(text, env)
            except ShellLexError:
                return text

        sources = [i for i in range(len(ins.words) - 1) if not (ins.heredocs and ins.value[i].startswith("<<"))]
        if not sources:
            return
        archives = ctx.stage_state(self).setdefault("archives", [])
        target = _basename(value(len(ins.words) - 1))
        if _is_tar(target):
            first, last = ins.words[sources[0]], ins.words[sources[-1]]
            archives.append({"name": target, "range": Range(first.range.start, last.range.end),
                             "text": target, "extracted": False})
            return
        for i in sources:
            name = _basename(value(i))
            if _is_tar(name):
                archives.append({"name": name, "range": ins.words[i].range, "text": ins.words[i].text,
                                 "extracted": False})

    def file_end(self, ctx):
        for stage in ctx.model.stages:
            for entry in ctx.stage_state(self, stage).get("archives", []):
                if entry["extracted"]:
                    ctx.report(self, entry["range"],
                               f"Use `ADD` for extracting archives into an image: `{entry['text']}` is "
                               f"extracted by a later RUN")
