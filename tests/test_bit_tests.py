"""Bit tests (`bits_set`, `bits_clear` and their negations): durable_rules has no bitwise
operators, so they are computed in Python like the text tests; both engines must agree with
the arithmetic, and a bad operand is a load problem, not a wrong answer."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtms_doctor.knowledge import conditions as C
from rtms_doctor.reasoning.durable_engine import DurableEvaluator
from rtms_doctor.knowledge.load import load_knowledge
from rtms_doctor.knowledge.shards import plan_shards

_SCHEMA = load_knowledge().schema
PATH = "handshake.media_type"

ARITHMETIC = {
    ("bits_set", False): lambda value, bits: value & bits == bits,
    ("bits_set", True): lambda value, bits: value & bits != bits,
    ("bits_clear", False): lambda value, bits: value & bits == 0,
    ("bits_clear", True): lambda value, bits: value & bits != 0,
}


def _condition(op: str, bits: int, negated: bool) -> dict:
    leaf = {"fact": PATH, op: bits}
    return {"not": leaf} if negated else leaf


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(1, 63), min_size=1, max_size=4), st.lists(st.integers(-4, 80), min_size=1, max_size=12))
def test_both_engines_do_the_arithmetic(operands, values):
    rules, expected_of = [], {}
    for i, bits in enumerate(operands):
        for (op, negated), formula in ARITHMETIC.items():
            rule_id = f"bits.{op}_{'not_' if negated else ''}{i}"
            rules.append((rule_id, C.parse(_condition(op, bits, negated), _SCHEMA)))
            expected_of[rule_id] = (formula, bits)
    engine = DurableEvaluator(plan_shards(rules, prefix="bits"))
    for value in values:
        expected = {rid for rid, (formula, bits) in expected_of.items() if formula(value, bits)}
        reference = {rid for rid, cond in rules if C.evaluate(cond, {PATH: value}) is C.Truth.TRUE}
        assert reference == expected
        assert engine.fired({PATH: value}) == expected
    assert engine.fired({}) == set()  # an unknown value cannot tell, never a hit
    assert all(C.evaluate(cond, {}) is C.Truth.UNKNOWN for _, cond in rules)


@pytest.mark.parametrize("condition, message", [
    ({"fact": PATH, "bits_set": 0}, "positive whole number"),
    ({"fact": PATH, "bits_set": -8}, "positive whole number"),
    ({"fact": PATH, "bits_clear": True}, "positive whole number"),
    ({"fact": PATH, "bits_clear": "8"}, "positive whole number"),
    ({"fact": "api.error_codes", "bits_set": 8}, "whole-number fact"),
    ({"fact": "account.plan", "bits_set": 8}, "whole-number fact"),
])
def test_bad_bit_tests_are_refused(condition, message):
    with pytest.raises(C.ConditionError, match=message):
        C.parse(condition, _SCHEMA)


def test_negations_are_not_writable_directly():
    with pytest.raises(C.ConditionError, match="unknown operator"):
        C.parse({"fact": PATH, "bits_some_set": 8}, _SCHEMA)
