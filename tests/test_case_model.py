"""The generated pydantic model (kb/facts -> `rtms-doctor schema`) and the validator the CLI
uses on a cold start accept and reject the same case JSON, with the same values."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rtms_doctor.knowledge.load import load_knowledge

_SCHEMA = load_knowledge().schema
_PATHS = sorted(_SCHEMA.specs)

scalars = st.one_of(st.booleans(), st.integers(-3, 30000), st.floats(-10, 10, allow_nan=False),
                    st.sampled_from(["pro", "general", "1.0.3", "v22", "2026-01-18", "x", "", "yes"]),
                    st.none())
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.sampled_from(["a", "enable"]), scalars, max_size=2))


def _nest(flat: dict) -> dict:
    out: dict = {}
    for path, value in flat.items():
        node = out
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return out


@st.composite
def cases(draw):
    paths = draw(st.lists(st.sampled_from(_PATHS + ["account.plann", "nosuch.section"]), max_size=6, unique=True))
    return _nest({p: draw(values) for p in paths})


def _pydantic(data: dict):
    try:
        model = _SCHEMA.case_model.model_validate(data)
    except ValidationError:
        return None
    flat: dict = {}

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            path = f"{prefix}{key}"
            if path in _SCHEMA.specs:
                flat[path] = value
            elif isinstance(value, dict):
                walk(value, f"{path}.")
    dumped = model.model_dump(exclude_none=True, mode="json")
    dumped.pop("case_version", None)
    walk(dumped, "")
    return flat


def _fast(data: dict):
    try:
        return _SCHEMA.validate_case(data)
    except ValueError:
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_validators_agree(data):
    assert _fast(data) == _pydantic(data)


def test_known_cases_agree():
    for data in ({"case_version": 1, "account": {"plan": "pro"}}, {"account": {"plan": "Pro"}},
                 {"runtime": {"node_version": "v20.1"}}, {"case": {"date": "2026-01-18"}},
                 {"api": {"error_codes": [13262, "1"]}}, {"stream": {"seconds_to_stop": 1}},
                 {"account": None}, {"account": {"plan": None}}, {"case_version": 2}):
        assert _fast(data) == _pydantic(data), data
