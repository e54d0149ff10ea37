"""Applying fixes: text edits on source ranges, safe ones by default, repeated until stable.

Three layers, each usable alone:

- text: `fix_rounds` (and `fix_text`, its short form) lints, applies every fix that does
  not overlap another one (a fix's edits go in together or not at all), and lints again,
  until no fix changes the text;
- checked text: `fix_source` also refuses the result when it has parser issues the
  input did not have or any finding code more often than before;
- file: `fix_file` reads the bytes, fixes the decoded text and writes it back atomically
  (temporary file in the same directory, then `os.replace`) in the input's shape: UTF-8
  with or without BOM, CRLF or LF line endings, final newline or not, file mode. Input
  that is not valid UTF-8 (UTF-16, Latin-1) is refused: BuildKit reads Dockerfiles as
  UTF-8, layerlint decodes such a file with replacement characters, and writing that
  back would corrupt it.

`layerlint check --fix` writes the files and reports the findings that remain; `--diff`
prints what it would change as a unified diff instead and writes nothing. For stdin
(`-`), `--fix` prints the fixed text (unchanged when nothing applies) to stdout, as ruff
does; the report comes before it unless `--output FILE` sends it elsewhere.
"""

from __future__ import annotations

import copy
import difflib
import os
import stat
import tempfile
from collections import Counter
from dataclasses import dataclass, field

from .ast import Pos
from .rule import Diagnostic, Edit

BOM = b"\xef\xbb\xbf"


