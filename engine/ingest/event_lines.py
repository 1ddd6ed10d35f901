"""Webhook start and stop events told in log lines (kb/ingest/values.yaml, `event_lines`).

A developer's own log often shows what several webhook bodies would: `meeting.rtms_started
stream=9e4a...71 server_urls=wss://...iad1...` and, 37 minutes later, the same stream with
`...pdx2...`. Each such line becomes an event for the case's aggregates (aggregate.py), as a
body would. Only when the lines together show two starts, or a start and a stop with their
times: a single line says nothing a body would not, and a line quoting a pasted body would
count it twice."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .dispatch import Dispatch
from .products import PRODUCT_BY_PREFIX
from ..regex_cache import cached_compile

MAX_LINES = 5_000  # lines read for events; a huge log is read this far
MAX_LINE = 600
_URL = cached_compile(r"\bwss?://[^\s\"'<>,;)\]]+")
_ISO = cached_compile(r"\b(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?")
_CLOCK = cached_compile(r"(?<![\d:])(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?(?![\d:])")
_ID = cached_compile(r"[0-9A-Za-z][\w.+/=-]{3,}")
_STRIP = " \t,;:()[]{}\"'`."


class EventLineRules:
    """The `event_lines` record as patterns."""

    __slots__ = ('event', 'stream_key')

    def __init__(self, event: re.Pattern[str],
                 stream_key: re.Pattern[str]) -> None:
        self.event = event  # an event name: meeting.rtms_started, rtms_stopped ...
        self.stream_key = stream_key  # key = value, key: value for a stream id


def compile_event_lines(entry: Any) -> EventLineRules | None:
    if entry is None:
        return None
    events = "|".join(re.escape(e) for e in entry.events)
    keys = "|".join(re.escape(k) for k in sorted(entry.stream_keys, key=len, reverse=True))
    prefixes = "|".join(re.escape(p) for p in sorted(PRODUCT_BY_PREFIX, key=len, reverse=True))  # meeting., session., ...
    return EventLineRules(
        cached_compile(rf"(?i)\b(?:(?:{prefixes})\.)?(?:{events})\b"),
        cached_compile(rf"(?i)(?<![\w.])(?:{keys})[\"']?\s*[=:]\s*[\"']?(?P<value>[^\s\"',;)\]]+)"))


def read_event_lines(text: str, rules: EventLineRules, file: str, via: Dispatch) -> None:
    found: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for number, line in enumerate(text.splitlines()[:MAX_LINES], start=1):
        if "rtms_" not in line or len(line) > MAX_LINE:
            continue
        named = rules.event.search(line)
        if not named:
            continue
        event = _event_name(named.group(0))
        stream = _stream(line, named.end(), rules)
        if stream is None:
            continue
        url = _URL.search(line)
        ts = _time(line)
        key = (event, stream, url.group(0) if url else None, ts)
        if key in seen:  # the same line quoted twice
            continue
        seen.add(key)
        found.append({"event": event, "ts": ts, "stream": stream, "urls": url.group(0) if url else None,
                      "loc": f"{file}:line {number}", "file": file})
    starts = [e for e in found if e["event"].endswith("rtms_started")]
    stops = [e for e in found if e["event"].endswith("rtms_stopped")]
    timed = starts and stops and any(e["ts"] is not None for e in starts) and any(e["ts"] is not None for e in stops)
    if len(starts) >= 2 or timed:
        for event in found:
            via.webhook(event)


def _event_name(written: str) -> str:
    """meeting.rtms_started as written, or a bare rtms_started as a meeting's."""
    lowered = written.lower()
    return lowered if "." in lowered else "meeting." + lowered


def _stream(line: str, after: int, rules: EventLineRules) -> str | None:
    """The stream id a line names: under a stream key, or the first id-like word (a digit in
    it, no URL, no time, no key = value) among the three after the event name."""
    keyed = rules.stream_key.search(line)
    if keyed:
        value = keyed.group("value").strip(_STRIP)
        return value if _usable(value) else None
    for word in line[after:].split()[:3]:
        word = word.strip(_STRIP)
        if "=" in word or "://" in word or ":" in word or not _ID.fullmatch(word):
            continue
        if any(c.isdigit() for c in word) and _usable(word):
            return word
    return None


def _usable(value: str) -> bool:
    # a masked id could be any stream; a template placeholder (${id}) is code, not a log
    return bool(value) and "redacted" not in value and "$" not in value and "{" not in value and len(value) >= 4


def _time(line: str) -> int | None:
    """The line's time in milliseconds: a full ISO date and time (UTC), or a clock time alone
    (one day's, which is all a log excerpt compares)."""
    iso = _ISO.search(line)
    if iso:
        year, month, day, hour, minute, second = (int(g) for g in iso.groups()[:6])
        if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
            return None
        fraction = int((iso.group(7) or "0")[:3].ljust(3, "0"))
        try:
            moment = dt.datetime(year, month, day, hour, minute, min(second, 59), tzinfo=dt.timezone.utc)
        except ValueError:  # 2026-02-30
            return None
        return int(moment.timestamp()) * 1000 + fraction
    clock = _CLOCK.search(line)
    if clock:
        hour, minute, second = (int(g) for g in clock.groups()[:3])
        if hour < 24 and minute < 60 and second < 61:
            return ((hour * 60 + minute) * 60 + second) * 1000 + int((clock.group(4) or "0")[:3].ljust(3, "0"))
    return None
