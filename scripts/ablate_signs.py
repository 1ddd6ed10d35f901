"""What each part of the text evidence adds, measured on the DEV sets only (the old dev set
and the blind dev half; never the test half): the full scorer against variants with one part
switched off or one setting changed.

    python scripts/ablate_signs.py
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rtms_doctor.batch import CaseOutcome, discover, evaluate
from rtms_doctor.ingest import read_inputs
from rtms_doctor.knowledge.load import load_knowledge
from rtms_doctor.knowledge.records import Record
from rtms_doctor.knowledge.signs import compile_signs
from rtms_doctor.reasoning.diagnosis import Doctor

REPO = Path(__file__).resolve().parent.parent
DEV_SETS = [REPO / "devset", REPO / "blindset" / "dev"]


def variants(policy: Record) -> dict[str, dict]:
    p = dict(policy)
    kinds = dict(p["kind_weight"])
    return {
        "full scorer": p,
        "no text evidence": None,
        "say signs only": {**p, "kind_weight": {**kinds, "literal": 0.0, "words": 0.0}},
        "literal signs only": {**p, "kind_weight": {**kinds, "say": 0.0, "words": 0.0}},
        "without words signs": {**p, "kind_weight": {**kinds, "words": 0.0}},
        "without the symptom read": {**p, "symptom_weight": 0.0},
        "cap 3.0": {**p, "cap": 3.0},
        "cap 5.5": {**p, "cap": 5.5},
        "symptom weight 1.0": {**p, "symptom_weight": 1.0},
        "symptom weight 2.0": {**p, "symptom_weight": 2.0},
        "max gap 1": {**p, "max_gap": 1},
        "max gap 5": {**p, "max_gap": 5},
        "min specificity 0.3": {**p, "min_specificity": 0.3},
        "possible at 10%": {**p, "_possible": 0.10},
        "no word similarity (BM25)": {**p, "similarity": Record({**p["similarity"], "weight": 0.0})},
        "similarity weight 3.0": {**p, "similarity": Record({**p["similarity"], "weight": 3.0})},
        "similarity floor 0.3": {**p, "similarity": Record({**p["similarity"], "floor": 0.3})},
        "no symptom mismatch": {**p, "symptom_mismatch_weight": 0.0},
        "symptom mismatch 1.4": {**p, "symptom_mismatch_weight": 1.4},
        "symptom mismatch from 0.3": {**p, "symptom_mismatch_from": 0.3},
    }


def main() -> int:
    kb = load_knowledge()
    cases = [c for folder in DEV_SETS for c in discover([str(folder)])]
    base_policy = kb.policy
    print("| variant | cases | top-1 | top-3 | mean rank |")
    print("|---|---|---|---|---|")
    original = kb.signs
    for name, policy in variants(original.policy).items():
        kb.policy = Record({**base_policy, "possible": (policy or {}).get("_possible", base_policy.possible)})
        policy = {k: v for k, v in policy.items() if not k.startswith("_")} if policy else None
        doctor = Doctor(kb)
        if policy is None:
            kb.signs = None
        else:
            record = Record({k: Record(v) if isinstance(v, dict) and k in ("thin", "similarity") else v
                             for k, v in policy.items()})
            kb.signs = compile_signs(kb.causes, record, original.symptom_labels)
        outcomes = []
        for case in cases:
            facts = read_inputs(case.files, kb)
            d = doctor.diagnose(facts, questions=False)
            ranking = [{"id": r.cause.id, "status": r.status, "confidence": r.confidence} for r in d.causes]
            expected = tuple(c for e in case.expected for c in kb.aliases.get(e, (e,)))
            outcomes.append(CaseOutcome(case.name, ranking=ranking, expected=expected,
                                        expected_off_topic=case.off_topic, off_topic=d.off_topic))
        f = evaluate(outcomes)
        print(f"| {name} | {f.cases} | {f.top1:.0%} | {f.top3:.0%} | {f.mean_rank:.1f} |")
    kb.signs, kb.policy = original, base_policy
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
