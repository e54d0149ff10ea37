"""Package data: the Lark grammar of one Dockerfile instruction line (`dockerfile.lark`),
and the parser built from it (`line_parser()`).

Importing lark and loading even its cached parser costs about 27 ms of a ~120 ms cold
`layerlint check`, most of it lark's own imports (its grammar compiler, logging, pickle,
hashlib). Lark's documented answer is its stand-alone generator: a module that holds the parse
tables and only lark's run time. We generate that module from the installed lark on first use
into the user's cache directory (it is MPL-2.0 code generated from lark, so it is not shipped
in this repository) and import it from there afterwards: ~11 ms. Any problem with the cache
(read-only home, a file that is not ours, an import error) falls back to lark itself.
"""

from __future__ import annotations

import os
import sys
import zlib

LARK_OPTIONS = {"parser": "lalr", "lexer": "contextual", "maybe_placeholders": False}
_MODULE_PREFIX = "layerlint_line_parser_"


def grammar_text() -> str:
    # Read next to this module: importlib.resources would cost ~5 ms of imports
    # (pathlib, urllib) on every cold start; fall back to it for zipped installs.
    path = os.path.join(os.path.dirname(__file__), "dockerfile.lark")
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        from importlib.resources import files

        return files(__name__).joinpath("dockerfile.lark").read_text(encoding="utf-8")


def cache_home() -> str | None:
    """The per-user cache directory (XDG on POSIX, LOCALAPPDATA on Windows). Written by hand:
    platformdirs costs ~5 ms of imports (pathlib, configparser) on every start."""
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA")
        return os.path.join(base, "layerlint", "Cache") if base else None
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):
        home = os.path.expanduser("~")
        if home == "~":
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "layerlint")


def line_parser():
    """An object whose `parse(line)` returns the tree of one instruction line: the generated
    stand-alone parser when it can be used, lark's own `Lark` otherwise."""
    text = grammar_text()
    try:
        parser = _standalone_parser(text)
    except Exception:  # a broken cache must never stop a lint: lark parses the same grammar
        parser = None
    return parser if parser is not None else lark_parser(text)


def lark_parser(text: str | None = None):
    from lark import Lark

    return Lark(text if text is not None else grammar_text(), cache=True, **LARK_OPTIONS)


def _standalone_parser(text: str):
    home = cache_home()
    if home is None:
        return None
    # The name is a checksum of the grammar and options; the module also carries the full
    # grammar text, compared below, so a checksum collision cannot load another grammar.
    source_key = text + repr(sorted(LARK_OPTIONS.items()))
    name = f"{_MODULE_PREFIX}{zlib.crc32(source_key.encode()):08x}_{len(source_key)}"
    path = os.path.join(home, name + ".py")
    for regenerate in (False, True):
        if regenerate or not _trusted(path):
            _generate(text, source_key, home, path)
            if not _trusted(path):
                return None
        try:
            module = _import(name, path)
        except Exception:  # damaged by something else: generated again, once
            module = None
        if getattr(module, "LAYERLINT_GRAMMAR_SOURCE", None) == source_key:
            return module.Lark_StandAlone()
    return None


def _trusted(path: str) -> bool:
    """The generated module exists and nobody else could have written it: it is ours and not
    writable by group or others (it is imported, so executed)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
        return False
    return True


def _generate(text: str, source_key: str, home: str, path: str) -> None:
    import io
    import py_compile
    import tempfile

    from lark import Lark
    from lark.tools.standalone import gen_standalone

    out = io.StringIO()
    gen_standalone(Lark(text, **LARK_OPTIONS), out=out)
    out.write(f"\nLAYERLINT_GRAMMAR_SOURCE = {source_key!r}\n")
    os.makedirs(home, mode=0o700, exist_ok=True)
    # written whole under a temporary name, then renamed: concurrent workers and interrupted
    # runs never leave a half-written module behind
    fd, tmp = tempfile.mkstemp(dir=home, prefix=".tmp-", suffix=".py")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(out.getvalue())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        # the byte code is written even where PYTHONDONTWRITEBYTECODE is set: compiling the
        # 120 KB module on every start would cost more than lark's own import
        py_compile.compile(path, doraise=True)
    except (OSError, py_compile.PyCompileError):
        pass


def _import(name: str, path: str):
    import importlib.util

    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module
    return module
