"""`rtms-doctor ask`: one question at a time, each chosen to best separate the current top
candidates (Doctor.follow_up: the expected change of their confidences, not a fixed script).

The session is independent of any terminal: a driver asks `next_question()`, feeds back what
the person said with `answer()`, and reads `top()`; the CLI drives it from a terminal or from
an answers file. Question wording, help and allowed values come from kb/facts.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..knowledge.case import FactSet, Observation, ResolvedFacts, Source
from .diagnosis import CauseResult, Diagnosis, Doctor
from ..knowledge.fact_kinds import KINDS, AnswerError
from ..knowledge.facts import FactSpec

DONT_KNOW = {"?", "dk", "don't know", "dont know", "do not know", "unknown", "skip", "idk", "n/a"}


@dataclass
class Step:
    path: str
    value: Any  # None = don't know


@dataclass
class Session:
    doctor: Doctor
    start: list[Observation]
    steps: list[Step] = field(default_factory=list)
    max_questions: int = 15
    stopped: str = ""  # why next_question() last returned None
    signs: list[Any] = field(default_factory=list)  # the text signs of the post it started from

    # -- state ---------------------------------------------------------------------------
    def facts(self) -> ResolvedFacts:
        facts = FactSet(self.doctor.kb.schema, list(self.start), list(self.signs))
        for i, step in enumerate(self.steps, start=1):
            if step.value is not None:
                facts.add(Observation(step.path, step.value, Source("questionnaire", f"answer {i}", "answer")))
        return facts.resolve()

    def diagnosis(self, questions: bool = False) -> Diagnosis:
        return self.doctor.diagnose(self.facts(), questions=questions)

    def top(self, n: int = 3) -> list[CauseResult]:
        return [r for r in self.diagnosis().causes if r.status != "ruled_out"][:n]

    @property
    def asked(self) -> frozenset[str]:
        return frozenset(step.path for step in self.steps)

    # -- choosing and stopping ---------------------------------------------------------------
    def next_question(self) -> str | None:
        """The unknown fact that best separates the top candidates, or None to stop, with
        the reason in ``stopped``: "clear" (the leader is clear), "limit" (enough was asked)
        or "exhausted" (no question could change the ranking)."""
        normalized = self.facts().normalized()
        ranked = self.doctor.rank(self.doctor.outcomes(normalized))
        if self.leader_is_clear(ranked):
            self.stopped = "clear"
            return None
        if len(self.steps) >= self.max_questions:
            self.stopped = "limit"
            return None
        skip = self.asked | frozenset(normalized)
        questions = self.doctor.follow_up(normalized, ranked, skip=skip, pool=self.doctor.kb.policy.ask_candidates)
        if not questions:
            self.stopped = "exhausted"
            return None
        return questions[0].path

    def leader_is_clear(self, ranked: list[CauseResult]) -> bool:
        policy = self.doctor.kb.policy
        shown = [r for r in ranked if r.status != "ruled_out"]
        if not shown or shown[0].status != "likely":
            return False
        runner_up = shown[1].confidence if len(shown) > 1 else 0.0
        return shown[0].confidence - runner_up >= policy.ask_clear_margin

    # -- answers ---------------------------------------------------------------------------
    def answer(self, path: str, text: Any) -> None:
        """Record an answer (text from a person, or a value from an answers file)."""
        kb = self.doctor.kb
        self.steps.append(Step(path, parse_answer(kb.schema[path], text, code_names(kb, path))))

    def back(self) -> str | None:
        """Undo the last answer; returns the fact it was about."""
        return self.steps.pop().path if self.steps else None

    def why(self, path: str) -> list[tuple[str, str, list[str]]]:
        """Which candidate causes, and which of their rules, this answer decides."""
        facts = self.facts().normalized()
        ranked = self.doctor.rank(self.doctor.outcomes(facts))
        out = []
        for result in self.doctor.candidates(ranked, self.doctor.kb.policy.ask_candidates):
            rules = [r for r in result.unknown if path in r.paths]
            if rules:
                out.append((result.cause.id, result.cause.title, [f"{r.id}: {r.rule.because}" for r in rules]))
        return out

    def case_json(self) -> dict[str, Any]:
        """Every known fact as the tool's case JSON, for --save."""
        out: dict[str, Any] = {"case_version": 1}
        for path, value in self.facts().values.items():
            node = out
            parts = path.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = value
        return out


def code_names(kb: Any, path: str) -> dict[str, int]:
    """The names logs print for a numeric fact's codes (STATUS_INVALID_SIGNATURE, STOP_BC_...),
    from the code tables observed as that fact; the current numbering wins over the legacy one."""
    path = path.replace("handshake.media.", "handshake.signaling.")  # one numbering for both sockets
    names: dict[str, int] = {}
    for kind in ("status", "legacy_status", "stop_reason", "close", "event_type", "session_state",
                 "stream_state", "rest"):
        table = kb.codes.get(kind)
        if table is None or table.fact != path:
            continue
        for entry in table.codes:
            if isinstance(entry.code, int):
                for name in (entry.name.lower(), entry.name.lower().removeprefix("status_")):
                    names.setdefault(name, entry.code)
    return names


def parse_answer(spec: FactSpec, raw: Any, names: dict[str, int] | None = None) -> Any:
    """A person's answer (or an answers-file value) as a value of the fact; None = unknown.
    A numeric fact also takes the name a log prints for the number (``names``)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if text.lower() in DONT_KNOW or not text:
            return None
        if spec.is_list:
            items = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
            return [_one(spec, item, names) for item in items]
        return _one(spec, text, names)
    if spec.is_list:
        items = raw if isinstance(raw, list) else [raw]
        return [_one(spec, item, names) for item in items]
    return _one(spec, raw, names)


def _one(spec: FactSpec, raw: Any, names: dict[str, int] | None = None) -> Any:
    kind = spec.element_type
    text = str(raw).strip() if not isinstance(raw, bool) else raw
    if kind == "int" and names and isinstance(raw, str) and text.lower() in names:
        return names[text.lower()]
    try:
        return KINDS[kind].answer(raw, text, spec)
    except ValueError as exc:
        if isinstance(exc, AnswerError):
            raise
        raise AnswerError(f"'{raw}' is not a valid {kind}") from None


def load_answers(text: str, label: str) -> dict[str, Any]:
    """An answers file: a mapping of fact path to answer, in YAML or JSON."""
    from ..errors import InputError

    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        import re

        import yaml

        # "fact: ?" is how people write "don't know", but a bare ? is YAML syntax
        text = re.sub(r"(?m)^(\s*[\w.-]+\s*:\s*)\?\s*$", r"\1'?'", text)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"{label}: neither JSON nor YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise InputError(f"{label}: answers must be a mapping of fact path to answer")
    return data
