"""The reference evaluator's leaves, compiled one closure per operator, against _eval_leaf.

compile_python gives each leaf a closure made for its operator (conditions._compile_leaf)
instead of going through _eval_leaf's chain of operators: every leaf of the knowledge base
must give what _eval_leaf gives (UNKNOWN for an unknown fact), on every rule case, on no facts
and on each plausible answer of its fact, a fact holding None included.
"""
from __future__ import annotations

from typing import Any

from rtms_doctor.knowledge import conditions as C
from test_follow_up import _cases


def _reference(leaf: C.Leaf, facts: dict[str, Any]) -> C.Truth:
    if leaf.op not in ("present", "missing") and leaf.path not in facts:
        return C.Truth.UNKNOWN
    return C._eval_leaf(leaf, facts)


def test_every_leaf_closure_gives_what_eval_leaf_gives(kb: Any, doctor: Any) -> None:
    cases = [{}] + _cases(kb)
    checked = 0
    for rule in kb.rules:
        for leaf in C.leaves(rule.condition):
            closure = C.compile_python(leaf)
            trials = [facts for facts in cases if leaf.path in facts][:20] + [{}]
            trials += [{leaf.path: answer} for answer in doctor.plausible_answers(leaf.path)]
            for facts in trials:
                assert closure(facts) is _reference(leaf, facts), (rule.id, leaf, facts)
                checked += 1
    assert checked > 5000


def test_a_fact_holding_none_is_known() -> None:
    leaf = C.Leaf("a.b", "equals", None, None)
    assert C.compile_python(leaf)({"a.b": None}) is C.Truth.TRUE
    assert C.compile_python(C.Leaf("a.b", "not_equals", "x", "x"))({"a.b": None}) is C.Truth.TRUE
    assert C.compile_python(C.Leaf("a.b", "present", True, True))({"a.b": None}) is C.Truth.TRUE
