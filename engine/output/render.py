"""Turns a Diagnosis into the staff report, the forum reply and JSON.

Python builds one plain view (dicts and lists, every value already redacted at ingest and
made inert here); the Jinja2 templates in reports/ only lay it out. Templates run in a
sandboxed environment with StrictUndefined, so a typo in a template fails loudly.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable, Iterator

from ..knowledge import conditions as C
from ..reasoning.diagnosis import CauseResult, Diagnosis
from ..knowledge.load import KnowledgeBase
from ..regex_cache import cached_compile
from .cause_text import TEMPLATE as CAUSE_TEMPLATE, CauseTexts

SCHEMA_VERSION = "rtms-doctor/diagnosis/v1"
STATUS_LABEL = {"likely": "likely", "possible": "possible", "cannot_tell": "cannot tell",
                "ruled_out": "ruled out"}
MAX_VALUE_CHARS = 160
TABLE_ROWS = 8  # causes in the differential table
MAX_SIGNS_SHOWN = 6  # matched words shown per cause
MAX_REPLY_QUESTIONS = 3
ZOOM_TIERS = ("official-doc", "official-code")  # the reply links Zoom's own material only
# snippet languages a reply leaves out for an asker on the other SDK
OTHER_LANGUAGES = {"node": ("python", "py"), "python": ("js", "javascript", "ts", "typescript")}

_MD_SPECIAL = cached_compile(r"([\\`*_{}\[\]()<>#+!|~])")


def inert(value: Any) -> str:
    """Text from the input, made safe to place in Markdown: no markup, links, images,
    HTML or mentions survive, and it stays on one line."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "…"
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = text.replace("@", "@\u200b")  # no forum @mention
    text = re.sub(r"(?i)(://|www\.)", lambda m: m.group(0)[:-1] + "\u200b" + m.group(0)[-1], text)  # no autolink
    text = text.replace("{{", "{\u200b{").replace("{%", "{\u200b%")
    return text


def code(value: Any) -> str:
    """Text from the input as a Markdown code span: shown literally, never as markup."""
    text = " ".join(str(value).split()).replace("`", "\u02bc").replace("|", "\\|")
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "…"
    return f"`{text}`" if text else ""


def fence_safe(text: str) -> str:
    """Input text for a fenced block: no line can close the fence (no run of four backticks)."""
    text = str(text)
    return re.sub(r"`{4,}", lambda m: "ʼ" * len(m.group(0)), text).rstrip("\n")


def first_sentence(text: str) -> str:
    """The first sentence of a KB text (a summary can run to three)."""
    text = str(text)  # an undefined variable raises here, naming itself (lint)
    match = re.search(r"(?<=[a-z0-9)\]'\"`])[.!?](?=\s+[A-Z(\"'`])", text)
    return text[:match.end()] if match else text


def show_value(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _bytecode_cache():  # type: ignore[no-untyped-def]
    """Compiled templates kept between runs (Jinja checks each template's modification time)."""
    from jinja2 import FileSystemBytecodeCache

    from ..private_cache import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    try:
        (folder / "templates").mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder / "templates"))


class FactRows:
    """A case's facts as a report shows them (the value, where it came from), each worked out
    once per view: a fact shows in the facts table and in every evidence row that reads it."""

    def __init__(self, facts: Any):  # knowledge.case.ResolvedFacts
        self.facts = facts
        self._values: dict[str, Any] = {}
        self._sources: dict[str, str] = {}

    def value(self, path: str) -> Any:
        """show_value of the fact's value (None when it is not known)."""
        shown = self._values.get(path, self)
        if shown is self:
            shown = self._values[path] = show_value(self.facts.values.get(path))
        return shown

    def source(self, path: str) -> str:
        text = self._sources.get(path)
        if text is None:
            text = self._sources[path] = self.facts.source_text(path)
        return text


@dataclass(frozen=True)
class QuietCause:
    """A cause none of whose rules reads a known fact: each rule gives what it gives on no facts
    (Doctor.outcomes), so what it leaves undecided depends on the knowledge base alone."""
    rules: tuple[Any, ...]  # the cause's rules (CompiledRule), in order
    paths: frozenset[str]  # every fact they read
    missing: tuple[str, ...]  # the facts its undecided rules need, in order; empty: none undecided

    @classmethod
    def of(cls, rules: tuple[Any, ...]) -> "QuietCause":
        unknown = [rule for rule in rules if rule.on_nothing is C.Truth.UNKNOWN]
        return cls(rules, frozenset(path for rule in rules for path in rule.paths),
                   tuple(dict.fromkeys(path for rule in unknown for path in rule.paths)))


