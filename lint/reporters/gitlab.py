"""`--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`).

One JSON array (UTF-8, no BOM) of the Code Climate issues the `codeclimate` format
writes; GitLab reads `description`, `check_name`, `fingerprint`, `severity`,
`location.path` (relative to the repository root) and `location.positions.begin.line`.
Fingerprints differ between findings and survive unrelated edits above them, so the
merge-request widget neither collapses two findings nor reports a moved one as new.
"""

from __future__ import annotations

import json

from .codeclimate import issues


def report(results, stream, options) -> None:
    json.dump(issues(results, options), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
