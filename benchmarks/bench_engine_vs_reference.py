"""durable_rules' time per case against the plain-Python reference evaluation of the same
compiled conditions (every rule, closures). Target: durable at most 4x the reference."""
from __future__ import annotations

import time

from corpus import resolved

from rtms_doctor.reasoning.diagnosis import Doctor
from rtms_doctor.knowledge.load import load_knowledge

ROUNDS = 5


def main() -> None:
    kb = load_knowledge()
    doctor = Doctor(kb)
    cases = [c.normalized() for c in resolved(kb)]
    tests = [r.test for r in kb.rules]
    for facts in cases[:200]:  # warm-up
        doctor.durable.fired(facts)
    durable_s = reference_s = 0.0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for facts in cases:
            doctor.durable.fired(facts)
        durable_s += time.perf_counter() - start
        start = time.perf_counter()
        for facts in cases:
            for test in tests:
                test(facts)
        reference_s += time.perf_counter() - start
    n = len(cases) * ROUNDS
    print(f"{len(kb.rules)} rules in {len(doctor.durable.shards)} shards; {n} case evaluations")
    print(f"durable_rules:        {durable_s / n * 1e6:7.1f} us/case")
    print(f"Python reference:     {reference_s / n * 1e6:7.1f} us/case")
    print(f"ratio:                {durable_s / reference_s:7.2f}x   target: <= 4x")


if __name__ == "__main__":
    main()
