"""Every fact path written as a string in the ingest code is in the vocabulary (kb/facts), so a
typo fails here, not silently at run time (an unknown path would never reach a rule)."""
from __future__ import annotations

import re
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"
_LITERAL = re.compile(r"""["']([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)["']""")


def _paths_in_code(sections: set[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((ENGINE / "ingest").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in _LITERAL.finditer(line):
                literal = match.group(1)
                if literal.split(".", 1)[0] in sections and not literal.endswith((".json", ".yaml", ".py")):
                    found.setdefault(literal, []).append(f"{path.relative_to(ENGINE)}:{number}")
    return found


def test_ingest_writes_only_known_fact_paths(kb):
    sections = set(kb.schema.sections)
    found = _paths_in_code(sections)
    assert len(found) > 50  # the scan itself works
    # a literal may also name a fact's parent (a prefix for f-strings) or an event name
    known_prefixes = {p.rsplit(".", 1)[0] for p in kb.schema.specs}
    unknown = {literal: where for literal, where in found.items()
               if literal not in kb.schema and literal not in known_prefixes
               and not _is_event_name(literal)}
    assert not unknown, unknown


def _is_event_name(literal: str) -> bool:
    """Zoom event names (meeting.rtms_started, endpoint.url_validation) share the form."""
    product, _, event = literal.partition(".")
    return product in ("meeting", "webinar", "session", "endpoint", "contact_center", "phone") and (
        event.startswith("rtms_") or event in ("started", "ended", "url_validation", "participant_joined",
                                               "participant_left"))
