"""Peak resident memory of `rtms-doctor batch` over 1k, 10k and 100k cases, each run in its own
subprocess (the command as a user runs it: reports written as they complete), and the RSS of
diagnoses in one process for comparison. Target: growth under 10 MB between 10k and 100k.

The cases are case-JSON files from the scenarios and rule cases (a few thousand distinct ones,
repeated under new names). Prints figures, asserts nothing.

    python benchmarks/bench_memory.py            # 1k, 10k, 100k (100k takes a while)
    python benchmarks/bench_memory.py 1000 10000
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import case_dicts, resolved

from rtms_doctor.knowledge.load import load_knowledge
from rtms_doctor.reasoning.diagnosis import Doctor


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def command() -> list[str]:
    script = Path(sys.executable).with_name("rtms-doctor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rtms_doctor.cli"]


def batch_peak(folder: Path, count: int, facts: list[dict]) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of `batch --jobs 1` over COUNT case files."""
    cases = folder / f"cases-{count}"
    cases.mkdir()
    for i in range(count):
        (cases / f"c{i:06d}.json").write_text(json.dumps({"case_version": 1, **facts[i % len(facts)]}),
                                              encoding="utf-8")
    out = folder / f"out-{count}"
    start = time.perf_counter()
    child = subprocess.Popen(command() + ["batch", "--jobs", "1", "--out", str(out), str(cases)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    shutil.rmtree(cases)
    shutil.rmtree(out)
    if status:
        raise SystemExit(f"batch over {count} cases failed (status {status})")
    return usage.ru_maxrss / 1024, seconds


def main() -> None:
    counts = [int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000]
    kb = load_knowledge()
    facts = case_dicts(kb)
    with tempfile.TemporaryDirectory(prefix="rtms-bench-memory-") as tmp:
        peaks = {}
        for count in counts:
            peaks[count], seconds = batch_peak(Path(tmp), count, facts)
            print(f"batch, {count:>7} cases: peak RSS {peaks[count]:7.1f} MB  ({seconds:6.1f} s)")
    if 10_000 in peaks and 100_000 in peaks:
        print(f"batch growth 10k -> 100k: {peaks[100_000] - peaks[10_000]:6.1f} MB   target: < 10 MB")
    doctor = Doctor(kb)
    cases = resolved(kb)
    done, marks = 0, {}
    for target in (1_000, 10_000):
        while done < target:
            doctor.diagnose(cases[done % len(cases)], questions=False)
            done += 1
        marks[target] = rss_mb()
    print(f"in-process diagnoses: {marks[1_000]:.1f} MB after 1k, {marks[10_000]:.1f} MB after 10k "
          f"(peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB)")


if __name__ == "__main__":
    main()
