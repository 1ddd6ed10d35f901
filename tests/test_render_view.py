"""The report's view against plain computations of its per-cause parts.

Renderer.view keeps, per cause, what the cause leaves undecided when none of its rules reads
a known fact (QuietCause: then every rule gives what it gives on no facts, so this depends on
the knowledge base alone), and shows each fact's value and source once per view (FactRows).
Each must give what the plain computation from the diagnosis gives.
"""
from __future__ import annotations

from typing import Any

import pytest

from helpers import REPO
from rtms_doctor.ingest import read_inputs
from rtms_doctor.knowledge import conditions as C
from rtms_doctor.knowledge.case import FactSet, observations_from_case
from rtms_doctor.output.render import TABLE_ROWS, Renderer, show_value
from test_follow_up import _cases


def plain_missing(r: Any, normalized: dict[str, Any]) -> list[str]:
    unknown = [rule for rule in r.rules if r.outcomes[rule.id] is C.Truth.UNKNOWN]
    return list(dict.fromkeys(p for rule in unknown for p in C.unknown_paths(rule.condition, normalized)))


def plain_unchecked(diagnosis: Any, normalized: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{"id": r.cause.id, "title": r.cause.title, "missing": plain_missing(r, normalized)[:4]}
            for r in diagnosis.causes if r.status == "cannot_tell"]
    return [row for row in rows if row["missing"]][:TABLE_ROWS]


def plain_evidence(rule: Any, diagnosis: Any) -> list[dict[str, Any]]:
    facts = diagnosis.facts
    return [{"path": leaf.path,
             "value": show_value(facts.values[leaf.path]) if facts.values.get(leaf.path) is not None else "(not known)",
             "source": facts.source_text(leaf.path) or "-", "test": C.text_of(leaf)}
            for leaf in C.matched_leaves(rule.condition, facts.normalized())]


@pytest.fixture(scope="module")
def diagnoses(kb: Any, doctor: Any) -> list[Any]:
    found = []
    for path in sorted((REPO / "tests" / "fixtures" / "posts").glob("*.txt")):
        found.append(doctor.diagnose(read_inputs([str(path)], kb), questions=False))
    for case in _raw_cases(kb):
        found.append(doctor.diagnose(FactSet(kb.schema, observations_from_case(case, kb.schema, "test")).resolve(),
                                     questions=False))
    return found


def _raw_cases(kb: Any) -> list[dict[str, Any]]:
    import yaml
    cases = []
    for path in sorted((REPO / "tests" / "scenarios").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("facts"), dict):
            cases.append(data["facts"])
    return cases + [case.facts for rule in kb.rules for case in rule.cases if case.facts]


def test_missing_and_unchecked_equal_the_plain_computation(kb: Any, diagnoses: list[Any]) -> None:
    renderer = Renderer(kb)
    quiet = 0
    for _ in range(2):  # cold, then with every cause kept
        for diagnosis in diagnoses:
            normalized = diagnosis.facts.normalized()
            assert renderer._unchecked(diagnosis) == plain_unchecked(diagnosis, normalized)
            for r in diagnosis.causes:
                assert renderer._missing(r, diagnosis) == plain_missing(r, normalized)
                quiet += renderer._quiet(r).paths.isdisjoint(normalized)
    assert quiet  # the kept path was taken


def test_evidence_rows_equal_the_plain_computation(kb: Any, diagnoses: list[Any]) -> None:
    renderer = Renderer(kb)
    for diagnosis in diagnoses:
        view = renderer.view(diagnosis)
        by_rule = {e["rule"]: e["facts"] for f in view["findings"] for e in f["evidence"]}
        by_rule.update((e["rule"], e["facts"]) for r in view["ruled_out"] if not r["group"] for e in r["by"])
        for r in diagnosis.causes:
            for rule in r.hits:
                if rule.id in by_rule:
                    assert by_rule[rule.id] == plain_evidence(rule, diagnosis)
        assert view["facts"] == [{"path": p, "value": show_value(v), "source": diagnosis.facts.source_text(p)}
                                 for p, v in diagnosis.facts.values.items()]
