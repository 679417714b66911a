"""Check that every relative Markdown link in README.md and docs/ resolves to a file."""

from __future__ import annotations

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")


def main() -> int:
    broken = []
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for md in files:
        for target, _ in LINK.findall(md.read_text(encoding="utf-8")):
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
