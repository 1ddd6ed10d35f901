"""Engine throughput with the full KB on case JSON: cases per second in one process and with
one worker process per core (facts already parsed; diagnosis without follow-up questions).
Target: at least 2,000 cases/s per process."""
from __future__ import annotations

import multiprocessing
import os
import time

from corpus import resolved

from rtms_doctor.reasoning.diagnosis import Doctor
from rtms_doctor.knowledge.load import load_knowledge

CASES = 20_000
_STATE: dict = {}


def _init() -> None:
    kb = load_knowledge()
    _STATE.update(doctor=Doctor(kb), cases=resolved(kb))


def _work(n: int) -> int:
    doctor, cases = _STATE["doctor"], _STATE["cases"]
    for i in range(n):
        doctor.diagnose(cases[i % len(cases)], questions=False)
    return n


def main() -> None:
    _init()
    corpus = len(_STATE["cases"])
    _work(500)  # warm-up
    start = time.perf_counter()
    _work(CASES)
    single = CASES / (time.perf_counter() - start)
    cores = os.cpu_count() or 1
    with multiprocessing.get_context("fork").Pool(cores, initializer=_init) as pool:
        pool.map(_work, [200] * cores)  # warm-up
        start = time.perf_counter()
        pool.map(_work, [CASES // cores] * cores)
        parallel = CASES / (time.perf_counter() - start)
    print(f"corpus: {corpus} distinct cases; {CASES} diagnoses per measurement")
    print(f"one process:        {single:8.0f} cases/s  ({1e6 / single:6.0f} us/case)   target: >= 2000")
    print(f"{cores} processes:        {parallel:8.0f} cases/s")


if __name__ == "__main__":
    main()
