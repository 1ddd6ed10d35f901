"""durable_rules' time per case against the indexed reference evaluation production uses
(Doctor.outcomes: only the rules under a known fact are evaluated), on the case-JSON corpus.

Figures: durable_rules alone; the reference alone; and Doctor.outcomes as `diagnose` runs it
(durable_rules cross-checks every case) and as `batch` runs it (durable_rules cross-checks a
deterministic one case in BATCH_SAMPLE). Target: batch's outcomes within 2x the reference.
Prints figures, asserts nothing.
"""
from __future__ import annotations

import time

from corpus import resolved

from rtms_doctor.knowledge.load import load_knowledge
from rtms_doctor.reasoning.diagnosis import Doctor
from rtms_doctor.reasoning.durable_engine import BATCH_SAMPLE, cross_checked

ROUNDS = 5
NEVER = 1 << 62  # a sample rate no case meets: the reference alone


def per_case(run, cases: list[dict]) -> float:  # type: ignore[no-untyped-def]
    for facts in cases[:200]:  # warm-up (registers the shards it touches)
        run(facts)
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for facts in cases:
            run(facts)
    return (time.perf_counter() - start) / (len(cases) * ROUNDS) * 1e6


def main() -> None:
    kb = load_knowledge()
    cases = [c.normalized() for c in resolved(kb)]
    doctor = Doctor(kb)
    durable = per_case(doctor.durable.fired, cases)
    doctor.cross_check = NEVER
    reference = per_case(doctor.outcomes, cases)
    doctor.cross_check = 1
    every = per_case(doctor.outcomes, cases)
    doctor.cross_check = BATCH_SAMPLE
    sampled = per_case(doctor.outcomes, cases)
    checked = sum(cross_checked(facts, BATCH_SAMPLE) for facts in cases)
    print(f"{len(kb.rules)} rules in {len(doctor.durable.shards)} shards; {len(cases)} cases x {ROUNDS} rounds")
    print(f"durable_rules alone:                       {durable:7.1f} us/case  ({durable / reference:4.2f}x reference)")
    print(f"indexed reference alone:                   {reference:7.1f} us/case")
    print(f"outcomes, durable on every case (diagnose): {every:6.1f} us/case  ({every / reference:4.2f}x reference)")
    print(f"outcomes, durable on 1 in {BATCH_SAMPLE} (batch):        {sampled:7.1f} us/case  "
          f"({sampled / reference:4.2f}x reference; {checked} of {len(cases)} cases checked)   target: < 2x")


if __name__ == "__main__":
    main()
