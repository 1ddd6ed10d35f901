"""Accuracy on the three labelled sets, side by side: the old dev set, the blind dev half and
the blind test half (blindset/README.md). Prints totals only: the test half's cases are never
shown, so nobody tunes on them. `--misses dev` lists the misses of the dev sets.

    python scripts/measure.py [--misses dev]
"""
from __future__ import annotations

import sys
from pathlib import Path

from rtms_doctor.batch import discover, evaluate, run_cases

REPO = Path(__file__).resolve().parent.parent
SETS = {"old dev set": REPO / "devset", "blind dev half": REPO / "blindset" / "dev",
        "blind test half": REPO / "blindset" / "test"}


def main(argv: list[str]) -> int:
    show_misses = argv[:2] == ["--misses", "dev"]
    print("| set | cases | top-1 | top-3 | mean rank | thin | off-topic said |")
    print("|---|---|---|---|---|---|---|")
    missed: dict[str, list] = {}
    for name, folder in SETS.items():
        if not folder.is_dir():
            continue
        outcomes = list(run_cases(discover([str(folder)]), None, "none", 1))
        figures = evaluate(outcomes)
        thin = sum(o.thin for o in outcomes)
        said_off = sum(o.off_topic for o in outcomes)
        print(f"| {name} | {figures.cases} | {figures.top1:.0%} | {figures.top3:.0%} | "
              f"{figures.mean_rank:.1f} | {thin} | {said_off} |")
        if "test" not in name:
            missed[name] = figures.misses
    if show_misses:
        for name, misses in missed.items():
            print(f"\n## misses: {name}")
            for m in misses:
                print(f"- {m['case']}: expected {m['expected']} rank {m['rank']}; said {', '.join(m['said'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
