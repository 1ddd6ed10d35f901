"""Doctor.follow_up against a plain reference of the same algebra.

follow_up is tuned for speed: it keeps per-(rule, fact) trial results (keyed on what the rule's
other leaves give), reads a fact's rules per cause, works out only the answers that change a
rule and weighs only those. Each of these must leave every question and every float as the
plain computation gives it. The reference below tries every plausible answer of every
candidate's unknown fact on a copy of the facts (rule.test, with no trial cache), in the order the docstring of
follow_up describes; the values are compared unrounded (round is replaced by the identity).
"""
from __future__ import annotations

import math
from typing import Any

import pytest
import yaml

from helpers import REPO
from rtms_doctor.knowledge import conditions as C
from rtms_doctor.knowledge.case import FactSet, observations_from_case
from rtms_doctor.reasoning import diagnosis
from rtms_doctor.reasoning.diagnosis import Question


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def reference_follow_up(doctor: Any, facts: dict[str, Any], ranked: list[Any],
                        skip: frozenset[str] = frozenset(), pool: int | None = None) -> list[Question]:
    top = doctor.candidates(ranked, pool)
    if not top:
        return []
    base = {r.cause.id: r.score for r in top}
    leader = top[0].cause.id
    confidence = {c: _sigmoid(s) for c, s in base.items()}
    top_confidence = max(confidence.values())
    plausibility = {c: conf / top_confidence for c, conf in confidence.items()}
    total = sum(confidence.values())
    share = {c: conf / total for c, conf in confidence.items()}
    order = {c: i for i, c in enumerate(base)}
    paths: dict[str, None] = {}
    for result in top:
        for rule in result.unknown:
            for path in C.unknown_paths(rule.condition, facts):
                if path not in paths and path not in skip and doctor._may_ask(path, facts):
                    paths[path] = None
    questions = []
    for path in paths:
        rules = [r for r in doctor.kb.rules if path in r.paths and r.cause_id in base]
        answers = doctor._plausible_answers(path)
        if not answers or not rules:
            continue
        before = {r.id: r.test(facts) is C.Truth.TRUE for r in rules}
        trials = []
        for answer in answers:
            trial = dict(facts)
            trial[path] = answer
            scores: dict[str, float] = {}
            for rule in rules:
                after = rule.test(trial) is C.Truth.TRUE
                if after != before[rule.id]:
                    cause = rule.cause_id
                    scores[cause] = scores.get(cause, base[cause]) + (
                        rule.effective_weight if after else -rule.effective_weight)
            change = sum(plausibility[c] * abs(_sigmoid(scores[c]) - confidence[c])
                         for c in sorted(scores, key=order.__getitem__))
            if max((scores.get(c, score), c) for c, score in base.items())[1] != leader:
                change += 0.5
            raised = {c for c, score in scores.items() if score > base[c]}
            lowered = {c for c, score in scores.items() if score < base[c]}
            trials.append((change, raised, lowered))
        weights = [0.0] * len(trials)
        still = [i for i, t in enumerate(trials) if not t[1]]
        for c in base:
            fitting = ([i for i, t in enumerate(trials) if c in t[1]]
                       or [i for i in still if c not in trials[i][2]]
                       or still
                       or list(range(len(trials))))
            for i in fitting:
                weights[i] += share[c] / len(fitting)
        value = sum(weight * trial[0] for weight, trial in zip(weights, trials))
        value *= doctor.kb.schema[path].answerable
        if value > 0:
            moved = {c for _, raised, _ in trials for c in raised}
            questions.append(Question(path, value, tuple(c for c in base if c in moved)))
    questions.sort(key=lambda q: (-q.value, q.path))
    return questions


def _cases(kb: Any) -> list[dict[str, Any]]:
    cases = []
    for path in sorted((REPO / "tests" / "scenarios").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("facts"), dict):
            cases.append(data["facts"])
    cases += [case.facts for rule in kb.rules for case in rule.cases if case.facts]
    return [FactSet(kb.schema, observations_from_case(c, kb.schema, "test")).resolve().normalized()
            for c in cases]


@pytest.fixture(scope="module")
def unrounded(monkeypatch_module: Any) -> None:
    monkeypatch_module.setattr(diagnosis, "round", lambda value, digits=None: value, raising=False)


@pytest.fixture(scope="module")
def monkeypatch_module():  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def ranked_cases(kb: Any, doctor: Any) -> list[tuple[dict[str, Any], list[Any]]]:
    return [(facts, doctor.rank(doctor.outcomes(facts))) for facts in _cases(kb)]


