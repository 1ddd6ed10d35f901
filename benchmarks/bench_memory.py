"""Resident memory after 1k, 10k and 100k diagnoses in one process. durable_rules keeps a
session's state until it is deleted (about 690 MB after 1k cases without deletion was
measured); the engine deletes each. Target: growth under 10 MB between 10k and 100k."""
from __future__ import annotations

from corpus import resolved

from rtms_doctor.reasoning.diagnosis import Doctor
from rtms_doctor.knowledge.load import load_knowledge


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    kb = load_knowledge()
    doctor = Doctor(kb)
    cases = resolved(kb)
    print(f"after start-up:    {rss_mb():7.1f} MB")
    done = 0
    marks = {}
    for target in (1_000, 10_000, 100_000):
        while done < target:
            doctor.diagnose(cases[done % len(cases)], questions=False)
            done += 1
        marks[target] = rss_mb()
        print(f"after {target:>7} cases: {marks[target]:7.1f} MB")
    print(f"growth 10k -> 100k: {marks[100_000] - marks[10_000]:6.1f} MB   target: < 10 MB")


if __name__ == "__main__":
    main()
