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


# In CI, hypothesis runs a fixed sequence of examples (a failure there reproduces
# locally with HYPOTHESIS_PROFILE=ci); elsewhere it explores new ones on every run.
try:
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("CI") or os.environ.get("HYPOTHESIS_PROFILE") == "ci":
        _hypothesis_settings.load_profile("ci")
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    pass
