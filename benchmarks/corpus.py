"""A corpus of realistic case-JSON cases for the benchmarks: every scenario's facts and every
rule case's facts from the shipped knowledge base (a few thousand distinct cases)."""
from __future__ import annotations

from pathlib import Path

import yaml

from rtms_doctor.knowledge.case import FactSet, ResolvedFacts, observations_from_case
from rtms_doctor.knowledge.load import KnowledgeBase

REPO = Path(__file__).resolve().parent.parent


def case_dicts(kb: KnowledgeBase) -> list[dict]:
    cases = []
    for path in sorted((REPO / "tests" / "scenarios").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("facts"), dict):
            cases.append(data["facts"])
    for rule in kb.rules:
        for case in rule.cases:
            if case.facts:
                cases.append(case.facts)
    return cases


def resolved(kb: KnowledgeBase) -> list[ResolvedFacts]:
    return [FactSet(kb.schema, observations_from_case(c, kb.schema, "bench")).resolve() for c in case_dicts(kb)]
