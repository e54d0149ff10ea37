"""Package data: the Lark grammar of one Dockerfile instruction line (`dockerfile.lark`)."""

import os


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
