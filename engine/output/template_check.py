"""Lint of the templates: render every one against sample diagnoses and report what fails."""
from __future__ import annotations

import json
from dataclasses import replace

from ..knowledge.case import FactSet, observations_from_case
from ..knowledge.load import KnowledgeBase
from ..knowledge.stats import kb_stats
from ..reasoning.diagnosis import Doctor
from .cause_text import TEMPLATE as CAUSE_TEMPLATE, CauseTexts
from .render import Renderer


def template_problems(kb: KnowledgeBase) -> list[str]:
    """Render every template against sample diagnoses; return what failed (for lint)."""
    try:
        renderer = Renderer(kb)
        doctor = Doctor(kb)
        diagnoses = [doctor.diagnose(FactSet(kb.schema).resolve()), doctor.diagnose(_sample_facts(kb))]
    except Exception as exc:
        return [f"templates: cannot prepare sample diagnoses: {type(exc).__name__}: {exc}"]
    similar = [{"id": 1, "cause": "c", "title": "t", "similarity": 0.5, "first_answer": "", "shared_facts": 1,
                "shared_signs": 0, "confirmed_at": "2026-01-01T00:00:00Z"}]
    listed = {"id": 1, "confirmed_at": "t", "cause": "c", "title": "t", "first_answer": "x", "agreed": False, "note": "n"}
    jobs = {
        CAUSE_TEMPLATE: lambda: [CauseTexts(renderer.env.get_template(CAUSE_TEMPLATE), renderer.cause_parts)[c]
                                 for c in kb.causes],
        "report.md.j2": lambda: [renderer.markdown(d) for d in diagnoses]
        + [renderer.markdown(replace(diagnoses[1], similar_confirmed=found)) for found in ([], similar)],
        "casebook-list.md.j2": lambda: [renderer.env.get_template("casebook-list.md.j2").render(rows=rows)
                                        for rows in ([], [listed])],
        "casebook-show.md.j2": lambda: [renderer.env.get_template("casebook-show.md.j2").render(
            c=dict(listed, kb_version="v", ranking=[{"id": "c", "title": "t", "status": "likely", "confidence": 0.5}],
                   facts=[{"path": "p", "value": "v"}], signs=[{"owner": "c", "text": "s"}]))],
        "casebook-stats.md.j2": lambda: [renderer.env.get_template("casebook-stats.md.j2").render(
            s={"cases": 1, "agreed": 0, "disagreed": 1, "causes": [{"cause": "c", "title": "t", "confirmed": 1,
                                                                    "agreed": 0, "disagreed": 1,
                                                                    "said": [{"id": "x", "times": 1}]}]})],
        "reply.md.j2": lambda: [renderer.reply(d) for d in diagnoses],
        "cause.md.j2": lambda: [renderer.cause(c) for c in kb.causes],
        "explain.md.j2": lambda: [_render_explain(renderer, doctor, kb)],
        "facts.md.j2": lambda: [renderer.facts(diagnoses[1].facts, [])],
        "stats.md.j2": lambda: [renderer.stats(kb_stats(kb))],
        "batch.md.j2": lambda: [renderer.batch_summary([{"case": "c", "top_cause": "x", "confidence": 0.5,
                                                         "runner_up": "", "status": "likely"}])],
        "eval.md.j2": lambda: [renderer.eval_report({"cases": 1, "top1": 1.0, "top3": 1.0, "mean_rank": 1.0,
                                                     "misses": [{"case": "c", "expected": ["x"], "rank": 2,
                                                                 "said": ["y"]}],
                                                     "errors": [{"case": "d", "error": "e"}]})],
    }
    problems: list[str] = []
    for name, job in jobs.items():
        try:
            job()
        except Exception as exc:
            path = kb.roots.reports / name
            line = getattr(exc, "lineno", None) or _template_line(exc, path)
            problems.append(f"{path}:{line or 1}: {type(exc).__name__}: {exc}")
    try:
        for diagnosis in diagnoses:
            json.loads(renderer.json(diagnosis))
    except Exception as exc:
        problems.append(f"json output: {type(exc).__name__}: {exc}")
    return problems


def _render_explain(renderer: Renderer, doctor: Doctor, kb: KnowledgeBase) -> str:
    from ..reasoning.explain import Reading, diagnose_readings

    found = [Reading(table, table.codes[0]) for table in kb.codes.values()]
    return renderer.explain("sample", found, diagnose_readings(doctor, found)) if found else ""


def _template_line(exc: BaseException, path) -> int | None:  # type: ignore[no-untyped-def]
    """Jinja rewrites tracebacks so template frames carry the template's file and line."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == str(path):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _sample_facts(kb: KnowledgeBase):  # type: ignore[no-untyped-def]
    """A busy case: the facts of the first 'hit' case of every rule, merged."""
    facts = FactSet(kb.schema)
    for rule in kb.rules:
        for case in rule.cases:
            if case.expect == "hit":
                facts.extend(observations_from_case(case.facts, kb.schema, f"sample:{rule.id}"))
                break
    return facts.resolve()
