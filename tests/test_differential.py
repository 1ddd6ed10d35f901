"""durable_rules and the plain-Python reference must fire exactly the same rules.

The cases are generated: each fact read by the shipped rules is absent, or takes a value drawn
from the rules' own operands (so conditions are actually exercised), its boundaries, or an
arbitrary value of its type. Empty lists are included on purpose (durable's $iall is false on []).
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtms_doctor.knowledge import conditions as C
from rtms_doctor.knowledge.load import load_knowledge

_KB = load_knowledge()


def _operands(path: str) -> list:
    values = []
    for rule in _KB.rules:
        for leaf in C.leaves(rule.condition):
            if leaf.path == path and leaf.op not in ("present", "missing"):
                ops = leaf.operand if isinstance(leaf.operand, tuple) else (leaf.operand,)
                for value in ops:
                    if leaf.op == "matches":
                        value = value.replace(".*", " ").replace("[.]", ".")
                    values.append(value)
    return values


def _scalar(path: str):
    spec = _KB.schema[path]
    kind = spec.element_type
    seen = [v for v in _operands(path) if not isinstance(v, (list, tuple))]
    if kind == "bool":
        base = st.booleans()
    elif kind == "enum":
        base = st.sampled_from(list(spec.values))
    elif kind in ("int", "version", "date"):
        near = [v + d for v in seen if isinstance(v, int) for d in (-1, 0, 1)]
        base = st.sampled_from(near) if near else st.integers(-5, 5000)
        base = st.one_of(base, st.integers(-10, 30_000_000))
    elif kind == "float":
        base = st.one_of(st.sampled_from([float(v) for v in seen] or [0.0]), st.floats(-10, 5000, allow_nan=False))
    else:
        texts = [v for v in seen if isinstance(v, str)]
        base = st.one_of(st.sampled_from(texts or ["x"]), st.text(max_size=30))
        base = st.one_of(base, st.builds(lambda a, b: f"{a} {b}", base, st.text(max_size=10)))
    return base


def _value(path: str):
    spec = _KB.schema[path]
    return st.lists(_scalar(path), max_size=4) if spec.is_list else _scalar(path)


_PATHS = sorted({p for r in _KB.rules for p in r.paths})


@st.composite
def cases(draw):
    chosen = draw(st.lists(st.sampled_from(_PATHS), max_size=12, unique=True)) if _PATHS else []
    return {path: draw(_value(path)) for path in chosen}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_durable_and_reference_fire_the_same_rules(doctor, facts):
    facts = {path: _KB.schema[path].normalize(value) for path, value in facts.items()}
    fired = doctor.durable.fired(facts)
    expected = {r.id for r in _KB.rules if C.evaluate(r.condition, facts) is C.Truth.TRUE}
    assert fired == expected


def test_every_rule_hit_case_agrees(doctor):
    """The shipped 'hit' cases merged into one busy case still agree (many rules at once)."""
    from rtms_doctor.knowledge.case import FactSet, observations_from_case

    facts = FactSet(_KB.schema)
    for rule in _KB.rules:
        for case in rule.cases:
            facts.extend(observations_from_case(case.facts, _KB.schema, rule.id))
    normalized = facts.resolve().normalized()
    doctor.outcomes(normalized)  # raises EngineError on any disagreement
