"""Weighs the signs a post shows (ingest/signs.py) into graded evidence for each cause.

A cause's text evidence is the sum of its matched signs' weights with diminishing returns,
cap x (1 - exp(-sum / cap)), plus a share for the symptom the text reads as (where it goes
wrong first), when the cause can produce it. Never negative: text alone rules nothing out.
The same reading says whether the post is about RTMS at all.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..knowledge.load import KnowledgeBase
from ..knowledge.signs import producers_of


@dataclass(frozen=True)
class CauseText:
    weight: float  # log-odds added to the cause
    signs_weight: float  # the part from its own signs
    matches: tuple[Any, ...]  # SignMatch, heaviest first
    symptom: str | None = None  # the symptom read from the text that the cause produces
    symptom_weight: float = 0.0
    symptom_matches: tuple[Any, ...] = ()
    similarity_weight: float = 0.0  # from the post's words against the cause's description
    similar_words: tuple[str, ...] = ()  # the words that weighed most, as the post wrote them


@dataclass
class TextReading:
    causes: dict[str, CauseText] = field(default_factory=dict)
    symptoms: dict[str, float] = field(default_factory=dict)  # strength 0..1 of each symptom read
    on_topic: bool = False  # an RTMS word was seen
    on_topic_words: int = 0  # how many distinct RTMS words
    off_topic: tuple[Any, ...] = ()  # signs of another Zoom product or question

    @property
    def strongest(self) -> float:
        return max((c.signs_weight for c in self.causes.values()), default=0.0)


def read_text_evidence(matches: list[Any], kb: KnowledgeBase) -> TextReading:
    reading = TextReading()
    if not matches or kb.signs is None:
        return reading
    policy = kb.signs.policy
    by_owner: dict[str, list[Any]] = {}
    for match in matches:
        by_owner.setdefault(match.sign.owner, []).append(match)
    # several inputs may show the same sign: count it once
    for owner, found in by_owner.items():
        unique = {m.sign.text: m for m in reversed(found)}
        by_owner[owner] = sorted(unique.values(), key=lambda m: (-m.sign.weight, m.sign.text))
    similarity = _similarity(by_owner.pop("word", []), kb)
    reading.on_topic = "on_topic" in by_owner
    reading.on_topic_words = len(by_owner.get("on_topic", ()))
    reading.off_topic = tuple(by_owner.get("off_topic", ()))
    raw_symptoms = {o.split(":", 1)[1]: float(len(ms)) for o, ms in by_owner.items() if o.startswith("symptom:")}
    total = sum(raw_symptoms.values())
    reading.symptoms = {s: round((raw / total) * (1 - math.exp(-raw)), 6)
                        for s, raw in sorted(raw_symptoms.items())} if total else {}
    leading = max(((v, s) for s, v in reading.symptoms.items()), default=None)
    mismatch = leading if leading and leading[0] >= policy.symptom_mismatch_from else None
    best = _best_symptoms(reading.symptoms, kb)
    # a cause without signs or similar words has the evidence of every other such cause with
    # the same best symptom (or none: only the leading symptom against it): one frozen record
    shared: dict[tuple[float, str] | None, CauseText | None] = {}
    for cause_id in kb.causes:
        found = by_owner.get(cause_id)
        similar = similarity.get(cause_id)
        produced = best.get(cause_id)
        if found is None and similar is None:
            if produced is None and mismatch is None:
                continue
            if produced not in shared:
                shared[produced] = _cause_text(None, None, produced, mismatch, by_owner, policy)
            said = shared[produced]
        else:
            said = _cause_text(found, similar, produced, mismatch, by_owner, policy)
        if said is not None:
            reading.causes[cause_id] = said
    return reading


def _best_symptoms(symptoms: dict[str, float], kb: KnowledgeBase) -> dict[str, tuple[float, str]]:
    """cause id -> the strongest (strength, symptom) read that the cause produces, for the causes
    that produce one (knowledge/signs.py producers: the causes of each symptom)."""
    # built with the KB; worked out here for a KB made without it
    producers = getattr(kb.signs, "producers", None) or producers_of(kb.causes)
    best: dict[str, tuple[float, str]] = {}
    for symptom, strength in symptoms.items():
        for cause_id in producers.get(symptom, ()):
            held = best.get(cause_id)
            if held is None or (strength, symptom) > held:
                best[cause_id] = (strength, symptom)
    return best


def _cause_text(found: list[Any] | None, similarity: tuple[float, tuple[str, ...]] | None,
                best: tuple[float, str] | None, mismatch: tuple[float, str] | None,
                by_owner: dict[str, list[Any]], policy: Any) -> CauseText | None:
    """A cause's text evidence from its signs found, its similarity and the strongest symptom
    read that it produces (BEST); MISMATCH: the leading symptom, when strong enough to count."""
    found = found or []
    cap = policy.cap
    raw = sum(m.sign.weight for m in found)
    signs_weight = cap * (1 - math.exp(-raw / cap)) if raw else 0.0
    symptom_weight = policy.symptom_weight * best[0] if best else 0.0
    # the text reads as another stage than any this cause produces: graded evidence against
    # it, bounded below the rule-out line (text alone never rules a cause out)
    if mismatch and (best is None or best[0] < mismatch[0]):
        gap = mismatch[0] - (best[0] if best else 0.0)
        symptom_weight -= policy.symptom_mismatch_weight * gap
        if best is None:
            best = (0.0, mismatch[1])
    similar, words = similarity or (0.0, ())
    if signs_weight <= 0 and symptom_weight == 0 and similar <= 0:
        return None
    return CauseText(
        round(signs_weight + symptom_weight + similar, 6), round(signs_weight, 6), tuple(found),
        best[1] if best else None, round(symptom_weight, 6),
        tuple(by_owner.get(f"symptom:{best[1]}", ())) if best else (), round(similar, 6), words)


SIMILAR_WORDS_SHOWN = 6


def _similarity(words: list[Any], kb: KnowledgeBase) -> dict[str, tuple[float, tuple[str, ...]]]:
    """BM25 of the post's distinct words against each cause's description, graded by the share
    of the best score: cause id -> (weight, the words that weighed most)."""
    policy = kb.signs.policy.similarity
    if not words or policy.weight <= 0:
        return {}
    postings = kb.signs.postings
    rows = [(match.sign.text, postings.get(match.sign.tokens[0], ())) for match in words]
    # the scores first (each a sum in the words' order), the words shown only for the causes
    # that pass the floor: most causes do not, and gathering their words was most of the time
    scores: dict[str, float] = {}
    get = scores.get
    for _, row in rows:
        for cause_id, weight in row:
            scores[cause_id] = get(cause_id, 0.0) + weight
    best = max(scores.values(), default=0.0)
    graded: dict[str, tuple[float, tuple[str, ...]]] = {}
    for cause_id, score in scores.items():
        share = score / best if best > 0 else 0.0
        if share > policy.floor:
            graded[cause_id] = (policy.weight * ((share - policy.floor) / (1 - policy.floor)) ** policy.power, ())
    parts: dict[str, list[tuple[float, str]]] = {cause_id: [] for cause_id in graded}
    for text, row in rows:
        for cause_id, weight in row:
            if cause_id in parts:
                parts[cause_id].append((weight, text))
    for cause_id, found in parts.items():
        top = sorted(found, key=lambda p: (-p[0], p[1]))[:SIMILAR_WORDS_SHOWN]
        graded[cause_id] = (graded[cause_id][0], tuple(word for _, word in top))
    return graded
