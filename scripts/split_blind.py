"""Split blind cases once into a dev half and a test half (blindset/README.md, step 2).

The half is chosen by a hash of '<author>/<slug>', so nobody picks where a case lands; cases
already split are never moved.
"""
from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "blindset"


def half_of(author: str, slug: str) -> str:
    digest = hashlib.sha256(f"{author}/{slug}".encode()).digest()
    return "test" if digest[0] % 2 == 0 else "dev"


def main() -> int:
    incoming = ROOT / "incoming"
    moved: list[str] = []
    for author_dir in sorted(p for p in incoming.iterdir() if p.is_dir()):
        for case_dir in sorted(p for p in author_dir.iterdir() if p.is_dir()):
            half = half_of(author_dir.name, case_dir.name)
            target = ROOT / half / f"{author_dir.name}-{case_dir.name}"
            if target.exists():
                print(f"already split: {target.name}", file=sys.stderr)
                return 2
            target.parent.mkdir(exist_ok=True)
            shutil.move(str(case_dir), target)
            moved.append(f"{half}\t{target.name}")
        if not any(author_dir.iterdir()):
            author_dir.rmdir()
    with (ROOT / "SPLIT.txt").open("a", encoding="utf-8") as record:
        for line in moved:
            record.write(line + "\n")
    halves = [line.split("\t")[0] for line in moved]
    print(f"split {len(moved)} cases: dev {halves.count('dev')}, test {halves.count('test')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
