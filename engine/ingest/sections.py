"""Issue-template sections that say what did not happen: "### Expected behavior" describes a
wish, not an observation, so its lines are blanked (line numbers kept) before anything is read.
The headings come from kb/ingest/signs.yaml (hypothetical_sections)."""
from __future__ import annotations

import re
from functools import lru_cache

from ..regex_cache import cached_compile

# a heading: Markdown (### Title), bold on its own line (**Title**), or "Title:" alone on a line
_HEADING = cached_compile(r"^\s{0,3}(?:#{1,6}\s+(?P<md>.+?)\s*#*\s*|\*\*(?P<bold>[^*\n]{2,60})\*\*:?\s*|(?P<colon>[A-Z][A-Za-z ]{2,40}):\s*)$")


@lru_cache(maxsize=8)
def _wanted(headings: tuple[str, ...]) -> re.Pattern[str]:
    return cached_compile(r"^(?:" + "|".join(re.escape(h) for h in headings) + r")\b", re.I)


def blank_hypothetical(text: str, headings: tuple[str, ...]) -> str:
    """The text with the body of every hypothetical section replaced by empty lines."""
    if not headings or "\n" not in text:
        return text
    wanted = _wanted(headings)
    out: list[str] = []
    skipping = False
    for line in text.split("\n"):
        heading = _HEADING.match(line)
        if heading:
            title = (heading.group("md") or heading.group("bold") or heading.group("colon") or "").strip()
            skipping = bool(wanted.match(title))
            out.append(line)
            continue
        out.append("" if skipping else line)
    return "\n".join(out)