class Renderer:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._cause_texts: CauseTexts | None = None
        self._quiet_causes: dict[str, QuietCause] = {}  # _quiet

    @cached_property
    def env(self):  # type: ignore[no-untyped-def]
        """The sandboxed Jinja2 environment, built (and Jinja2 imported) on the first template
        rendered: JSON output needs neither (~12 ms of a cold start)."""
        from jinja2 import FileSystemLoader, StrictUndefined

        from .sandbox import ReportSandbox

        env = ReportSandbox(
            loader=FileSystemLoader(str(self.kb.roots.reports)),
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
            trim_blocks=True, lstrip_blocks=True, bytecode_cache=_bytecode_cache(),
        )
        env.filters["inert"] = inert
        env.filters["code"] = code
        env.filters["pct"] = lambda x: f"{round(x * 100)}%"
        env.filters["first_sentence"] = first_sentence
        env.filters["fence_safe"] = fence_safe
        return env

    # -- the view ---------------------------------------------------------------------------
    def view(self, diagnosis: Diagnosis) -> dict[str, Any]:
        facts = diagnosis.facts
        ranked = diagnosis.causes
        rows = FactRows(facts)
        shown = [r for r in ranked if r.status in ("likely", "possible")]
        differential = [self._row(i + 1, r) for i, r in enumerate(ranked[:max(TABLE_ROWS, len(shown))])
                        if r.status != "ruled_out"]
        view = {
            "schema": SCHEMA_VERSION,
            "kb_version": self.kb.version,
            "differential": differential,
            # ranks by position (list.index compared whole CauseResults field by field)
            "findings": [self._finding(i + 1, r, diagnosis, rows) for i, r in enumerate(ranked)
                         if r.status in ("likely", "possible")],
            "ruled_out": _group_by_one_fact([self._ruled_out(r, diagnosis, rows)
                                             for r in diagnosis.by_status("ruled_out")]),
            "unchecked": self._unchecked(diagnosis),
            "questions": [self._question(q) for q in diagnosis.questions],
            "conflicts": _conflicts(facts),
            "facts": [{"path": p, "value": rows.value(p), "source": rows.source(p)} for p in facts.values],
            "reading": self._reading(diagnosis),
            "redacted_copies": [{"input": label, "text": text} for label, text in diagnosis.facts.redacted_copies],
        }
        if diagnosis.similar_confirmed is not None:  # only with a casebook: output unchanged without
            view["similar_confirmed"] = diagnosis.similar_confirmed
        return view

    def _reading(self, diagnosis: Diagnosis) -> dict[str, Any] | None:
        """How much the text gave: thin (the ranking is mostly the priors), off-topic, and the
        symptom read from it; None when no text was read (structured input speaks for itself)."""
        if not diagnosis.facts.signs:
            return None
        text = diagnosis.text
        labels = self.kb.signs.symptom_labels
        symptom = max(text.symptoms.items(), key=lambda kv: (kv[1], kv[0]), default=None)
        return {"thin": diagnosis.thin, "off_topic": diagnosis.off_topic,
                "off_topic_words": [m.sign.text for m in text.off_topic][:MAX_SIGNS_SHOWN],
                "symptom": symptom[0] if symptom else None,
                "symptom_label": labels.get(symptom[0], symptom[0]) if symptom else None,
                "symptom_strength": round(symptom[1], 3) if symptom else 0.0,
                "facts_read": sum(1 for p in diagnosis.facts.values if not self.kb.schema[p].triage),
                "causes_with_words": len(text.causes)}

    def _row(self, rank: int, r: CauseResult) -> dict[str, Any]:
        return {"rank": rank, "id": r.cause.id, "title": r.cause.title, "group": r.cause.group,
                "confidence": round(r.confidence, 4), "impact": r.cause.impact, "status": r.status,
                "status_label": STATUS_LABEL[r.status], "kb_status": r.cause.status}

    def _evidence(self, rule, diagnosis: Diagnosis, rows: FactRows | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        if rows is None:
            rows = FactRows(diagnosis.facts)
        leaves = C.matched_leaves(rule.condition, diagnosis.facts.normalized())
        facts = []
        for leaf in leaves:
            path = leaf.path
            value = rows.value(path)
            facts.append({"path": path, "value": value if value is not None else "(not known)",
                          "source": rows.source(path) or "-",
                          "test": C.text_of(leaf)})
        return {"rule": rule.id, "because": rule.rule.because, "source": rule.rule.source,
                "weight": round(rule.effective_weight, 3), "facts": facts}

    def _all_evidence(self, r: CauseResult, diagnosis: Diagnosis, rows: FactRows | None = None) -> list[dict[str, Any]]:
        if rows is None:
            rows = FactRows(diagnosis.facts)
        return [self._evidence(o, diagnosis, rows) for o in r.hits] + self._text_evidence(r)

    def _text_evidence(self, r: CauseResult) -> list[dict[str, Any]]:
        """The post's words behind a cause, as evidence rows like a rule's."""
        said = r.text
        if said is None:
            return []
        rows = []
        source = self.kb.signs.policy.source
        if said.signs_weight > 0:
            shown = said.matches[:MAX_SIGNS_SHOWN]
            more = f" and {len(said.matches) - len(shown)} more" if len(said.matches) > len(shown) else ""
            rows.append({
                "rule": f"{r.cause.id}.text_signs", "source": r.cause.references[0].url,
                "because": f"The post uses words developers write when this cause is at play ({len(said.matches)} sign(s), graded by how specific they are).",
                "weight": round(said.signs_weight, 3),
                "facts": [{"path": f"words ({m.sign.kind})", "value": f"'{m.sign.text}'",
                           "source": f"{m.file}:line {m.line}", "test": f"sign weight {m.sign.weight:.2f}"}
                          for m in shown] + ([{"path": "words", "value": more.strip(), "source": "-",
                                               "test": ""}] if more else []),
            })
        if said.similarity_weight > 0:
            rows.append({
                "rule": f"{r.cause.id}.text_similarity", "source": source,
                "because": "The post's words overlap this cause's own description (BM25 over the causes, graded by the best match).",
                "weight": round(said.similarity_weight, 3),
                "facts": [{"path": "words (overlap)", "value": ", ".join(f"'{w}'" for w in said.similar_words),
                           "source": "the post", "test": "BM25"}],
            })
        if said.symptom_weight != 0:
            label = self.kb.signs.symptom_labels.get(said.symptom, said.symptom)
            produces = "which this cause produces" if said.symptom_weight > 0 else \
                "which this cause does not produce (graded, never a rule-out)"
            rows.append({
                "rule": f"{r.cause.id}.text_symptom", "source": source,
                "because": f"The post reads as going wrong first at {label}, {produces}.",
                "weight": round(said.symptom_weight, 3),
                "facts": [{"path": "case.symptom (read softly)", "value": f"'{m.sign.text}'",
                           "source": f"{m.file}:line {m.line}", "test": f"symptom {said.symptom}"}
                          for m in said.symptom_matches[:MAX_SIGNS_SHOWN]],
            })
        return rows

    def _finding(self, rank: int, r: CauseResult, diagnosis: Diagnosis, rows: FactRows) -> dict[str, Any]:
        cause = r.cause
        row = self._row(rank, r)
        parts = self.cause_parts(cause.id)
        row.update({
            "summary": cause.summary, "why": parts["why"],
            "evidence": self._all_evidence(r, diagnosis, rows),
            "remediation": parts["remediation"],
            "references": parts["references"],
            "prior": cause.prior, "score": round(r.score, 3), "evidence_total": round(r.evidence, 3),
            "missing": self._missing(r, diagnosis),
        })
        return row

    def cause_parts(self, cause_id: str) -> dict[str, Any]:
        """What a finding shows of its cause's own text (the macros of report-cause.md.j2 read it)."""
        cause = self.kb.causes[cause_id]
        return {"why": cause.why, "remediation": [_step(s) for s in cause.remediation],
                "references": [dict(ref) for ref in cause.references]}

    def _ruled_out(self, r: CauseResult, diagnosis: Diagnosis, rows: FactRows) -> dict[str, Any]:
        return {"group": False, "id": r.cause.id, "title": r.cause.title,
                "by": [self._evidence(o, diagnosis, rows) for o in r.excluding]}

    def _missing(self, r: CauseResult, diagnosis: Diagnosis, unknown: list[Any] | None = None) -> list[str]:
        """The facts the cause's undecided rules (UNKNOWN: r.unknown, when not given) still need."""
        normalized = diagnosis.facts.normalized()
        if unknown is None:
            quiet = self._quiet(r)
            if quiet.paths.isdisjoint(normalized):
                return list(quiet.missing)
            unknown = r.unknown
        # C.unknown_paths(rule.condition, normalized) of each rule, in its order, once each
        return list(dict.fromkeys(path for rule in unknown for path in rule.paths if path not in normalized))

    def _unchecked(self, diagnosis: Diagnosis) -> list[dict[str, Any]]:
        """The first TABLE_ROWS causes that cannot tell for want of facts: r.unknown is worked
        out cause by cause, and only until the section is full (a post leaves ~90 undecided)."""
        out: list[dict[str, Any]] = []
        normalized = diagnosis.facts.normalized()
        for r in diagnosis.causes:
            if len(out) == TABLE_ROWS:
                break
            if r.status != "cannot_tell":
                continue
            quiet = self._quiet(r)
            if quiet.paths.isdisjoint(normalized):
                if quiet.missing:
                    out.append({"id": r.cause.id, "title": r.cause.title, "missing": list(quiet.missing[:4])})
                continue
            unknown = r.unknown
            if unknown:
                out.append({"id": r.cause.id, "title": r.cause.title,
                            "missing": self._missing(r, diagnosis, unknown)[:4]})
        return out

    def _quiet(self, r: CauseResult) -> QuietCause:
        """What r's cause leaves undecided when none of its rules reads a known fact (kept per
        cause for the rules it was worked out from)."""
        quiet = self._quiet_causes.get(r.cause.id)
        if quiet is None or quiet.rules is not r.rules:
            quiet = self._quiet_causes[r.cause.id] = QuietCause.of(r.rules)
        return quiet

    def _question(self, q) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        spec = self.kb.schema[q.path]
        choices = [show_value(c) for c in spec.choices]
        return {"path": q.path, "ask": spec.ask, "where": spec.where, "choices": choices,
                "causes": [self.kb.causes[c].title for c in q.causes], "value": q.value}

    # -- outputs ----------------------------------------------------------------------------
    def output(self, diagnosis: Diagnosis, fmt: str = "markdown", reply: bool = False,
               reply_style: str = "discourse") -> str:
        """What `diagnose` and `ask` print: the reply, the JSON or the staff report.
        JSON with the reply asked for carries the reply text too (JSON alone renders no
        template, so it never imports Jinja2)."""
        if fmt == "json":
            return self.json(diagnosis, reply_style if reply else None) + "\n"
        if reply:
            return self.reply(diagnosis, reply_style)
        return self.markdown(diagnosis)

    def markdown(self, diagnosis: Diagnosis) -> str:
        return self.env.get_template("report.md.j2").render(v=self.view(diagnosis), kb_text=self.cause_texts())

    def cause_texts(self) -> CauseTexts:
        """The findings' cause texts, laid out once per cause while report-cause.md.j2 stays
        the same template (Jinja hands out a new one after an edit)."""
        template = self.env.get_template(CAUSE_TEMPLATE)
        if self._cause_texts is None or self._cause_texts.template is not template:
            self._cause_texts = CauseTexts(template, self.cause_parts)
        return self._cause_texts

    def reply(self, diagnosis: Diagnosis, style: str = "discourse") -> str:
        return self.env.get_template("reply.md.j2").render(v=self.view(diagnosis),
                                                           r=self.reply_view(diagnosis, style))

    def reply_view(self, diagnosis: Diagnosis, style: str = "discourse") -> dict[str, Any]:
        """What the forum reply needs beyond the report's view: the facts it read back to the
        asker, the snippet languages to leave out, Zoom's own references, at most three
        questions, and whether the post held secrets."""
        values = diagnosis.facts.values
        language = values.get("sdk.language")
        return {
            "style": style,
            "values": {path: show_value(value) for path, value in values.items()},
            "other_languages": OTHER_LANGUAGES.get(language, ()),
            "references": {r.cause.id: [dict(ref) for ref in r.cause.references if ref.tier in ZOOM_TIERS]
                           for r in diagnosis.causes[:TABLE_ROWS]},
            "questions": [self._question(q) for q in diagnosis.questions[:MAX_REPLY_QUESTIONS]],
            "secrets": diagnosis.facts.secrets_found,
        }

    def json(self, diagnosis: Diagnosis, reply_style: str | None = None) -> str:
        view = self.view(diagnosis)
        findings = {f["id"]: f for f in view["findings"]}
        causes = []
        for i, r in enumerate(diagnosis.causes):
            item = self._row(i + 1, r)
            item["evidence"] = findings[r.cause.id]["evidence"] if r.cause.id in findings else \
                self._all_evidence(r, diagnosis)
            item["score"] = round(r.score, 3)
            causes.append(item)
        out = {"schema": SCHEMA_VERSION, "kb_version": view["kb_version"], "causes": causes,
               "questions": view["questions"], "facts": view["facts"], "conflicts": view["conflicts"]}
        if view["reading"] is not None:  # only when text was read: structured input keeps its shape
            out["reading"] = view["reading"]
        if reply_style:
            out["reply"] = self.reply(diagnosis, reply_style)
        if "similar_confirmed" in view:
            out["similar_confirmed"] = view["similar_confirmed"]
        return json.dumps(out, indent=2, ensure_ascii=False)

    def cause(self, cause_id: str) -> str:
        cause = self.kb.causes[cause_id]
        rules = [{"id": r.id, "weight": r.rule.weight, "effective_weight": round(r.effective_weight, 3),
                  "because": r.rule.because, "cases": len(r.cases), "source": r.rule.source}
                 for r in self.kb.rules_for(cause_id)]
        data = dict(cause)
        data["remediation"] = [_step(s) for s in cause.remediation]
        return self.env.get_template("cause.md.j2").render(c=data, rules=rules,
                                                            kb_version=self.kb.version)

    def explain(self, query: str, found, diagnosis: Diagnosis) -> str:  # type: ignore[no-untyped-def]
        readings = [{"name": r.entry.name, "numbering": r.numbering, "meaning": r.entry.meaning,
                     "expected": r.entry.expected} for r in found]
        return self.env.get_template("explain.md.j2").render(query=query, readings=readings,
                                                              v=self.view(diagnosis))

    def facts_view(self, facts, reports) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        return {
            "inputs": [{"label": r.label, "kind": r.kind, "shapes": r.shapes, "facts": r.facts,
                        **({"thread": r.thread} if getattr(r, "thread", None) else {})} for r in reports],
            "facts": [{"path": p, "value": show_value(v), "source": facts.source_text(p),
                       "ask": self.kb.schema[p].ask} for p, v in facts.values.items()],
            "conflicts": _conflicts(facts),
        }

    def facts(self, facts, reports) -> str:  # type: ignore[no-untyped-def]
        return self.env.get_template("facts.md.j2").render(v=self.facts_view(facts, reports),
                                                            kb_version=self.kb.version)

    def batch_summary(self, rows: list[dict[str, Any]]) -> str:
        return self.env.get_template("batch.md.j2").render(rows=rows, kb_version=self.kb.version)

    def batch_summary_pieces(self, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
        """batch_summary in pieces, ROWS taken one at a time (a batch of 100k cases)."""
        return self.env.get_template("batch.md.j2").generate(rows=rows, kb_version=self.kb.version)

    def eval_report(self, figures: dict[str, Any]) -> str:
        return self.env.get_template("eval.md.j2").render(f=figures, kb_version=self.kb.version)

    def stats(self, stats: dict[str, Any]) -> str:
        return self.env.get_template("stats.md.j2").render(s=stats, kb_version=self.kb.version)


GROUP_AT = 4  # ruled-out causes sharing the one fact that excluded them: listed together from here


def _group_by_one_fact(ruled_out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ruled-out causes, those excluded by one and the same fact value (a triage answer such
    as case.symptom excludes dozens) gathered into one entry, so the section stays readable.
    Entries keep their order; a group stands where its first cause stood."""
    def only_fact(entry: dict[str, Any]) -> tuple[str, str, str] | None:
        facts = {(f["path"], str(f["value"]), f["source"]) for e in entry["by"] for f in e["facts"]}
        return next(iter(facts)) if len(facts) == 1 else None

    keys = [only_fact(entry) for entry in ruled_out]
    counts = Counter(key for key in keys if key)
    out: list[dict[str, Any]] = []
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for entry, key in zip(ruled_out, keys):
        if key is None or counts[key] < GROUP_AT:
            out.append(entry)
        elif key in groups:
            groups[key]["causes"].append({"id": entry["id"], "title": entry["title"]})
        else:
            groups[key] = {"group": True, "path": key[0], "value": key[1], "source": key[2],
                           "causes": [{"id": entry["id"], "title": entry["title"]}]}
            out.append(groups[key])
    return out


def _conflicts(facts) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [{"path": c.path, "chosen": show_value(c.chosen.value), "chosen_source": str(c.chosen.source),
             "others": [{"value": show_value(o.value), "source": str(o.source)} for o in c.others]}
            for c in facts.conflicts]


def _step(step) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    data = dict(step)
    data["snippet"] = (step.snippet or "").rstrip("\n")
    return data
