"""Check that every link of README.md and docs/ to a file of this repository resolves.

Relative links (docs pages) must point at files that exist. README.md links into the
repository with absolute URLs (``<Repository>/blob/main/<path>``), so that they also
work on a package index page; those must name files that exist here too.
"""

from __future__ import annotations

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")
_REPOSITORY = re.compile(r'^Repository\s*=\s*"([^"]+)"', re.M)


def repository_url() -> str:
    found = _REPOSITORY.search((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return found.group(1).rstrip("/") if found else ""


def main() -> int:
    blob = repository_url() + "/blob/main/"
    broken = []
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for md in files:
        for target, _ in LINK.findall(md.read_text(encoding="utf-8")):
            if blob != "/blob/main/" and target.startswith(blob):
                if not (ROOT / target[len(blob) :]).exists():
                    broken.append(f"{md.relative_to(ROOT)}: {target}")
                continue
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (md.parent / target).exists():
                broken.append(f"{md.relative_to(ROOT)}: {target}")
    for line in broken:
        print("broken link:", line)
    print(f"checked {len(files)} files, {len(broken)} broken links")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
