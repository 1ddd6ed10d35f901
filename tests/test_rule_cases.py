"""Every case shipped beside every rule, one test id per case (rule id::case name).

Each case runs on the full engine: durable_rules decides what fires, the plain-Python
reference evaluator must agree, and the outcome must be the one the case expects.
"""
from __future__ import annotations

import pytest

from rtms_doctor.lint import run_rule_case
from rtms_doctor.knowledge.load import load_knowledge

_KB = load_knowledge()
_CASES = [(rule.id, case) for rule in _KB.rules for case in rule.cases]


@pytest.mark.parametrize(("rule_id", "case"), _CASES, ids=[f"{r}::{c.name}" for r, c in _CASES])
def test_rule_case(doctor, rule_id, case):
    assert run_rule_case(doctor, rule_id, case.facts).value == case.expect
