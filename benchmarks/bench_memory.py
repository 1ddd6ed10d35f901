"""Peak resident memory of `rtms-doctor batch` over 1k, 10k and 100k cases, each run in its own
subprocess (the command as a user runs it: reports written as they complete), and the RSS of
diagnoses in one process for comparison. Target: growth under 10 MB between 10k and 100k.

The cases are case-JSON files from the scenarios and rule cases (a few thousand distinct ones,
repeated under new names). Prints figures, asserts nothing.

Big pastes: `rtms-doctor diagnose` on a 1 MB and a 10 MB text file made by repeating the dev
set's forum posts, e-mails, SDK logs and Zoom JSON and the planted-secret posts (URLs with
tokens, Bearer headers, JWTs, e-mail addresses): wall and CPU time (median), peak RSS, and the
10 MB / 1 MB ratio (linear: ~10). Target: 10 MB under 2 s.

    python benchmarks/bench_memory.py            # 1k, 10k, 100k (100k takes a while), then pastes
    python benchmarks/bench_memory.py 1000 10000
    python benchmarks/bench_memory.py paste      # the pastes only
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import REPO, case_dicts, resolved

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


def paste_text(size: int) -> str:
    """About SIZE characters of realistic pasted text, whole lines."""
    parts = [p.read_text(encoding="utf-8") for p in sorted(REPO.glob("devset/*/*.txt"))[:12]]
    parts += [p.read_text(encoding="utf-8") for p in sorted(REPO.glob("devset/*/*.log"))[:4]]
    parts += [p.read_text(encoding="utf-8") for p in sorted(REPO.glob("devset/*/*.json"))[:4]]
    parts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "tests/fixtures/secrets").glob("*.txt"))]
    unit = "\n\n".join(parts) + "\n\n"
    text = (unit * (size // len(unit) + 1))[:size]
    return text[:text.rfind("\n") + 1]


def paste_times(folder: Path, runs: int = 3) -> None:
    seconds = {}
    for mb in (1, 10):
        path = folder / f"paste-{mb}mb.txt"
        path.write_text(paste_text(mb * 1_000_000), encoding="utf-8")
        walls, cpus, peak = [], [], 0.0
        for _ in range(runs if mb == 1 else max(1, runs // 2)):
            start = time.perf_counter()
            child = subprocess.Popen(command() + ["diagnose", str(path)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)
            walls.append(time.perf_counter() - start)
            cpus.append(usage.ru_utime + usage.ru_stime)
            peak = max(peak, usage.ru_maxrss / 1024)
            if status:
                raise SystemExit(f"diagnose on a {mb} MB paste failed (status {status})")
        seconds[mb] = statistics.median(cpus)
        print(f"diagnose, {mb:>2} MB paste: wall {statistics.median(walls):6.2f} s, CPU {seconds[mb]:6.2f} s "
              f"(median of {len(walls)}), peak RSS {peak:6.1f} MB")
    print(f"10 MB / 1 MB (CPU): {seconds[10] / seconds[1]:.1f}x   target: 10 MB under 2 s; load {os.getloadavg()[0]:.1f}")


def main() -> None:
    if sys.argv[1:] == ["paste"]:
        with tempfile.TemporaryDirectory(prefix="rtms-bench-paste-") as tmp:
            paste_times(Path(tmp))
        return
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
    if not sys.argv[1:]:
        with tempfile.TemporaryDirectory(prefix="rtms-bench-paste-") as tmp:
            paste_times(Path(tmp))


if __name__ == "__main__":
    main()
