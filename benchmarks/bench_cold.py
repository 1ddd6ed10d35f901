"""Cold `rtms-doctor diagnose` of one case: median wall time over repeated process starts,
and its ratio to `python -c pass`. Target: under 150 ms median on a 2-core machine."""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = 21


def median_ms(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    example = str(REPO / "examples" / "forum-13262.json")
    diagnose = [sys.executable, "-m", "rtms_doctor.cli", "diagnose", example]
    subprocess.run(diagnose, check=True, stdout=subprocess.DEVNULL)  # warm the KB cache and the OS
    bare = median_ms([sys.executable, "-c", "pass"])
    cold = median_ms(diagnose)
    print(f"python -c pass:                 {bare:7.1f} ms (median of {RUNS})")
    print(f"rtms-doctor diagnose (1 case):  {cold:7.1f} ms (median of {RUNS})")
    print(f"ratio:                          {cold / bare:7.1f}x   target: < 150 ms")


if __name__ == "__main__":
    main()