def test_the_cases_reach_every_branch(ranked_cases: list[Any], doctor: Any) -> None:
    """Some cases have a leader that is not the highest score (every answer gets the bonus)."""
    def off_top(ranked: list[Any]) -> bool:
        top = doctor.candidates(ranked)
        return bool(top) and max(top, key=lambda r: (r.score, r.cause.id)) is not top[0]
    assert any(off_top(ranked) for _, ranked in ranked_cases)


def test_follow_up_equals_the_reference(unrounded: None, ranked_cases: list[Any], doctor: Any) -> None:
    for facts, ranked in ranked_cases:
        assert doctor.follow_up(facts, ranked) == reference_follow_up(doctor, facts, ranked)


def test_follow_up_equals_the_reference_for_ask(unrounded: None, ranked_cases: list[Any], doctor: Any) -> None:
    """ask's wide pool, skipping what was asked (the trial cache is warm from the test above)."""
    pool = doctor.kb.policy.ask_candidates
    for facts, ranked in ranked_cases[::12]:
        skip = frozenset(q.path for q in reference_follow_up(doctor, facts, ranked)[:2])
        assert (doctor.follow_up(facts, ranked, skip=skip, pool=pool)
                == reference_follow_up(doctor, facts, ranked, skip=skip, pool=pool))


def test_kept_question_values_equal_fresh_ones(unrounded: None, ranked_cases: list[Any], doctor: Any,
                                               monkeypatch: Any) -> None:
    """follow_up keeps frames (the candidates' ids and scores), question values keyed on
    (fact, frame, flips) and whole answers keyed on (frame, skip, the facts the candidates'
    rules read): what was kept equals what is worked out afresh, on a cold and on a warm
    store, for diagnose's pool and for ask's."""
    pool = doctor.kb.policy.ask_candidates
    cases = [(facts, ranked, None) for facts, ranked in ranked_cases]
    cases += [(facts, ranked, pool) for facts, ranked in ranked_cases[::12]]
    with monkeypatch.context() as patch:  # nothing kept: every value worked out
        patch.setattr(diagnosis, "FRAMES_KEPT", 0)
        patch.setattr(doctor, "_frames", {})
        patch.setattr(doctor, "_frames_seen", set())
        patch.setattr(doctor, "_values", {})
        patch.setattr(doctor, "_follow_ups", {})
        fresh = [doctor.follow_up(facts, ranked, pool=n) for facts, ranked, n in cases]
        assert not doctor._frames and not doctor._values and not doctor._follow_ups
    with monkeypatch.context() as patch:  # question values kept, whole calls not
        patch.setattr(diagnosis, "FOLLOW_UPS_KEPT", 0)
        patch.setattr(doctor, "_frames", {})
        patch.setattr(doctor, "_frames_seen", set())
        patch.setattr(doctor, "_values", {})
        patch.setattr(doctor, "_follow_ups", {})
        assert [doctor.follow_up(facts, ranked, pool=n) for facts, ranked, n in cases] == fresh
        assert [doctor.follow_up(facts, ranked, pool=n) for facts, ranked, n in cases] == fresh
    monkeypatch.setattr(doctor, "_frames", {})
    monkeypatch.setattr(doctor, "_frames_seen", set())
    monkeypatch.setattr(doctor, "_values", {})
    monkeypatch.setattr(doctor, "_follow_ups", {})
    assert [doctor.follow_up(facts, ranked, pool=n) for facts, ranked, n in cases] == fresh  # cold, filling the store
    # frames and whole calls were shared (cases whose candidates' rules read the same facts)
    assert 0 < len(doctor._frames) < len(cases) and doctor._values and 0 < len(doctor._follow_ups) < len(cases)
    assert [doctor.follow_up(facts, ranked, pool=n) for facts, ranked, n in cases] == fresh  # warm


def test_a_rule_reading_no_known_fact_flips_as_on_no_facts(ranked_cases: list[Any], doctor: Any) -> None:
    """follow_up keys such a rule's flips as None and takes them from the empty case."""
    checked = 0
    for facts, _ in ranked_cases[::7]:
        for rule in doctor.kb.rules:
            if not any(path in facts for path in rule.paths):
                for path in rule.paths:
                    assert doctor._flips(rule, path, facts) == doctor._flips(rule, path, {})
                    checked += 1
    assert checked
