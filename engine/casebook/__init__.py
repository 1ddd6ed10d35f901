"""The casebook: cases whose cause staff confirmed, kept to learn from.

The Python API the CLI (and the web workbench) call:

* `confirm(kb, facts, causes, cause, note)` stores a confirmed case; returns its id;
* `similar(kb, facts)` the most similar confirmed cases, or None when there is no casebook;
* `default_path()` where the casebook lives ($RTMS_DOCTOR_CASEBOOK, else
  $XDG_DATA_HOME/rtms-doctor/casebook.sqlite3, else ~/.local/share/rtms-doctor/...).

Nothing unredacted is stored: see record.py for what a row holds.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# record.py (and what it imports) loads only when a casebook is used: `diagnose` without one
# pays nothing for it

FILE_NAME = "casebook.sqlite3"
SIMILAR_SHOWN = 3
SIMILAR_THRESHOLD = 0.2  # Jaccard index below which two cases are not called similar

__all__ = ["confirm", "default_path", "resolve_path", "similar"]


def default_path() -> Path | None:
    """The user's casebook file; None when RTMS_DOCTOR_CASEBOOK=off."""
    chosen = os.environ.get("RTMS_DOCTOR_CASEBOOK")
    if chosen:
        return None if chosen.strip().lower() == "off" else Path(chosen).expanduser()
    data = os.environ.get("XDG_DATA_HOME")
    base = Path(data) if data and Path(data).is_absolute() else Path.home() / ".local" / "share"
    return base / "rtms-doctor" / FILE_NAME


def resolve_path(path: str | Path | None) -> Path | None:
    return Path(path).expanduser() if path else default_path()


def confirm(kb: Any, facts: Any, causes: list[Any], cause: str, note: str = "",
            path: str | Path | None = None, off_topic: bool = False) -> int:
    """Store a case (ResolvedFacts and the ranking the tool gave, Diagnosis.causes) with the
    cause staff confirmed; the casebook is created if needed. Returns the case's id."""
    from .record import build_record

    record = build_record(kb, facts.values, facts.signs, causes, cause, note, off_topic)
    target = resolve_path(path)
    if target is None:
        from ..errors import InputError

        raise InputError("the casebook is turned off (RTMS_DOCTOR_CASEBOOK=off); give --casebook PATH")
    from .store import open_casebook  # sqlite3 only when a casebook is used

    book = open_casebook(target, create=True)
    assert book is not None
    with book:
        return book.add(record)


def similar(kb: Any, facts: Any, path: str | Path | None = None,
            limit: int = SIMILAR_SHOWN) -> list[dict[str, Any]] | None:
    """Confirmed cases most like these facts (Jaccard over facts and signs, at least
    SIMILAR_THRESHOLD), best first; None when there is no casebook (none is created)."""
    target = resolve_path(path)
    if target is None or not target.exists():
        return None
    from .store import open_casebook

    book = open_casebook(target, create=False)
    if book is None:
        return None
    from .record import expand, features, flat_facts, jaccard, sign_pairs

    mine = features(facts.values, sign_pairs(facts.signs))
    scored = []
    with book:
        for case in book.cases():
            theirs = features(flat_facts(case.case), case.signs)
            score = jaccard(mine, theirs)
            if score >= SIMILAR_THRESHOLD:
                shared = mine & theirs
                scored.append((-round(score, 6), case.id, case, shared))
    scored.sort(key=lambda item: item[:2])
    out = []
    for negative, _, case, shared in scored[:limit]:
        titles = [kb.causes[c].title for c in expand(kb, case.cause) if c in kb.causes]
        out.append({"id": case.id, "cause": case.cause, "title": " / ".join(titles) or case.cause,
                    "similarity": round(-negative, 3), "first_answer": case.first_answer,
                    "shared_facts": sum(1 for f in shared if f.startswith("fact ")),
                    "shared_signs": sum(1 for f in shared if f.startswith("sign ")),
                    "confirmed_at": case.confirmed_at})
    return out
