"""What a confirmed case keeps, and how alike two cases are.

A record holds only what the tool already shows: fact values (redacted at ingest, and cleaned
again here), the text signs matched (the KB's sign texts and their owners, never the post's
words), the ranking (ids, statuses, confidences) and a redacted note. Similarity is the Jaccard
index over a case's features: each `path=value` fact (one per list item) and each sign matched.
"""
from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from typing import Any

from ..errors import InputError
from ..ingest.emit import clean_text
from ..regex_cache import cached_compile

SHOWN_STATUSES = ("likely", "possible")  # a first answer is what the report puts first
_CONTROL = cached_compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_NOTE_CHARS = 2000


def now() -> str:
    """UTC now, or RTMS_DOCTOR_NOW (ISO 8601) so tests and replays are deterministic."""
    fixed = os.environ.get("RTMS_DOCTOR_NOW")
    if fixed:
        try:
            moment = datetime.fromisoformat(fixed.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"RTMS_DOCTOR_NOW: not an ISO 8601 time: {fixed[:40]}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
    else:
        moment = datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean(value: Any) -> Any:
    """Every string redacted and free of control characters; structure kept (our own keys
    name facts, not secrets)."""
    if isinstance(value, str):
        return _CONTROL.sub(" ", clean_text(value))
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    return value


def case_json(values: dict[str, Any]) -> dict[str, Any]:
    """Resolved fact values as the tool's case JSON (the `ask --save` form)."""
    out: dict[str, Any] = {"case_version": 1}
    for path, value in sorted(values.items()):
        node = out
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return clean(out)


def flat_facts(case: dict[str, Any]) -> dict[str, Any]:
    """Case JSON back to {fact path: value} (fact values are never objects)."""
    out: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            elif f"{prefix}{key}" != "case_version":
                out[f"{prefix}{key}"] = value
    walk(case, "")
    return out


def sign_pairs(matches: list[Any]) -> list[tuple[str, str]]:
    """(owner, sign text) of each sign matched, once each, sorted."""
    return sorted({(m.sign.owner, m.sign.text) for m in matches})


def ranking_rows(causes: list[Any]) -> list[dict[str, Any]]:
    return [{"id": r.cause.id, "status": r.status, "confidence": round(r.confidence, 4)} for r in causes]


def first_answer(ranking: list[dict[str, Any]], off_topic: bool = False) -> str:
    if off_topic:
        return ""
    return next((r["id"] for r in ranking if r["status"] in SHOWN_STATUSES), "")


def check_cause(kb: Any, cause: str) -> None:
    if cause not in kb.causes and cause not in kb.aliases:
        raise InputError(f"--cause {_CONTROL.sub('', cause)[:80]}: not a known cause id or alias "
                         f"(see `rtms-doctor kb list`)")


def build_record(kb: Any, values: dict[str, Any], signs: list[Any], causes: list[Any], cause: str,
                 note: str = "", off_topic: bool = False) -> dict[str, Any]:
    """The row `confirm` stores. CAUSE must be a cause id or a catalog alias of the KB."""
    check_cause(kb, cause)
    ranking = ranking_rows(causes)
    return {
        "confirmed_at": now(), "kb_version": kb.version, "cause": cause,
        "first_answer": first_answer(ranking, off_topic),
        "note": clean(" ".join(note.split()))[:MAX_NOTE_CHARS],
        "case": case_json(values), "signs": sign_pairs(signs), "ranking": ranking,
    }


def expand(kb: Any, cause: str) -> tuple[str, ...]:
    """A confirmed id as the causes it stands for (a catalog alias may name several)."""
    return tuple(kb.aliases.get(cause, (cause,))) if cause not in kb.causes else (cause,)


# -- similarity ---------------------------------------------------------------------------------

def features(values: dict[str, Any], signs: list[tuple[str, str]]) -> set[str]:
    out: set[str] = set()
    for path, value in values.items():
        for item in (value if isinstance(value, list) else [value]):
            out.add(f"fact {path}={json.dumps(item, sort_keys=True, ensure_ascii=False)}")
    out.update(f"sign {owner}: {text}" for owner, text in signs)
    return out


def jaccard(a: set[str], b: set[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0
