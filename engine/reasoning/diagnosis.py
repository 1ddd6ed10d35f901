"""From resolved facts to a ranked, explained differential diagnosis.

The ranking algebra is log-odds (documented in kb/policy.yaml and the README): every cause
starts at logit(prior); every rule that fires adds its effective weight (weight x the factor
of what the rule rests on). Confidence = sigmoid(score). A cause's score therefore decomposes
exactly into its prior and the rules that moved it.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..knowledge import conditions as C
from ..knowledge.case import ResolvedFacts
from .durable_engine import DurableEvaluator, cross_check_every, cross_checked
from ..errors import EngineError
from ..knowledge.load import CompiledRule, KnowledgeBase
from .text_evidence import CauseText, TextReading, read_text_evidence

TRUE, UNKNOWN = C.Truth.TRUE, C.Truth.UNKNOWN
STATUS_ORDER = {"likely": 0, "possible": 1, "cannot_tell": 2, "ruled_out": 3}
IMPACT_ORDER = {"blocker": 0, "high": 1, "medium": 2, "low": 3}


def diverse(questions: list[Question], n: int) -> list[Question]:
    """The n best questions, taking first one per leading cause they move (so a report
    separates the candidates instead of asking three things about the leader), then the rest
    in order of value."""
    chosen: list[Question] = []
    covered: set[str] = set()
    for question in questions:
        if len(chosen) == n:
            break
        if question.causes and question.causes[0] not in covered:
            chosen.append(question)
            covered.add(question.causes[0])
    for question in questions:
        if len(chosen) == n:
            break
        if question not in chosen:
            chosen.append(question)
    return sorted(chosen, key=lambda q: questions.index(q))


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@dataclass
class CauseResult:
    cause: Any  # the cause's record (kb_models.Cause)
    status: str
    confidence: float
    score: float  # log-odds: logit(prior) + evidence
    evidence: float  # sum of effective weights of the rules that fired
    hits: list[CompiledRule]  # rules that fired for this cause
    rules: tuple[CompiledRule, ...]  # all of the cause's rules
    outcomes: dict[str, C.Truth]  # the case's outcomes, shared by every cause
    text: CauseText | None = None  # what the post's words add (ingest signs), if anything

    @property
    def unknown(self) -> list[CompiledRule]:
        """The cause's rules that cannot tell yet (computed when a report needs them)."""
        return [r for r in self.rules if self.outcomes[r.id] is UNKNOWN]

    @property
    def rule_evidence(self) -> float:
        return self.evidence - (self.text.weight if self.text else 0.0)

    @property
    def supporting(self) -> list[CompiledRule]:
        return [r for r in self.hits if r.effective_weight > 0]

    @property
    def excluding(self) -> list[CompiledRule]:
        return [r for r in self.hits if r.effective_weight < 0]


@dataclass(frozen=True)
class Question:
    path: str
    value: float  # expected change of the top candidates' confidences if it were answered
    causes: tuple[str, ...]  # the candidate causes the answer moves


# follow_up's kept work: candidate frames and question values (bounded; see Doctor.follow_up).
# Full, the stores hold ~2-3 MB (at 1,000 / 20,000 / 20,000 / 2,000 they held ~11 MB and, filling
# between 10k and 100k cases, broke batch's flat-memory target); the hits stay as many
FRAMES_SEEN = 5_000  # hashes of the frames met once
FRAMES_KEPT = 400
VALUES_KEPT = 4_000
FOLLOW_UPS_KEPT = 400


