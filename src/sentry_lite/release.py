"""Finding a default release: SENTRY_RELEASE, then the git HEAD, then CI/PaaS variables.

sentry_sdk runs ``git rev-parse HEAD`` in a subprocess at every start-up; reading
``.git/HEAD`` and the ref it names from disk gives the same answer without forking.
"""

from __future__ import annotations

import os
from typing import Optional

__all__ = ["default_release"]

# Checked after git, in the order sentry_sdk checks them.
_RELEASE_ENV_VARS = (
    "HEROKU_SLUG_COMMIT",
    "SOURCE_VERSION",
    "CODEBUILD_RESOLVED_SOURCE_VERSION",
    "CIRCLE_SHA1",
    "GAE_DEPLOYMENT_ID",
    "K_REVISION",
)


def default_release() -> Optional[str]:
    release = os.environ.get("SENTRY_RELEASE")
    if release:
        return release
    try:
        release = git_head(os.getcwd())
    except OSError:
        release = None
    if release:
        return release
    for name in _RELEASE_ENV_VARS:
        release = os.environ.get(name)
        if release:
            return release
    return None


def _find_git_dir(start: str) -> Optional[str]:
    path = os.path.abspath(start)
    while True:
        candidate = os.path.join(path, ".git")
        if os.path.isdir(candidate):
            return candidate
        if os.path.isfile(candidate):
            # Worktrees and submodules: ".git" is a file "gitdir: <path>".
            with open(candidate, encoding="utf-8") as fh:
                line = fh.readline().strip()
            if line.startswith("gitdir:"):
                return os.path.normpath(os.path.join(path, line[7:].strip()))
            return None
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


def _is_sha(value: str) -> bool:
    return len(value) in (40, 64) and all(c in "0123456789abcdef" for c in value)


def git_head(start: str) -> Optional[str]:
    """The commit SHA checked out in the repository containing ``start``, if any."""
    git_dir = _find_git_dir(start)
    if git_dir is None:
        return None
    with open(os.path.join(git_dir, "HEAD"), encoding="utf-8") as fh:
        head = fh.read().strip()
    if not head.startswith("ref:"):
        return head if _is_sha(head) else None
    ref = head[4:].strip()
    common = git_dir
    commondir_file = os.path.join(git_dir, "commondir")
    if os.path.isfile(commondir_file):
        with open(commondir_file, encoding="utf-8") as fh:
            common = os.path.normpath(os.path.join(git_dir, fh.read().strip()))
    for base in (git_dir, common):
        ref_path = os.path.join(base, *ref.split("/"))
        if os.path.isfile(ref_path):
            with open(ref_path, encoding="utf-8") as fh:
                sha = fh.read().strip()
            return sha if _is_sha(sha) else None
    packed = os.path.join(common, "packed-refs")
    if os.path.isfile(packed):
        with open(packed, encoding="utf-8") as fh:
            for line in fh:
                parts = line.strip().split(" ", 1)
                if len(parts) == 2 and parts[1] == ref and _is_sha(parts[0]):
                    return parts[0]
    return None