# -- text ------------------------------------------------------------------------------------
def _offsets(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def _offset(starts: list[int], text: str, pos: Pos) -> int:
    if pos.line >= len(starts):
        return len(text)
    line_end = starts[pos.line + 1] - 1 if pos.line + 1 < len(starts) else len(text)
    return min(starts[pos.line] + pos.column, line_end)


def _splice(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Replace non-overlapping (start, end, new_text) spans; insertions at one point keep their order."""
    out, cursor = [], 0
    for a, b, new in sorted(spans, key=lambda s: (s[0], s[1])):
        if a < cursor:
            continue
        out.append(text[cursor:a])
        out.append(new)
        cursor = b
    out.append(text[cursor:])
    return "".join(out)


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits; an edit overlapping an earlier one is skipped."""
    starts = _offsets(text)
    return _splice(text, [(_offset(starts, text, e.range.start), _offset(starts, text, e.range.end), e.new_text)
                          for e in edits])


def _conflict(x: tuple[int, int, str], y: tuple[int, int, str]) -> bool:
    (a1, b1, t1), (a2, b2, t2) = x, y
    if a1 == b1 == a2 == b2:
        return t1 == t2  # the same insertion twice (twin rules): once is enough
    return a1 < b2 and a2 < b1


@dataclass(slots=True)
class Rounds:
    """What `fix_rounds` did."""

    text: str
    applied: int = 0  # fixes applied
    converged: bool = True  # the last lint, of `text`, offered no applicable fix
    unsafe_left: int = 0  # unsafe fixes offered by the last lint and not applied


def fix_rounds(text: str, lint, *, unsafe: bool = False, max_rounds: int = 10) -> Rounds:
    """Apply the fixes `lint(text) -> list[Diagnostic]` offers, round after round, until none applies.

    In each round a fix is taken when none of its edits overlaps an edit already taken;
    the others wait for the next round, where they are offered again on the new text (or
    are gone). Fixes that would not change the text are ignored. When the text comes
    back to an earlier state or `max_rounds` pass, `converged` is False.
    """
    done = Rounds(text)
    seen = {text}
    for _ in range(max_rounds + 1):
        diags: list[Diagnostic] = lint(text)
        starts = _offsets(text)
        taken: list[tuple[int, int, str]] = []
        count = 0
        done.unsafe_left = 0
        for d in diags:
            if d.fix is None:
                continue
            if not (d.fix.safe or unsafe):
                done.unsafe_left += 1
                continue
            spans = [(_offset(starts, text, e.range.start), _offset(starts, text, e.range.end), e.new_text)
                     for e in d.fix.edits]
            if all(text[a:b] == new for a, b, new in spans):
                continue
            if any(_conflict(s, t) for s in spans for t in taken):
                continue
            taken.extend(spans)
            count += 1
        if not taken:
            return done
        text = _splice(text, taken)
        done.text = text
        done.applied += count
        if text in seen:
            break
        seen.add(text)
    done.converged = False
    return done


def fix_text(text: str, lint, *, unsafe: bool = False, max_rounds: int = 10) -> tuple[str, int]:
    """Apply fixes from `lint(text) -> list[Diagnostic]` until nothing changes.

    Returns the fixed text and the number of fixes applied.
    """
    done = fix_rounds(text, lint, unsafe=unsafe, max_rounds=max_rounds)
    return done.text, done.applied


# -- checked text ----------------------------------------------------------------------------
@dataclass(slots=True)
class SourceFix:
    text: str  # the fixed text, or the input when refused
    applied: int = 0
    refused: str | None = None  # why the fixes were not kept
    unsafe_left: int = 0


def fix_source(text: str, path: str | None, config, *, unsafe: bool = False) -> SourceFix:
    """Fix `text` as `fix_rounds` does, then keep the result only if it is no worse than the input.

    Worse means: a parser issue kind occurring more often (a fix broke the syntax), a
    finding code occurring more often (a fix introduced a problem), or a rule crashing
    that did not crash before. The final newline is kept as the input has it.
    """
    from .engine import lint_text

    results = []

    def lint(t: str) -> list[Diagnostic]:
        results.append(lint_text(t, path, config))
        return results[-1].diagnostics

    done = fix_rounds(text, lint, unsafe=unsafe)
    before = results[0]
    if done.applied == 0:
        return SourceFix(text, unsafe_left=done.unsafe_left)
    if not done.converged:
        return SourceFix(text, refused="the fixes do not settle (each round changes the text again)")
    fixed = _keep_final_newline(text, done.text)
    after = results[-1] if fixed == done.text else lint_text(fixed, path, config)
    reason = _regression(before, after)
    if reason is not None:
        return SourceFix(text, refused=reason)
    return SourceFix(fixed, done.applied, unsafe_left=done.unsafe_left)


def _keep_final_newline(original: str, fixed: str) -> str:
    if original.endswith("\n") and not fixed.endswith("\n"):
        return fixed + "\n"
    if not original.endswith("\n") and fixed.endswith("\n"):
        return fixed.rstrip("\n")  # a fix that moved the last line brought its line break along
    return fixed


def _regression(before, after) -> str | None:
    """Why `after` (a LintResult) is worse than `before`, or None."""
    new_issues = Counter(i.kind for i in after.dockerfile.all_issues) - \
        Counter(i.kind for i in before.dockerfile.all_issues)
    if new_issues:
        known = {(i.kind, i.message) for i in before.dockerfile.all_issues}
        candidates = [i for i in after.dockerfile.all_issues if i.kind in new_issues]
        first = next((i for i in candidates if (i.kind, i.message) not in known), candidates[0])
        return f"the fixed file would not parse as before (line {first.range.start.line + 1}: {first.message})"
    crashed = {code for code, _ in after.rule_errors} - {code for code, _ in before.rule_errors}
    if crashed:
        return f"rule {', '.join(sorted(crashed))} fails on the fixed file"
    added = Counter(d.code for d in after.diagnostics) - Counter(d.code for d in before.diagnostics)
    if added:
        listed = ", ".join(f"{code}" + (f" ({n})" if n > 1 else "") for code, n in sorted(added.items()))
        return f"the fixes would add findings: {listed}"
    return None


# -- files -----------------------------------------------------------------------------------
@dataclass(slots=True)
class FileFix:
    """The outcome of fixing one file (or stdin)."""

    original: str | None  # the decoded text as read; None when unreadable
    text: str | None  # the decoded text after fixing (as written, or as it would be)
    data: bytes = b""  # the bytes of the fixed file
    changed: bool = False
    applied: int = 0
    unsafe_left: int = 0
    diff: str | None = None  # unified diff, when there is a change
    error: str | None = None  # the file could not be read
    messages: list[str] = field(default_factory=list)  # for stderr: fixes refused, write failed


def fix_file(path: str | None, name: str, config, *, data: bytes | None = None, unsafe: bool = False,
             write: bool = True) -> FileFix:
    """Fix the file at `path` (or the bytes `data`, for stdin) and write it back when `write`.

    `name` is the path reported and the one path-dependent rules and settings see
    (`-` for stdin without --stdin-filename).
    """
    from .discover import decode

    if data is None:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as e:
            return FileFix(None, None, error=e.strerror or str(e))
    src = decode(data, name)
    if src.error is not None:  # UTF-16, binary...: the same message as without --fix
        return FileFix(None, None, error=src.error)
    if src.lossy:
        return FileFix(src.text, src.text, data, messages=[
            f"layerlint: {name}: not fixed: not valid UTF-8 (BuildKit reads Dockerfiles as UTF-8; this one "
            f"was decoded with replacement characters, and writing them back would corrupt it)"])
    text = src.text
    crlf = "\r\n" in text and text.count("\r\n") == text.count("\n")
    work = text.replace("\r\n", "\n") if crlf else text
    if config.shellcheck:  # ShellCheck offers no fixes; running it every round would only cost time
        config = copy.copy(config)
        config.shellcheck = False
    result = fix_source(work, None if name == "-" else name, config, unsafe=unsafe)
    out = FileFix(text, text, data, applied=result.applied, unsafe_left=result.unsafe_left)
    if result.refused is not None:
        out.messages.append(f"layerlint: {name}: fixes not applied: {result.refused}")
        out.applied = 0
        return out
    new_text = result.text.replace("\n", "\r\n") if crlf else result.text
    new_data = (BOM if src.had_bom else b"") + new_text.encode("utf-8")
    if new_data == data:  # the fixes undid each other
        out.applied = 0
        return out
    out.text, out.data, out.changed = new_text, new_data, True
    out.diff = unified_diff(text, new_text, name)
    if write and path is not None:
        try:
            write_atomic(path, new_data)
        except OSError as e:
            out.messages.append(f"layerlint: {name}: could not write the fixes: {e.strerror or e}")
            out.text, out.data, out.changed, out.applied, out.diff = text, data, False, 0, None
    return out


def write_atomic(path: str, data: bytes) -> None:
    """Replace the file's content in one step, keeping its mode (and owner, when allowed).

    A symbolic link is followed: the file it points to is replaced, the link stays.
    """
    target = os.path.realpath(path)
    st = os.stat(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".layerlint-fix",
                               dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if hasattr(os, "getuid") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except OSError:
                pass  # not allowed to give the file away: it stays ours, with the same mode
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def unified_diff(old: str, new: str, name: str) -> str:
    """A unified diff of two texts, marking a missing final newline as diff and git do."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                     fromfile=name, tofile=name):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


# -- command line ----------------------------------------------------------------------------
def report_fixes(outcomes, stdout, stderr, *, diff: bool, unsafe: bool) -> bool:
    """Print, after the findings, what --fix did (or --diff would do); True when something changes.

    With --diff, every diff goes to `stdout`; with --fix, the fixed text of stdin does.
    The "fixed N findings in M files" summary goes to `stderr`.
    """
    fixed = sum(o.fixed for o in outcomes)
    files = sum(1 for o in outcomes if o.fixed)
    for o in outcomes:
        if diff and o.diff:
            stdout.write(o.diff)
        elif not diff and o.output is not None:
            stdout.flush()
            binary = getattr(stdout, "buffer", None)
            if binary is not None:
                binary.write(o.output)
            else:
                stdout.write(o.output.decode("utf-8", "replace"))
    stdout.flush()
    verb = "would fix" if diff else "fixed"
    line = f"layerlint: {verb} {fixed} finding{'s' if fixed != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    hidden = sum(o.unsafe_left for o in outcomes) if not unsafe else 0
    if hidden:
        line += f" ({hidden} more fix{'es' if hidden != 1 else ''} available with --unsafe-fixes)"
    print(line, file=stderr)
    return any(o.diff for o in outcomes)
