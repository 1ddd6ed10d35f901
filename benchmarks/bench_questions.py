"""How many questions `ask` needs to put the right cause on top, against a fixed-order
questionnaire, over the end-to-end scenarios written from the domain catalog.

Each scenario is replayed from nothing: the simulated developer answers from the scenario's
facts and says "don't know" to anything else. The adaptive questionnaire picks each question
by expected change of the top candidates; the fixed one asks every fact the rules read, in
the order of kb/facts. A run counts the questions until the scenario's expected cause is
ranked where the scenario expects it and likely or possible (capped)."""
from __future__ import annotations

import statistics
from pathlib import Path

import yaml

from rtms_doctor.knowledge.case import FactSet, observations_from_case
from rtms_doctor.reasoning.diagnosis import Doctor
from rtms_doctor.knowledge.load import load_knowledge
from rtms_doctor.reasoning.questionnaire import Session

REPO = Path(__file__).resolve().parent.parent
CAP = 40


def scenarios(kb):  # type: ignore[no-untyped-def]
    for path in sorted((REPO / "tests" / "scenarios").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        expect = data.get("expect", {})
        target = expect.get("top1") or (expect.get("top3") or [None])[0]
        within = 1 if expect.get("top1") else 3
        if target and isinstance(data.get("facts"), dict):
            facts = FactSet(kb.schema, observations_from_case(data["facts"], kb.schema, path.name)).resolve()
            yield path.stem, (target, within), facts.values


def on_top(session: Session, target: tuple[str, int]) -> bool:
    """The expected cause ranked where the scenario expects it (first, or in the top three),
    likely or possible."""
    cause_id, within = target
    shown = [r.cause.id for r in session.diagnosis().causes if r.status in ("likely", "possible")]
    return cause_id in shown[:within]


def kb_policy(doctor: Doctor):  # type: ignore[no-untyped-def]
    return doctor.kb.policy


def adaptive(doctor: Doctor, target: tuple[str, int], oracle: dict) -> int:
    session = Session(doctor, [], max_questions=CAP)
    while not on_top(session, target):
        facts = session.facts().normalized()
        ranked = doctor.rank(doctor.outcomes(facts))
        questions = doctor.follow_up(facts, ranked, skip=session.asked | frozenset(facts),
                                     pool=kb_policy(doctor).ask_candidates)
        if not questions or len(session.steps) >= CAP:
            return CAP
        path = questions[0].path
        session.answer(path, oracle.get(path))
    return len(session.steps)


def fixed(doctor: Doctor, order: list[str], target: tuple[str, int], oracle: dict) -> int:
    session = Session(doctor, [], max_questions=CAP)
    for path in order:
        if on_top(session, target) or len(session.steps) >= CAP:
            break
        session.answer(path, oracle.get(path))
    return len(session.steps) if on_top(session, target) else CAP


def main() -> None:
    kb = load_knowledge()
    doctor = Doctor(kb)
    read = {p for r in kb.rules for p in r.paths}
    order = [p for p in kb.schema.specs if p in read]
    rows = [(name, adaptive(doctor, target, oracle), fixed(doctor, order, target, oracle))
            for name, target, oracle in scenarios(kb)]
    a = [r[1] for r in rows]
    f = [r[2] for r in rows]
    print(f"{len(rows)} scenarios; questions until the expected cause is on top (cap {CAP})")
    print(f"adaptive:    mean {statistics.mean(a):5.1f}  median {statistics.median(a):4.1f}  reached {sum(x < CAP for x in a)}/{len(a)}")
    print(f"fixed order: mean {statistics.mean(f):5.1f}  median {statistics.median(f):4.1f}  reached {sum(x < CAP for x in f)}/{len(f)}")


if __name__ == "__main__":
    main()
