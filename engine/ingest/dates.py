"""The case's date from where a pasted text dates itself (kb/ingest/values.yaml, `dates`): an
e-mail's Date: header, a post's or issue's header line, a log line's leading timestamp. Prose
dates are left alone: they are mostly of releases and changes, not of the failure."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .emit import Emitter
from ..regex_cache import cached_compile

MAX_LINES = 20_000
MAX_LINE = 200  # a header line is short
_MONTHS = {m: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for m in names}
_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_ISO = cached_compile(r"\b(?P<year>20\d{2})-(?P<m>\d{2})-(?P<day>\d{2})(?=[T ]\d{2}:\d{2}|\b)")
_LOG_START = cached_compile(r"^\W{0,3}(?:\[)?(?P<year>20\d{2})-(?P<m>\d{2})-(?P<day>\d{2})[T ]\d{2}:\d{2}")
_MONTH_DAY = cached_compile(rf"(?i)\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>20\d{{2}})\b")
_DAY_MONTH = cached_compile(rf"(?i)\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\s+(?P<year>20\d{{2}})\b")
_MONTH_YEAR = cached_compile(rf"(?i)\b{_MONTH}\s+(?P<year>20\d{{2}})\b")


class DateRules:
    """The `dates` record."""

    __slots__ = ('header_words', 'max_header_words')

    def __init__(self, header_words: tuple[str, ...],
                 max_header_words: int) -> None:
        self.header_words = header_words
        self.max_header_words = max_header_words


def compile_dates(entry: Any) -> DateRules | None:
    if entry is None:
        return None
    return DateRules(tuple(w.lower() for w in entry.header_words), entry.max_header_words)


def read_dates(text: str, rules: DateRules, em: Emitter) -> None:
    latest: tuple[dt.date, int] | None = None
    for number, line in enumerate(text.splitlines()[:MAX_LINES], start=1):
        if len(line) > MAX_LINE and not _LOG_START.match(line):
            continue
        found = _log_date(line) or (_header_date(line) if _is_header(line, rules) else None)
        if found and (latest is None or found > latest[0]):
            latest = (found, number)
    if latest:
        em.add("case.date", latest[0].isoformat(), f"line {latest[1]}")


def _is_header(line: str, rules: DateRules) -> bool:
    """A short line, or one that opens with a header word (Date:, Posted, ... opened this issue)."""
    lowered = line.strip().lower()
    if any(word in lowered for word in rules.header_words):
        return True
    return 0 < len(lowered.split()) <= rules.max_header_words


def _log_date(line: str) -> dt.date | None:
    match = _LOG_START.match(line)
    return _date(int(match.group("year")), int(match.group("m")), int(match.group("day"))) if match else None


def _header_date(line: str) -> dt.date | None:
    for pattern in (_ISO, _MONTH_DAY, _DAY_MONTH):
        match = pattern.search(line)
        if match:
            month = match.group("m") if "m" in match.groupdict() else None
            number = int(month) if month else _MONTHS[match.group("month").lower().rstrip(".")]
            return _date(int(match.group("year")), number, int(match.group("day")))
    match = _MONTH_YEAR.search(line)
    if match:  # a month alone: its middle
        return _date(int(match.group("year")), _MONTHS[match.group("month").lower().rstrip(".")], 15)
    return None


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        found = dt.date(year, month, day)
    except ValueError:
        return None
    return found if dt.date(2024, 1, 1) <= found <= dt.date(2030, 12, 31) else None  # RTMS's years only
