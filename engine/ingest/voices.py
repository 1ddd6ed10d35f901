"""A thread pasted as text ("Posted by X ...", "Reply from Y ...", "Z commented on ..."): the
asker's posts are read, everyone else's lines are blanked (line numbers kept) before anything is
read. The same rule as for a thread read as JSON (threads.py): other people's words, often
guesses or general advice ("failovers come with new server_urls"), are not facts of the case.

The post headers are KB data (kb/ingest/signs.yaml: thread_opening_headers, thread_reply_headers),
each a regex with a named group `who`. The asker is the author of the opening header; without
one, the author of the first header when the text before it is no more than a title; else
unknown, and then every reply is someone else's.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..regex_cache import cached_compile

MAX_HEADER_CHARS = 160  # a post header is a short line
MAX_TITLE_LINES = 3  # non-blank lines before the first header that still leave it the opening


@lru_cache(maxsize=8)
def _headers(opening: tuple[str, ...], reply: tuple[str, ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    def one(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
        if not patterns:
            return None
        # each pattern's `who` renamed so the alternation compiles; the first that matched is read
        named = [p.replace("(?P<who>", f"(?P<who{i}>") for i, p in enumerate(patterns)]
        # a header line ends without a sentence ("Reply from Zoom support was no help." is prose)
        return cached_compile(r"^[\s\-=*#>\[]{0,12}(?:" + "|".join(f"(?:{p})" for p in named)
                              + r")[^.!?\n]{0,60}$", re.I)
    return one(opening), one(reply)


def _who(match: re.Match[str]) -> str:
    return next((value for name, value in match.groupdict().items() if value and name.startswith("who")), "").lower()


def blank_other_voices(text: str, opening: tuple[str, ...], reply: tuple[str, ...]) -> str:
    """TEXT with every line of posts by others than the asker (and every header) blanked."""
    if not (opening or reply) or "\n" not in text:
        return text
    opens, replies = _headers(opening, reply)
    lines = text.split("\n")
    found: list[tuple[int, str, bool]] = []  # (line index, who, is an opening header)
    for index, line in enumerate(lines):
        if len(line) > MAX_HEADER_CHARS or not line.strip():
            continue
        match = opens.match(line) if opens is not None else None
        if match is not None:
            found.append((index, _who(match), True))
            continue
        match = replies.match(line) if replies is not None else None
        if match is not None:
            found.append((index, _who(match), False))
    if not found or not any(not is_opening for _, _, is_opening in found):
        return text  # no reply: one voice
    asker = next((who for _, who, is_opening in found if is_opening), None)
    first = found[0][0]
    if asker is None and sum(1 for line in lines[:first] if line.strip()) <= MAX_TITLE_LINES:
        asker = found[0][1]
    out = lines[:first]
    headers = {index: who for index, who, _ in found}
    current = None
    for index in range(first, len(lines)):
        if index in headers:
            current = headers[index]
            out.append("")
        else:
            out.append(lines[index] if asker is not None and current == asker else "")
    return "\n".join(out)
