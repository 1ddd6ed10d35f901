"""Text evidence's shortcuts give what the plain computation gives: the causes of each symptom
kept with the KB (knowledge/signs.py producers) are the causes' own `symptoms:`, and the best
symptom per cause found through them is the per-cause maximum."""
from __future__ import annotations

import random

from rtms_doctor.knowledge.load import load_knowledge
from rtms_doctor.knowledge.signs import producers_of
from rtms_doctor.reasoning.text_evidence import _best_symptoms


def test_producers_are_the_causes_symptoms() -> None:
    kb = load_knowledge()
    assert kb.signs.producers == producers_of(kb.causes)
    for cause_id, cause in kb.causes.items():
        for symptom in cause.symptoms:
            assert cause_id in kb.signs.producers[symptom]


def test_best_symptom_is_the_causes_maximum() -> None:
    kb = load_knowledge()
    symptoms = sorted(kb.signs.producers)
    rng = random.Random(7)
    for _ in range(300):
        read = {s: rng.choice([0.25, 0.5, round(rng.random(), 6)]) for s in rng.sample(symptoms, rng.randint(0, 4))}
        expected = {}
        for cause_id, cause in kb.causes.items():
            best = max(((read[s], s) for s in cause.symptoms if s in read), default=None)
            if best is not None:
                expected[cause_id] = best
        assert _best_symptoms(read, kb) == expected
