"""The page views: what each page shows, as plain dicts built from the engine's own results
(Renderer.view, Session, readings, kb_stats, lint). The templates in reports/web only lay
them out, in the CLI's sandboxed Jinja2 environment with HTML autoescaping on top.
"""
from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from ..ingest import read_case
from ..ingest.reader import InputReport
from ..knowledge.case import ResolvedFacts
from ..knowledge.load import KnowledgeBase
from ..output.render import Renderer, show_value
from ..reasoning.diagnosis import Diagnosis, Doctor, diverse
from .state import PageSession, encode

MAX_VALUE_CHARS = 160  # as in the CLI's report: a value is shown on one line, cut here
MAX_NAME_CHARS = 120
PASTED = "pasted"  # the label of the text area's content (no suffix: JSON is read as JSON)
STOP_REASON = {"clear": "The leading cause is clear: no more questions are needed.",
               "limit": "Enough questions were asked; the ranking stands.",
               "exhausted": "No remaining question could change the ranking."}
# bidirectional overrides and isolates reorder what is shown ("Trojan Source"): dropped too
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))


# -- text made safe to show --------------------------------------------------------------------
def visible(value: Any) -> Any:
    """Jinja's finalize for the HTML pages: no control character from the input reaches the
    page (line breaks and tabs stay, for the reply and the snippets). Escaping comes after."""
    if not isinstance(value, str) or hasattr(value, "__html__"):
        return value
    if value.isprintable():
        return value
    return "".join(ch for ch in value.translate(_BIDI)
                   if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def outgoing(text: str) -> str:
    """Every body the server sends (pages and JSON) passes here: no control character, as
    on the CLI's streams. (engine/outlet.clean, once it lands, belongs here.)"""
    return visible(text)


def clip(value: Any) -> str:
    """A value on one line, at most MAX_VALUE_CHARS long (as the CLI's report shows it)."""
    text = " ".join(str(show_value(value)).split())
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def safe_href(url: Any) -> str:
    """Only web links from the knowledge base become links."""
    return url if isinstance(url, str) and re.match(r"https?://[^\s\"'<>]+$", url) else ""


def html_env(renderer: Renderer):  # type: ignore[no-untyped-def]
    """The CLI's sandboxed environment (loader, filters, StrictUndefined), with HTML
    autoescaping for the page templates (*.html.j2) and the control-character filter."""
    env = renderer.env.overlay(autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
                               finalize=visible)
    env.filters["clip"] = clip
    env.filters["href"] = safe_href
    return env


# -- reading what was pasted and dropped -------------------------------------------------------
def upload_name(name: str | None, index: int) -> str:
    """A safe file name keeping what tells staff which file a fact came from: the last path
    part, word characters, dots, dashes, @ (redacted at ingest like any file name)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.@+ -]", "_", base, flags=re.UNICODE).strip(" .")
    if len(base) > MAX_NAME_CHARS:
        stem, dot, suffix = base.rpartition(".")
        base = (stem[: MAX_NAME_CHARS - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 10 \
            else base[:MAX_NAME_CHARS]
    return base or f"upload-{index}"


def read_uploads(parts: list[tuple[str | None, bytes]], kb: KnowledgeBase) -> tuple[ResolvedFacts, list[InputReport]]:
    """Merge pasted text and files into one case exactly as the CLI does (read_case on
    files): each part is written to its own folder in a temporary directory that is deleted
    as soon as it is read."""
    with tempfile.TemporaryDirectory(prefix="rtms-doctor-") as folder:
        paths = []
        for index, (name, data) in enumerate(parts, start=1):
            slot = Path(folder) / f"{index:02d}"
            slot.mkdir()
            path = slot / upload_name(name, index)
            path.write_bytes(data)
            paths.append(str(path))
        return read_case(paths, kb)


# -- the diagnosis page ------------------------------------------------------------------------
def page_diagnosis(session: PageSession) -> Diagnosis:
    """The session's diagnosis with the report's follow-up questions (Doctor.diagnose's
    choice), less those already asked: a "don't know" is not asked again. The questionnaire's
    own next_question searches far more candidates (about 140 ms); the report's are enough
    for a page that shows several questions at once."""
    doctor = session.doctor
    diagnosis = session.diagnosis(questions=False)
    asked = session.asked
    found = doctor.follow_up(diagnosis.facts.normalized(), diagnosis.causes, skip=asked)
    diagnosis.questions = diverse(found, doctor.kb.policy.questions)
    return diagnosis


def page_view(renderer: Renderer, session: PageSession, reports: list[InputReport]) -> dict[str, Any]:
    """Everything the result page shows, for the session as it stands."""
    kb = renderer.kb
    diagnosis = page_diagnosis(session)
    view = renderer.view(diagnosis)
    stopped = ""
    if session.leader_is_clear(diagnosis.causes):
        stopped = STOP_REASON["clear"]
    elif len(session.steps) >= session.max_questions:
        stopped = STOP_REASON["limit"]
    elif not view["questions"]:
        stopped = STOP_REASON["exhausted"]
    return {
        "v": view,
        "reply": renderer.reply(diagnosis),
        "thin": diagnosis.thin, "off_topic": diagnosis.off_topic,
        "inputs": [{"label": r.label, "kind": r.kind, "shapes": r.shapes, "facts": r.facts} for r in reports],
        "questions": [question_view(kb, q["path"], q["causes"]) for q in view["questions"]],
        "stopped": stopped,
        "answered": [{"number": i, "path": s.path, "ask": kb.schema[s.path].ask,
                      "value": "don't know" if s.value is None else clip(s.value)}
                     for i, s in enumerate(session.steps, start=1)],
        "state": encode(session, reports),
        "confirmed": None,  # set once staff confirm the cause (POST /confirm)
    }


ANSWER_HINT = {"int": "a whole number", "float": "a number", "version": "a version, e.g. 1.2.3",
               "date": "a date, YYYY-MM-DD", "str": "text"}


def question_view(kb: KnowledgeBase, path: str, causes: list[str]) -> dict[str, Any]:
    spec = kb.schema[path]
    if spec.element_type == "bool":
        choices = ["yes", "no"]
    else:
        choices = [str(c) for c in spec.choices]
    hint = ANSWER_HINT.get(spec.element_type, "text")
    if spec.is_list:
        hint = f"one or more, separated by commas ({hint})"
    return {"path": path, "ask": spec.ask, "where": spec.where, "choices": choices,
            "free": not choices or spec.is_list, "hint": hint, "causes": causes}


# -- explain, the knowledge base, lint ---------------------------------------------------------
def explain_view(renderer: Renderer, doctor: Doctor, query: str) -> dict[str, Any]:
    from ..reasoning.explain import diagnose_readings, readings

    found = readings(renderer.kb, tuple(query.split()))
    diagnosis = diagnose_readings(doctor, found)
    return {"query": query,
            "readings": [{"name": r.entry.name, "numbering": r.numbering, "meaning": r.entry.meaning,
                          "expected": bool(r.entry.expected)} for r in found],
            "v": renderer.view(diagnosis)}


def explain_json(view: dict[str, Any]) -> dict[str, Any]:
    """The API's explain: the readings and the ranked causes (the report's findings)."""
    return {"query": view["query"], "readings": view["readings"],
            "causes": [{k: f[k] for k in ("rank", "id", "title", "confidence", "status")} | {
                "because": [e["because"] for e in f["evidence"]]} for f in view["v"]["findings"]],
            "questions": view["v"]["questions"], "kb_version": view["v"]["kb_version"]}


def kb_rows(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """As `kb list --format json`."""
    return [{"id": c.id, "title": c.title, "group": c.group, "status": c.status} for c in kb.causes.values()]


def kb_view(kb: KnowledgeBase) -> dict[str, Any]:
    from ..knowledge.stats import kb_stats

    groups: dict[str, list[dict[str, Any]]] = {}
    for cause in kb.causes.values():
        groups.setdefault(cause.group, []).append({
            "id": cause.id, "title": cause.title, "status": cause.status, "impact": cause.impact,
            "prior": cause.prior, "rules": len(kb.rules_for(cause.id))})
    return {"groups": dict(sorted(groups.items())), "stats": kb_stats(kb), "kb_version": kb.version}


def cause_view(kb: KnowledgeBase, cause_id: str) -> dict[str, Any]:
    """A cause with its rules and references (as `kb show`)."""
    cause = kb.causes[cause_id]
    data = dict(cause)
    data["remediation"] = [dict(step) | {"snippet": (step.snippet or "").rstrip("\n")} for step in cause.remediation]
    data["references"] = [dict(ref) for ref in cause.references]
    data["signs"] = None  # the record's nested signs are not shown (nor serialisable as is)
    rules = [{"id": r.id, "weight": r.rule.weight, "effective_weight": round(r.effective_weight, 3),
              "because": r.rule.because, "cases": len(r.cases), "source": r.rule.source}
             for r in kb.rules_for(cause_id)]
    return {"c": data, "rules": rules, "kb_version": kb.version}


def lint_state(kb: KnowledgeBase) -> dict[str, Any]:
    """`rtms-doctor lint` on the loaded KB (about five seconds: the app keeps the result)."""
    from ..lint import lint
    from ..output.template_check import template_problems

    findings = lint(kb, render_check=template_problems)
    return {"ok": not findings, "findings": [{"where": f.where, "message": f.message} for f in findings],
            "causes": len(kb.causes), "rules": len(kb.rules), "cases": sum(len(r.cases) for r in kb.rules),
            "facts": len(kb.schema.specs), "kb_version": kb.version}