@dataclass(frozen=True, eq=False)
class Frame:
    """What follow_up works out from the candidates alone (their ids and scores, in order)."""
    key: int | None  # stands for `items` in the kept questions' keys (never given twice; None: not kept)
    items: tuple[tuple[str, float], ...]
    base: dict[str, float]
    leader: str
    order: dict[str, int]
    confidence: dict[str, float]
    plausibility: dict[str, float]
    share: dict[str, float]  # single-fault probability
    # the base causes from the highest (score, id) down: the top after an answer is the
    # first of these the answer leaves alone, unless a cause it changes beats that one
    descending: list[tuple[float, str]]
    # the change of an answer that changes no rule: a bonus only if the leader is not on top
    unchanged: float
    # every fact the candidates' rules read, and the facts those are asked after (kept frames)
    reads: frozenset[str] = frozenset()
    # per fact: the candidates' rules that read it (candidates in order, each one's rules in
    # order), filled by Doctor._frame_rules
    rules: dict[str, tuple[CompiledRule, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, items: tuple[tuple[str, float], ...], key: int | None, reads: frozenset[str] = frozenset()) -> "Frame":
        base = dict(items)
        leader = items[0][0]
        confidence = {c: sigmoid(score) for c, score in base.items()}
        top_confidence = max(confidence.values())
        total = sum(confidence.values())
        descending = sorted(((score, c) for c, score in base.items()), reverse=True)
        return cls(key, items, base, leader, {c: i for i, c in enumerate(base)}, confidence,
                   {c: conf / top_confidence for c, conf in confidence.items()},
                   {c: conf / total for c, conf in confidence.items()},
                   descending, 0.0 + (0.5 if descending[0][1] != leader else 0.0), reads=reads)


@dataclass
class Diagnosis:
    kb: KnowledgeBase
    facts: ResolvedFacts
    causes: list[CauseResult]
    outcomes: dict[str, C.Truth]
    questions: list[Question] = field(default_factory=list)
    text: TextReading = field(default_factory=TextReading)
    thin: bool = False  # almost nothing specific was read: the ranking is mostly the priors
    off_topic: bool = False  # the text is about another Zoom product, not RTMS
    similar_confirmed: list[dict[str, Any]] | None = None  # casebook.similar(); None: no casebook

    def by_status(self, status: str) -> list[CauseResult]:
        return [c for c in self.causes if c.status == status]


class Doctor:
    """Holds the compiled engine; diagnose() may be called for many cases."""

    def __init__(self, kb: KnowledgeBase, eager: bool = False, cross_check: int = 1):
        """CROSS_CHECK: one case in how many also runs on durable_rules (1: every case; batch
        samples, see durable_engine.cross_checked; RTMS_DOCTOR_CROSSCHECK=all checks all)."""
        self.kb = kb
        self.durable = DurableEvaluator(kb.shards, eager=eager)
        self.cross_check = cross_check_every(cross_check)
        self.rules_by_id = {r.id: r for r in kb.rules}
        self._rules_by_path: dict[str, list[CompiledRule]] = {}
        # follow_up: a fact's rules per cause, in the rules' order
        self._rules_by_path_cause: dict[str, dict[str, list[CompiledRule]]] = {}
        self._answers: dict[str, list[Any]] = {}  # plausible_answers, per fact
        self._other_leaves: dict[tuple[str, str], tuple[Any, ...]] = {}  # _flips
        self._trials: dict[tuple[Any, ...], tuple[tuple[int, bool], ...]] = {}  # _flips
        self._frames: dict[tuple[tuple[str, float], ...], Frame] = {}  # follow_up
        self._frame_keys = itertools.count()  # a kept frame's key: never given twice
        self._frames_seen: set[int] = set()
        # follow_up: (path, frame key, flips) -> (unrounded value, causes moved)
        self._values: dict[tuple[Any, ...], tuple[float, tuple[str, ...]]] = {}
        # follow_up: (frame key, skip, the facts its candidates' rules read) -> its questions
        self._follow_ups: dict[tuple[Any, ...], tuple[tuple[str, float, tuple[str, ...]], ...]] = {}
        by_cause: dict[str, list[CompiledRule]] = {c: [] for c in kb.causes}
        for rule in kb.rules:
            by_cause[rule.cause_id].append(rule)
            for path in rule.paths:
                self._rules_by_path.setdefault(path, []).append(rule)
                self._rules_by_path_cause.setdefault(path, {}).setdefault(rule.cause_id, []).append(rule)
        # _evaluate: per fact, its rules' (id, compiled condition)
        self._tests_by_path: dict[str, tuple[tuple[str, Any], ...]] = {}
        self._rule_ids_by_path = {path: frozenset(r.id for r in rules) for path, rules in self._rules_by_path.items()}
        # what each rule gives whenever none of its facts is known
        self._on_nothing = {r.id: r.on_nothing for r in kb.rules}
        self._true_on_nothing = frozenset(r.id for r in kb.rules if r.on_nothing is TRUE)
        self._rules_by_cause = {c: tuple(rules) for c, rules in by_cause.items()}
        self._prior_logit = {c.id: logit(c.prior) for c in kb.causes.values()}
        # a cause no rule moved keeps its prior: its confidence and status, computed once
        self._unmoved = {c: (sigmoid(score), self._status(0.0, False, sigmoid(score)))
                         for c, score in self._prior_logit.items()}
        # the ranking's tie-break after status and confidence: prior, impact, id
        self._tie_break = {c.id: (-c.prior, IMPACT_ORDER[c.impact], c.id) for c in kb.causes.values()}
        # an unmoved cause's whole ranking key (see rank)
        self._unmoved_key = {c: (STATUS_ORDER[status], -round(confidence, 12)) + self._tie_break[c]
                             for c, (confidence, status) in self._unmoved.items()}
        # every cause in the order of its unmoved key: rank places the moved ones among them
        self._unmoved_order = sorted((key, c) for c, key in self._unmoved_key.items())

    # -- evaluation -----------------------------------------------------------------------
    def outcomes(self, facts: dict[str, Any]) -> dict[str, C.Truth]:
        """Hit / no hit / cannot tell for every rule, from the reference evaluation;
        durable_rules runs the same rules on every case (or, in batch, a deterministic sample:
        self.cross_check) and must agree on the hits.

        A rule that reads no known fact gives what it gives on an empty case (computed once);
        only the rules indexed under a known fact are evaluated."""
        return self._evaluate(facts)[0]

    def _evaluate(self, facts: dict[str, Any]) -> tuple[dict[str, C.Truth], set[str]]:
        """outcomes(facts), and the ids of the rules that hit."""
        fired = self.durable.fired(facts) if cross_checked(facts, self.cross_check) else None
        result = dict(self._on_nothing)
        hits = set(self._true_on_nothing)
        tests_by_path = self._tests_by_path
        for path in facts:
            tests = tests_by_path.get(path)
            if tests is None:  # compiled on first use: a cold start compiles only what it reads
                tests = tests_by_path[path] = tuple((r.id, r.test) for r in self._rules_by_path.get(path, ()))
            for rule_id, test in tests:
                truth = result[rule_id] = test(facts)
                if truth is TRUE:
                    hits.add(rule_id)
                else:
                    hits.discard(rule_id)
        if fired is not None and hits != fired:
            rule_id = sorted(hits ^ fired)[0]
            raise EngineError(f"engines disagree on rule {rule_id}: durable_rules "
                              f"{'fired' if rule_id in fired else 'did not fire'}, reference says {result[rule_id].value}")
        return result, hits

    def _status(self, evidence: float, supported: bool, confidence: float, can_rule_out: bool = True) -> str:
        """Ruled out only by the rules' evidence (``can_rule_out``); text evidence never does."""
        policy = self.kb.policy
        if can_rule_out and evidence <= policy.ruled_out:
            return "ruled_out"
        if supported and confidence >= policy.likely:
            return "likely"
        if supported and confidence >= policy.possible:
            return "possible"
        return "cannot_tell"

    def rank(self, outcomes: dict[str, C.Truth], text: TextReading | None = None) -> list[CauseResult]:
        """Every cause with its score, confidence and status, best first."""
        return self._rank(outcomes, [rule_id for rule_id, truth in outcomes.items() if truth is TRUE], text)

    def _rank(self, outcomes: dict[str, C.Truth], hits: Iterable[str], text: TextReading | None) -> list[CauseResult]:
        """rank, given the ids of the rules that hit in OUTCOMES (in any order). Only the causes
        a rule or the words moved are worked out; the others keep their prior and take their
        places from the order of the unmoved keys (every key ends in the cause id: no ties)."""
        texts = text.causes if text is not None else {}
        moved_by: dict[str, list[CompiledRule]] = {}
        rules_by_id = self.rules_by_id
        for rule_id in hits:
            rule = rules_by_id[rule_id]
            moved_by.setdefault(rule.cause_id, []).append(rule)
        keyed = []
        policy = self.kb.policy
        causes = self.kb.causes
        for cause_id in (moved_by.keys() | texts.keys()):
            cause = causes[cause_id]
            prior_score = self._prior_logit[cause_id]
            moved = moved_by.get(cause_id)
            said = texts.get(cause_id)
            if moved is None:  # words only: no rule fired, so the rule evidence is 0
                # 0 <= ruled_out decides as a sum of no rules would; 0 + weight as the sum gives it
                ruled_out = 0 <= policy.ruled_out
                evidence = 0 if ruled_out else 0 + said.weight
                if ruled_out:
                    said = None
                score = prior_score + evidence
                confidence = sigmoid(score)
                supported = said is not None and said.weight > 0
                status = "ruled_out" if ruled_out else self._status(evidence, supported, confidence, False)
                result = CauseResult(cause, status, confidence, score, evidence, [],
                                     self._rules_by_cause[cause_id], outcomes, said)
            else:
                cause_hits = sorted(moved, key=lambda r: r.id)  # a fixed order: a fixed float sum
                evidence = sum(r.effective_weight for r in cause_hits)
                # a rule-out stands whatever the words say: text evidence never lifts it
                ruled_out = evidence <= policy.ruled_out
                if said is not None and not ruled_out:
                    evidence += said.weight
                else:
                    said = None
                score = prior_score + evidence
                confidence = sigmoid(score)
                supported = any(r.effective_weight > 0 for r in cause_hits) or (said is not None and said.weight > 0)
                status = "ruled_out" if ruled_out else self._status(evidence, supported, confidence, False)
                result = CauseResult(cause, status, confidence, score, evidence, cause_hits,
                                     self._rules_by_cause[cause_id], outcomes, said)
            keyed.append(((STATUS_ORDER[status], -round(confidence, 12)) + self._tie_break[cause_id], result))
        keyed.sort(key=lambda item: item[0])
        # the moved causes merged into the unmoved ones' order
        ranked: list[CauseResult] = []
        count, j = len(keyed), 0
        unmoved = self._unmoved
        for key, cause_id in self._unmoved_order:
            if cause_id in moved_by or cause_id in texts:
                continue
            while j < count and keyed[j][0] < key:
                ranked.append(keyed[j][1])
                j += 1
            confidence, status = unmoved[cause_id]
            ranked.append(CauseResult(causes[cause_id], status, confidence, self._prior_logit[cause_id], 0, [],
                                      self._rules_by_cause[cause_id], outcomes))
        ranked.extend(result for _, result in keyed[j:])
        return ranked

    def diagnose(self, facts: ResolvedFacts, questions: bool = True) -> Diagnosis:
        normalized = facts.normalized()
        outcomes, hits = self._evaluate(normalized)
        text = read_text_evidence(facts.signs, self.kb)
        ranked = self._rank(outcomes, hits, text)
        diagnosis = Diagnosis(self.kb, facts, ranked, outcomes, text=text)
        self._judge_reading(diagnosis, normalized)
        if questions:
            asked = diverse(self.follow_up(normalized, ranked), self.kb.policy.questions)
            if diagnosis.thin:  # too little to separate causes: first ask where it goes wrong
                triage = [Question(path, 1.0, ()) for path, spec in self.kb.schema.specs.items()
                          if spec.triage and path not in normalized]
                asked = (triage + [q for q in asked if q.path not in {t.path for t in triage}])[:len(asked) or None]
            diagnosis.questions = asked
        return diagnosis

    def _judge_reading(self, diagnosis: Diagnosis, normalized: dict[str, Any]) -> None:
        """Thin: almost nothing specific was read, so the ranking is mostly the priors.
        Off-topic: the words are another Zoom product's, none of RTMS's."""
        signs = self.kb.signs
        if signs is None or not diagnosis.facts.signs:
            return  # structured input only: its facts speak for themselves
        specific = sum(1 for path in normalized if not self.kb.schema[path].triage)
        strongest = diagnosis.text.strongest
        thin = signs.policy.thin
        diagnosis.thin = specific < thin.min_facts and strongest < thin.min_text_evidence
        off, on = len(diagnosis.text.off_topic), diagnosis.text.on_topic_words
        least = signs.policy.off_topic_outnumbers
        outnumbered = bool(least) and off >= least and off > 2 * on  # "Zoom Phone ... invoice ... call queue"
        # outnumbered, the words decide unless a cause is likely on its facts: account facts
        # (plan, pack) are read from any Zoom post
        likely = any(c.status == "likely" for c in diagnosis.causes)
        diagnosis.off_topic = off > 0 and ((outnumbered and not likely) or (
            not on and specific < thin.min_facts and strongest <= signs.policy.off_topic_max_evidence))

    # -- follow-up questions ----------------------------------------------------------------
    def candidates(self, ranked: list[CauseResult], pool: int | None = None) -> list[CauseResult]:
        """The causes worth separating: the top of the ranking that is not ruled out."""
        return [r for r in ranked if r.status != "ruled_out"][: pool or self.kb.policy.candidates]

    def follow_up(self, facts: dict[str, Any], ranked: list[CauseResult],
                  skip: frozenset[str] = frozenset(), pool: int | None = None) -> list[Question]:
        """Unknown facts ranked by the expected change an answer would make to the top
        candidates.

        Every plausible answer of each unknown fact read by a candidate's undecided rules is
        tried. Answers are weighted by how likely they are, on a single-fault reading: if
        candidate c is the fault, the answer is one that raises c; if none does, one that
        raises nothing and does not lower c (a triage question such as case.symptom only
        lowers the causes it does not fit); c's probability is shared among those answers.
        The change of an answer is the change of the candidates' confidences, each weighted
        by how plausible the candidate already is next to the leader, plus a bonus if the
        leader changes. The total is scaled by how often the question can be answered at all
        (kb/facts answerable).

        RANKED is this doctor's ranking of FACTS (its outcomes are those of FACTS), as every
        caller builds it: the questions are kept per candidates and the facts their rules read.
        """
        top = self.candidates(ranked, pool)
        if not top:
            return []
        frame = self._frame(top)
        # everything the questions depend on: the frame, SKIP and the facts the candidates'
        # rules (or the asked_after of the facts they read) can read, as values' reprs (a
        # repr tells 1 from 1.0 and True, and a list from a text)
        key = None
        if frame.key is not None:
            reads = frame.reads
            key = (frame.key, skip, tuple(sorted([(path, repr(value)) for path, value in facts.items()
                                                  if path in reads])))
            found = self._follow_ups.get(key)
            if found is not None:
                return self._questions(found)
        found = self._follow_up_values(facts, top, frame, skip)
        if key is not None and len(self._follow_ups) < FOLLOW_UPS_KEPT:  # bounded: once full, kept as it is
            self._follow_ups[key] = found
        return self._questions(found)

    @staticmethod
    def _questions(found: tuple[tuple[str, float, tuple[str, ...]], ...]) -> list[Question]:
        """Questions from (path, unrounded value, causes moved), best first."""
        questions = [Question(path, round(value, 6), moved) for path, value, moved in found]
        questions.sort(key=lambda q: (-q.value, q.path))
        return questions

    def _follow_up_values(self, facts: dict[str, Any], top: list[CauseResult], frame: Frame,
                          skip: frozenset[str]) -> tuple[tuple[str, float, tuple[str, ...]], ...]:
        """follow_up's questions as (path, unrounded value, causes moved), in the facts' order."""
        paths: dict[str, None] = {}
        seen: set[str] = set()
        for result in top:
            outcomes = result.outcomes
            for rule in result.rules:  # result.unknown, without building the list
                if outcomes[rule.id] is not UNKNOWN:
                    continue
                for path in rule.paths:  # C.unknown_paths(rule.condition, facts), in its order
                    if path not in seen and path not in facts:
                        seen.add(path)
                        if path not in skip and self._may_ask(path, facts):
                            paths[path] = None
        # the rules that read a known fact: the others give what they give on no facts
        touched: set[str] = set()
        for path in facts:
            ids = self._rule_ids_by_path.get(path)
            if ids is not None:
                touched |= ids
        values = self._values
        flips_of = self._flips
        questions = []
        for path in paths:
            rules = frame.rules.get(path)
            if rules is None:
                rules = self._frame_rules(frame, path)
            if not rules or not self.plausible_answers(path):
                continue
            # what the facts give the question: which answers flip each candidate rule on
            # path, None for a rule that reads no known fact (its flips are those on no
            # facts); with the frame and the path, everything the question's value depends on
            flips = tuple([flips_of(rule, path, facts) if rule.id in touched else None for rule in rules])
            key = (path, frame.key, flips)
            found = values.get(key) if frame.key is not None else None
            if found is None:
                found = self._question_value(path, frame, rules, flips)
                if frame.key is not None and len(values) < VALUES_KEPT:  # bounded: once full, kept as it is
                    values[key] = found
            value, moved = found
            if value > 0:
                questions.append((path, value, moved))
        return tuple(questions)

    def _frame(self, top: list[CauseResult]) -> "Frame":
        """The candidates' part of follow_up, kept per (cause, score) list from its second
        case on (bounded): many cases share their candidates, e.g. the priors' top when their
        facts move none, while a post's words give most posts candidates of their own."""
        items = tuple([(r.cause.id, r.score) for r in top])
        frame = self._frames.get(items)
        if frame is None:
            seen = hash(items)  # a collision only keeps a frame one case early
            if seen in self._frames_seen and len(self._frames) < FRAMES_KEPT:
                frame = self._frames[items] = Frame.of(items, next(self._frame_keys), self._reads(c for c, _ in items))
            else:  # a frame not kept has no key: its questions are worked out, never kept
                if len(self._frames_seen) < FRAMES_SEEN:
                    self._frames_seen.add(seen)
                frame = Frame.of(items, None)
        return frame

    def _reads(self, causes: Iterable[str]) -> frozenset[str]:
        """Every fact the causes' rules read, and the facts those are asked after."""
        paths = {path for cause in causes for rule in self._rules_by_cause[cause] for path in rule.paths}
        schema = self.kb.schema
        return frozenset(paths.union(*({fact for fact, _ in schema[path].asked_after} for path in paths)))

    def _frame_rules(self, frame: Frame, path: str) -> tuple[CompiledRule, ...]:
        """The candidates' rules that read PATH: candidates in order, each one's rules in order."""
        by_cause = self._rules_by_path_cause.get(path, {})
        rules = frame.rules[path] = tuple([rule for cause in frame.base for rule in by_cause.get(cause, ())])
        return rules

    def _question_value(self, path: str, frame: Frame, rules: tuple[CompiledRule, ...],
                        flips: tuple[tuple[tuple[int, bool], ...] | None, ...]) -> tuple[float, tuple[str, ...]]:
        """A question's value (unrounded) and the candidates its answers raise, in order, from
        the frame, the candidates' RULES on PATH and their FLIPS (None: on no facts)."""
        base, order, confidence, plausibility = frame.base, frame.order, frame.confidence, frame.plausibility
        descending, leader, unchanged = frame.descending, frame.leader, frame.unchanged
        exp = math.exp
        count = len(self.plausible_answers(path))
        # the answers (by index) that change a candidate's rule, with the causes' new
        # scores; a cause's rules add their weights in the rules' order, as a float sum
        # must (causes never share a sum, so the order between causes does not matter)
        changed: dict[int, dict[str, float]] = {}
        for rule, found in zip(rules, flips):
            cause = rule.cause_id
            weight = rule.effective_weight
            for index, after in (found if found is not None else self._flips(rule, path, {})):
                scores = changed.get(index)
                if scores is None:
                    scores = changed[index] = {}
                scores[cause] = scores.get(cause, base[cause]) + (weight if after else -weight)
        if not changed and not unchanged:
            return 0.0, ()  # no answer changes anything: the question is worth 0
        # every other answer's trial is `unchanged`
        trials: dict[int, tuple[float, set[str], set[str]]] = {}
        for index in sorted(changed):
            scores = changed[index]
            # the other causes' terms are 0.0, which leaves a float sum as it is; one
            # cause needs no sorting; sigmoid inlined (the innermost loop)
            ordered = scores if len(scores) == 1 else sorted(scores, key=order.__getitem__)
            change = sum(plausibility[c] * abs(1 / (1 + exp(-scores[c])) - confidence[c]) for c in ordered)
            # max((scores.get(c, score), c) for c, score in base.items()): the best changed
            # cause against the best unchanged one
            top_after = max((score, c) for c, score in scores.items())
            for score, c in descending:
                if c not in scores:
                    if (score, c) > top_after:
                        top_after = (score, c)
                    break
            if top_after[1] != leader:
                change += 0.5
            raised = {c for c, score in scores.items() if score > base[c]}
            lowered = {c for c, score in scores.items() if score < base[c]}
            trials[index] = (change, raised, lowered)
        weights = self._answer_weights(count, trials, frame.share, bool(unchanged))
        # sum(weight x change) over every answer in order; an unchanged answer's term is
        # 0.0 unless there is a bonus, and adding 0.0 leaves a sum of terms >= 0 as it is
        value = sum(weight * (trials[i][0] if i in trials else unchanged) for i, weight in weights)
        value *= self.kb.schema[path].answerable  # a question nobody can answer moves nothing
        if value > 0:
            moved = {c for _, raised, _ in trials.values() for c in raised}
            return value, tuple(c for c in base if c in moved)
        return value, ()

    @staticmethod
    def _answer_weights(count: int, trials: dict[int, tuple[float, set[str], set[str]]],
                        share: dict[str, float], every: bool) -> list[tuple[int, float]]:
        """How likely each answer is (by index; every answer if EVERY, else only those in
        TRIALS, the ones that change something), on a single-fault reading: if cause c is the
        fault, the answers that raise c; if none does, those that raise nothing and do not
        lower c; else those that raise nothing; else any. c's share is split evenly among
        them; an answer's weight adds the causes' parts in the order of SHARE."""
        raising: dict[str, list[int]] = {}
        for i, (_, raised, _) in trials.items():
            for c in raised:
                raising.setdefault(c, []).append(i)
        raisers = {i for i, t in trials.items() if t[1]}
        still = count - len(raisers)  # the answers that raise nothing
        lowering_still = [(i, t[2]) for i, t in trials.items() if t[2] and not t[1]]
        # per cause: its part of each answer it fits, and which: a set of answers, or None
        # for the answers that raise nothing (less those in the excluded set), or ... for all
        fits: list[tuple[float, Any, frozenset[int]]] = []
        nothing: frozenset[int] = frozenset()
        for c, part in share.items():
            raise_c = raising.get(c)
            if raise_c:
                fits.append((part / len(raise_c), set(raise_c), nothing))
                continue
            excluded = frozenset([i for i, lowered in lowering_still if c in lowered]) if lowering_still else nothing
            if still - len(excluded) > 0:
                fits.append((part / (still - len(excluded)), None, excluded))
            elif still:
                fits.append((part / still, None, nothing))
            else:
                fits.append((part / count, ..., nothing))
        weights = []
        for i in (range(count) if every else sorted(trials)):
            weight = 0.0
            for portion, members, excluded in fits:
                if members is ...:
                    weight += portion
                elif members is None:
                    if i not in raisers and i not in excluded:
                        weight += portion
                elif i in members:
                    weight += portion
            weights.append((i, weight))
        return weights

    def _flips(self, rule: CompiledRule, path: str, facts: dict[str, Any]) -> tuple[tuple[int, bool], ...]:
        """The plausible answers of the unknown PATH (by index) that change whether RULE
        fires on facts, with whether it fires then: path is unknown, so this depends only on
        what the rule's other leaves give on facts, and is kept per those (bounded; the same
        for every case)."""
        others = self._other_leaves.get((rule.id, path))
        if others is None:
            others = self._other_leaves[(rule.id, path)] = tuple(
                C.compile_python(leaf) for leaf in C.leaves(rule.condition) if leaf.path != path)
        key = (rule.id, path, tuple([leaf(facts) for leaf in others]))
        found = self._trials.get(key)
        if found is None:
            before, afters = self._trial_outcomes(rule, path, facts)
            found = tuple((index, after) for index, after in enumerate(afters) if after != before)
            if len(self._trials) < 50_000:  # bounded: once full, kept as it is
                self._trials[key] = found
        return found

    def _trial_outcomes(self, rule: CompiledRule, path: str, facts: dict[str, Any]) -> tuple[bool, tuple[bool, ...]]:
        """(rule fires on facts, rule fires on facts with path set to each plausible answer)."""
        trial = dict(facts)
        afters = []
        for answer in self.plausible_answers(path):
            trial[path] = answer
            afters.append(rule.test(trial) is TRUE)
        return rule.test(facts) is TRUE, tuple(afters)

    def _may_ask(self, path: str, facts: dict[str, Any]) -> bool:
        """A question that presumes an earlier answer waits for it (kb/facts asked_after)."""
        schema = self.kb.schema
        for fact, values in schema[path].asked_after:
            known = facts.get(fact)
            if known is None or known not in {schema[fact].normalize(v) for v in values}:
                return False
        return True

    def plausible_answers(self, path: str) -> list[Any]:
        """Normalised values worth trying for a fact: its closed set, or the rules' operands
        (the same for every case: worked out once per fact)."""
        known = self._answers.get(path)
        if known is None:
            known = self._answers[path] = self._plausible_answers(path)
        return known

    def _plausible_answers(self, path: str) -> list[Any]:
        spec = self.kb.schema[path]
        if spec.element_type == "bool":
            return [True, False]
        if spec.element_type == "enum" and not spec.is_list:
            return list(spec.values)
        operands: list[Any] = []
        for rule in self._rules_by_path.get(path, []):
            for leaf in C.leaves(rule.condition):
                if leaf.path != path or leaf.op in ("present", "missing"):
                    continue
                values = leaf.operand if isinstance(leaf.operand, tuple) else (leaf.operand,)
                for value in values:
                    if leaf.op == "matches":  # a text the pattern itself would match, roughly
                        value = re.sub(r"[\\^$()\[\]|?*+{}]", "", value.replace(".*", " "))
                    if leaf.op in ("gt", "lte"):
                        value = value + 1 if leaf.op == "gt" else value
                    if leaf.op in ("lt", "gte"):
                        value = value - 1 if leaf.op == "lt" else value
                    operands.append([value] if spec.is_list else value)
        operands.append([] if spec.is_list else None)
        unique: list[Any] = []
        for value in operands:
            if value is not None and value not in unique:
                unique.append(value)
        return unique
