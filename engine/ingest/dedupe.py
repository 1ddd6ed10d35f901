"""How the webhook handler drops repeated start events, read from its code (kb/ingest/
values.yaml, `dedupe`): `if (seen.has(payload.rtms_stream_id)) return;` keys on the stream id
alone, so a failover's new rtms_started for the running stream is dropped too; a key that
also holds the event's time lets it through."""
from __future__ import annotations

import re
from typing import Any

from . import code_names as code
from .emit import Emitter
from .values import snake
from ..regex_cache import cached_compile

MAX_LINE = 400  # a longer line is a blob, not code or a log line: not read (bounded time)

MAX_TEXT = 200_000
MAX_CHECKS = 20  # membership tests read per text
_IN = cached_compile(r"\bif\s+(?:not\s+)?(?P<arg>[\w.$\[\]'\"()]{1,120}?)\s+(?:not\s+)?in\s+(?P<coll>[\w.$]+)\s*:")


class DedupeRules:
    """The `dedupe` record as a pattern and word sets."""

    __slots__ = ('about', 'check', 'stream_ids', 'times')

    def __init__(self, about: tuple[str, ...],
                 check: re.Pattern[str],
                 stream_ids: frozenset[str],
                 times: frozenset[str]) -> None:
        self.about = about
        self.check = check  # coll.has(arg), coll.includes(arg) ...
        self.stream_ids = stream_ids
        self.times = times


def compile_dedupe(entry: Any) -> DedupeRules | None:
    if entry is None:
        return None
    methods = "|".join(sorted({re.escape(m) for name in entry.checks for m in (name, _camel(name))}, key=len, reverse=True))
    check = cached_compile(rf"[\w$\]]\s*\.\s*(?:{methods})\s*\(\s*(?P<arg>[^()]{{1,120}}(?:\([^()]{{0,60}}\)[^()]{{0,60}})?)\)")
    return DedupeRules(tuple(w.lower() for w in entry.about), check,
                       frozenset(n.lower() for n in entry.stream_ids), frozenset(t.lower() for t in entry.times))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def read_dedupe(text: str, rules: DedupeRules, em: Emitter) -> None:
    text = text[:MAX_TEXT]
    lowered = text.lower()
    if not any(word in lowered for word in rules.about):
        return
    lines = text.splitlines()
    checked = 0
    keys: dict[str, int] = {}
    for index, line in enumerate(lines):
        if len(line) > MAX_LINE or ("(" not in line and " in " not in line):
            continue
        for match in [*rules.check.finditer(line), *_IN.finditer(line)]:
            checked += 1
            if checked > MAX_CHECKS:
                break
            key = _key(match.group("arg"), code.assignments(lines, index), rules)
            if key:
                keys.setdefault(key, index + 1)
    if len(keys) == 1:  # two different keys in one text: cannot tell which guards the events
        key, number = next(iter(keys.items()))
        em.add("webhook.dedupe_key", key, f"line {number}")


def _key(arg: str, assigned: dict[str, str], rules: DedupeRules) -> str | None:
    """stream_id or stream_id_and_ts, by the names the tested value is made of."""
    start = code.names(arg)
    every = start + [n for expr in code.followed(start, assigned) for n in code.names(expr)]
    parts = {snake(part) for name in every for part in name.split(".")}
    words = {w for part in parts for w in part.split("_")} | parts
    has_stream = any(p in rules.stream_ids or any(p.endswith("_" + s) for s in rules.stream_ids) for p in parts)
    if not has_stream:
        return None
    return "stream_id_and_ts" if words & rules.times else "stream_id"
