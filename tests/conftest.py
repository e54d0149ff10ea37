import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("LAYERLINT_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "dockerfiles"


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file())


@pytest.fixture
def corpus():
    files = corpus_files()
    if not files:
        pytest.skip(f"shared corpus not found at {CORPUS} (set LAYERLINT_SHARED to its parent)")
    return files
