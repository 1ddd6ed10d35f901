"""Cross-file checks of the knowledge base, beyond what loading already validates.

Loading (knowledge.py) rejects malformed files, unknown fact paths, ill-typed operands and
duplicate ids. Lint adds what needs the whole KB: every cause reachable by a supporting rule,
every rule with cases that hit and that must not, every case giving the expected result on
both engines, every template rendering, every fact path a Zoom JSON shape declares.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .knowledge import conditions as C
from .knowledge.case import FactSet, observations_from_case
from .reasoning.diagnosis import Doctor
from .knowledge.load import KnowledgeBase


@dataclass(frozen=True)
class Finding:
    where: str  # file:line
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def run_rule_case(doctor: Doctor, rule_id: str, facts: dict) -> C.Truth:
    """The outcome of one rule on one case, from the full engine (durable + reference)."""
    kb = doctor.kb
    observations = observations_from_case(facts, kb.schema, f"case of {rule_id}")
    normalized = FactSet(kb.schema, observations).resolve().normalized()
    return doctor.outcomes(normalized)[rule_id]


def lint(kb: KnowledgeBase, doctor: Doctor | None = None,
         render_check: Callable[[KnowledgeBase], list[str]] | None = None) -> list[Finding]:
    doctor = doctor or Doctor(kb, eager=True)  # every shard must compile
    findings: list[Finding] = []
    for cause_id, cause in kb.causes.items():
        where = f"{kb.cause_files[cause_id][0]}:1"
        rules = kb.rules_for(cause_id)
        if cause.status == "deprecated":
            if not cause.replaced_by or cause.replaced_by not in kb.causes:
                findings.append(Finding(where, f"deprecated cause {cause_id} needs replaced_by naming a live cause"))
            continue
        if not any(r.rule.weight > 0 for r in rules):
            findings.append(Finding(where, f"cause {cause_id} is not reachable: no rule supports it"))
    for rule in kb.rules:
        where = f"{rule.file}:{rule.line}"
        expects = {case.expect for case in rule.cases}
        if "hit" not in expects:
            findings.append(Finding(where, f"rule {rule.id} needs a case that must hit"))
        if not expects & {"no_hit", "cannot_tell"}:
            findings.append(Finding(where, f"rule {rule.id} needs a case that must not hit"))
        for case in rule.cases:
            try:
                got = run_rule_case(doctor, rule.id, case.facts)
            except Exception as exc:  # a broken case is a finding, not a crash
                findings.append(Finding(where, f"rule {rule.id}, case '{case.name}': {exc}"))
                continue
            if got.value != case.expect:
                findings.append(Finding(where, f"rule {rule.id}, case '{case.name}': expected {case.expect}, got {got.value}"))
    from .ingest.shapes import declaration_problems  # code against this KB's facts: here, not per run

    for problem in declaration_problems(kb.schema):
        findings.append(Finding("engine/ingest/shapes/__init__.py:1", problem))
    if render_check is not None:
        for problem in render_check(kb):
            where, _, message = problem.partition(": ")
            findings.append(Finding(where, message))
    return findings
