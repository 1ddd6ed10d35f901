"""Doctor.rank against a plain reference: every cause worked out, then all sorted.

rank works out only the causes a rule or the post's words moved and places them among the
others, taken in the order of their unmoved keys; diagnose hands it the hits the evaluation
found instead of scanning the outcomes. Each must give the ranking the plain sort gives,
every float and status the same.
"""
from __future__ import annotations

from typing import Any

import pytest

from helpers import REPO
from rtms_doctor.ingest import read_inputs
from rtms_doctor.reasoning.diagnosis import IMPACT_ORDER, STATUS_ORDER, TRUE, logit, sigmoid
from test_follow_up import _cases


def reference_rank(doctor: Any, outcomes: dict[str, Any], text: Any = None) -> list[tuple[Any, ...]]:
    kb = doctor.kb
    texts = text.causes if text is not None else {}
    keyed = []
    for cause_id, cause in kb.causes.items():
        hits = sorted((r for r in kb.rules if r.cause_id == cause_id and outcomes[r.id] is TRUE), key=lambda r: r.id)
        said = texts.get(cause_id)
        evidence = sum(r.effective_weight for r in hits) if hits else 0
        ruled_out = evidence <= kb.policy.ruled_out
        if said is not None and not ruled_out:
            evidence = evidence + said.weight
        else:
            said = None
        confidence = sigmoid(logit(cause.prior) + evidence)
        supported = any(r.effective_weight > 0 for r in hits) or (said is not None and said.weight > 0)
        status = ("ruled_out" if ruled_out else "likely" if supported and confidence >= kb.policy.likely
                  else "possible" if supported and confidence >= kb.policy.possible else "cannot_tell")
        key = (STATUS_ORDER[status], -round(confidence, 12), -cause.prior, IMPACT_ORDER[cause.impact], cause_id)
        keyed.append((key, (cause_id, status, confidence, logit(cause.prior) + evidence, evidence,
                            [r.id for r in hits], said)))
    keyed.sort(key=lambda item: item[0])
    return [item for _, item in keyed]


def _shown(ranked: list[Any]) -> list[tuple[Any, ...]]:
    return [(r.cause.id, r.status, r.confidence, r.score, r.evidence, [h.id for h in r.hits], r.text) for r in ranked]


@pytest.fixture(scope="module")
def cases(kb: Any) -> list[dict[str, Any]]:
    return _cases(kb)


def test_rank_equals_the_plain_sort(cases: list[dict[str, Any]], doctor: Any) -> None:
    for facts in cases:
        outcomes = doctor.outcomes(facts)
        assert _shown(doctor.rank(outcomes)) == reference_rank(doctor, outcomes)


def test_rank_with_the_hits_found_equals_the_plain_sort(cases: list[dict[str, Any]], doctor: Any) -> None:
    for facts in cases:
        outcomes, hits = doctor._evaluate(facts)
        assert hits == {rule_id for rule_id, truth in outcomes.items() if truth is TRUE}
        assert _shown(doctor._rank(outcomes, hits, None)) == reference_rank(doctor, outcomes)


def test_rank_with_words_equals_the_plain_sort(kb: Any, doctor: Any) -> None:
    """Posts: causes moved by words only, by rules and words, and ruled out whatever the words say."""
    posts = sorted((REPO / "tests" / "fixtures" / "posts").glob("*.txt"))
    with_words = 0
    for path in posts:
        diagnosis = doctor.diagnose(read_inputs([str(path)], kb), questions=False)
        with_words += bool(diagnosis.text.causes)
        assert _shown(diagnosis.causes) == reference_rank(doctor, diagnosis.outcomes, diagnosis.text)
    assert with_words
