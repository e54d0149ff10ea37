"""Requirements that the distributions in a `pip install --target` directory declare for
another Python version but that are not installed there.

    python bundle_requirements.py TARGET_DIR PYTHON_VERSION

pip's `--python-version` only selects wheels; it evaluates environment markers such as
`python_version < "3.11"` for the running interpreter. This script evaluates them for
PYTHON_VERSION instead and prints one requirement per line (without the marker), so that
scripts/bundle.mjs can add them (tomli and exceptiongroup for Python 3.10, for instance).
"""

from __future__ import annotations

import sys
from importlib.metadata import distributions

try:
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pip always carries a copy
    from pip._vendor.packaging.markers import default_environment
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name


def missing(target: str, version: str) -> list[str]:
    env = default_environment()
    env.update(python_version=version, python_full_version=f"{version}.0", extra="")
    dists = list(distributions(path=[target]))
    installed = {canonicalize_name(d.metadata["Name"]) for d in dists}
    out: dict[str, str] = {}
    for dist in dists:
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            name = canonicalize_name(req.name)
            if name not in installed:
                req.marker = None
                out.setdefault(name, str(req))
    return sorted(out.values())


if __name__ == "__main__":
    print("\n".join(missing(sys.argv[1], sys.argv[2])))
