"""Text tests: why they run in Python, and that both engines agree on them.

durable_rules' own matcher misses plain substrings that overlap themselves; the canary below
shows it. If a future durable_rules fixes this, the canary fails and the design note in
durable_engine.py can be revisited.
"""
from __future__ import annotations

from durable import engine as durable
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtms_doctor.knowledge import conditions as C
from rtms_doctor.reasoning.durable_engine import DurableEvaluator
from rtms_doctor.knowledge.shards import plan_shards
from rtms_doctor.knowledge.load import load_knowledge

_SCHEMA = load_knowledge().schema


def test_canary_durable_regex_misses_overlapping_substrings():
    fired = set()

    class Host(durable.Host):
        def _run(self):
            pass

        def get_action(self, name):
            return lambda c: fired.add(name)

    host = Host()
    host.register_rulesets({"canary": {
        "r": {"all": [{"m": {"$and": [{"_case": 1}, {"$imt": {"x": ".*aaa.*"}}]}}], "run": "r"},
        "s": {"all": [{"m": {"_case": 1}}], "run": "s"}}})
    host.assert_fact("canary", {"sid": "1", "_case": 1, "x": "31 a1 03baaaaa"})
    host.delete_state("canary", "1")
    assert "r" not in fired  # durable misses it; Python's re finds it


patterns = st.lists(st.sampled_from(["a", "aa", "ab", "[ab]a", "a1a", "x?y", "(1|aa)", ".*", "b+", "[.]"]),
                    min_size=1, max_size=4).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(patterns, min_size=1, max_size=5), st.lists(st.text("abx1y. ", max_size=16), min_size=1, max_size=20))
def test_text_tests_agree(texts_patterns, texts):
    rules = []
    for i, pattern in enumerate(texts_patterns):
        rules.append((f"tx.m{i}", C.parse({"fact": "handshake.signaling.reason", "matches": pattern}, _SCHEMA)))
        rules.append((f"tx.l{i}", C.parse({"fact": "api.error_messages", "matches": pattern}, _SCHEMA)))
        rules.append((f"tx.c{i}", C.parse({"fact": "ws.close_reason", "contains": pattern}, _SCHEMA)))
    engine = DurableEvaluator(plan_shards(rules, prefix="tx"))
    for text in texts:
        facts = {"handshake.signaling.reason": text, "api.error_messages": [text, text[::-1]], "ws.close_reason": text}
        expected = {rid for rid, cond in rules if C.evaluate(cond, facts) is C.Truth.TRUE}
        assert engine.fired(facts) == expected
