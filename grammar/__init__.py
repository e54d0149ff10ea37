"""Package data: the Lark grammar of one Dockerfile instruction line (`dockerfile.lark`)."""

from importlib.resources import files


def grammar_text() -> str:
    return files(__name__).joinpath("dockerfile.lark").read_text(encoding="utf-8")
