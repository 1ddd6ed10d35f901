"""The URL an app opened for a socket, read whole from its error or connect line (kb/ingest/
values.yaml, `opened_url`): `Invalid URL: wss://a:443,wss://b:443` shows the comma-separated
server_urls passed as one address."""
from __future__ import annotations

import re
from typing import Any

from .emit import Emitter
from ..regex_cache import cached_compile

MAX_LINES = 20_000
MAX_LINE = 400  # a longer line is a blob, not a log line: not read (bounded time)


def compile_opened_url(entry: Any) -> re.Pattern[str] | None:
    if entry is None:
        return None
    words = "|".join(re.escape(w) for w in sorted(entry.words, key=len, reverse=True))
    # the URL runs to white space or a quote or bracket: commas stay in it
    return cached_compile(rf"(?i)\b(?:{words})\b[^\n]{{0,20}}?(?P<url>\b(?:wss?|https?)://[^\s\"'<>()\[\]{{}}]+)")


def read_opened_url(text: str, pattern: re.Pattern[str], em: Emitter) -> None:
    for number, line in enumerate(text.splitlines()[:MAX_LINES], start=1):
        if "://" not in line or len(line) > MAX_LINE:
            continue
        match = pattern.search(line)
        if match:
            em.add("stream.server_url_used", match.group("url").rstrip(".,;:"), f"line {number}")
            return
