"""How long the endpoint took to answer Zoom's event POSTs, read from its access log (kb/ingest/
values.yaml, `access_lines`): "POST /webhook 200 5131ms" is an answer five seconds late, which
Zoom takes as no answer and retries."""
from __future__ import annotations

import re
from typing import Any

from .emit import Emitter
from ..regex_cache import cached_compile

MAX_LINES = 20_000
MAX_LINE = 400  # a longer line is a blob, not a log line: not read (bounded time)


def compile_access_lines(entry: Any) -> re.Pattern[str] | None:
    if entry is None:
        return None
    methods = "|".join(re.escape(m) for m in entry.methods)
    # METHOD /path STATUS ... N ms (express/morgan, Cloud Run, nginx with a request time)
    return cached_compile(rf"\b(?:{methods})\s+/\S*\s+(?P<status>[1-5]\d\d)\b[^\n]{{0,24}}?"
                          rf"(?<![\w.])(?P<ms>\d{{1,7}}(?:\.\d+)?)\s?ms\b")


def read_access_lines(text: str, pattern: re.Pattern[str], em: Emitter) -> None:
    slowest: tuple[float, int] | None = None
    statuses: dict[int, int] = {}
    for number, line in enumerate(text.splitlines()[:MAX_LINES], start=1):
        if "ms" not in line or len(line) > MAX_LINE:
            continue
        match = pattern.search(line)
        if not match:
            continue
        ms = float(match.group("ms"))
        statuses.setdefault(int(match.group("status")), number)
        if slowest is None or ms > slowest[0]:
            slowest = (ms, number)
    if slowest:
        em.add("webhook.response_ms", int(slowest[0]), f"line {slowest[1]}")
        if len(statuses) == 1:
            status, number = next(iter(statuses.items()))
            em.add("webhook.response_status", status, f"line {number}")
