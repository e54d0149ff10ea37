from layerlint.ast import Range
from layerlint.rule import Edit, Fix, Rule, register
from layerlint.shellwords import Lex, ShellLexError

# Compressed tarballs BuildKit unpacks, and the other archive suffixes hadolint exempts.
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".gz", ".tar.bz2", ".tbz2", ".tbz", ".tb2", ".bz2", ".tar.xz",
                    ".txz", ".xz", ".tar.zst", ".tzst", ".zst", ".zstd", ".lz", ".lzma", ".tlz", ".tpz", ".z",
                    ".tz")
REMOTE_PREFIXES = ("http://", "https://", "git://", "git@", "ssh://", "github.com/")
ADD_ONLY_FLAGS = ("checksum", "keep-git-dir", "unpack")


def _is_remote_or_archive(path: str) -> bool:
    low = path.lower()
    return low.startswith(REMOTE_PREFIXES) or low.endswith(ARCHIVE_SUFFIXES)


def _copy_keyword(written: str) -> str:
    if written.islower():
        return "copy"
    if written.isupper():
        return "COPY"
    return "Copy"


@register
class AddInsteadOfCopy(Rule):
    """ADD copies a local file or directory that is neither an archive nor a URL.

    A source counts as remote when it starts with `http://`, `https://` or is a
    Git URL (`git@`, `git://`, `ssh://`, `github.com/`), and as an archive when it
    ends in a tarball or compression suffix (`.tar`, `.tar.gz`, `.tgz`,
    `.tar.bz2`, `.tbz2`, `.tar.xz`, `.txz`, `.tar.zst`, `.gz`, `.bz2`, `.xz`,
    `.zst`, `.lz`, `.lzma`, `.Z`, ... compared case-insensitively); heredoc
    sources are fine too. Differences from hadolint: Git URLs are exempt,
    suffixes are compared case-insensitively, `.zst` is an archive, and a source
    containing a variable is judged by its value when every variable has a known
    default, and skipped otherwise; `ONBUILD ADD` triggers are checked too (the
    child build runs the same ADD). `.zip` is not an archive here: BuildKit does
    not unpack zip files, so `ADD app.zip` is a plain copy.

    ## Why is this bad?
    ADD has extra behaviour (downloading URLs, unpacking tarballs, cloning Git
    repositories) that a reader has to rule out every time. COPY does only what
    it says; keep ADD for the cases that need it.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    ADD requirements.txt /app/
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt /app/
    ```

    ## Fix
    Replaces the `ADD` keyword with `COPY` when every source is a local
    non-archive path and no ADD-only flag (`--checksum`, `--keep-git-dir`,
    `--unpack`) is used; `--chown`, `--chmod`, `--link` and `--exclude` mean the
    same for COPY. Safe: ADD and COPY do the same for such sources. (BuildKit
    also unpacks a local tar file whose name has no archive suffix; such files
    are assumed not to exist.)
    """

    code = "DL3020"
    name = "add-instead-of-copy"
    groups = ("copy",)
    severity = "error"
    fixable = "sometimes"
    visits = ("ADD",)
    onbuild = True

    def check(self, ins, ctx):
        if len(ins.value) < 2 or len(ins.words) != len(ins.value):
            return
        scope = ctx.model.scope_at.get(id(ins))
        env = scope.values() if scope else {}
        local, special = [], False
        for word, src in zip(ins.words[:-1], ins.value[:-1]):
            if not ins.json and src.startswith("<<") and ins.heredocs:
                continue  # a heredoc source; COPY takes heredocs as well
            if _is_remote_or_archive(src.strip("\"'")):
                special = True
                continue
            if ins.json and "$" not in src:
                local.append(word)  # JSON items are already unquoted
                continue
            lex = Lex(ctx.dockerfile.escape)
            try:
                path = lex.process_word(src, env)
            except ShellLexError:
                path = src.strip("\"'")
            if "$" in src and (lex.unset or not path):
                special = True  # unknown value: may be a URL or an archive
                continue
            if _is_remote_or_archive(path):
                special = True
                continue
            local.append(word)
        if not local:
            return
        fix = None
        if not special and not any(ins.flag(name) is not None for name in ADD_ONLY_FLAGS):
            fix = Fix((Edit(ins.keyword_range, _copy_keyword(ins.instruction)),), safe=True,
                      title="Replace ADD with COPY")
        names = ", ".join(f"`{w.text}`" for w in local)
        ctx.report(self, Range(local[0].range.start, local[-1].range.end),
                   f"Use COPY instead of ADD for files and folders: {names}", fix=fix)
