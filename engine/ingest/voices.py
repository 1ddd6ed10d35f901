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
from bisect import bisect_right
from functools import lru_cache

from ..regex_cache import cached_compile

MAX_HEADER_CHARS = 160  # a post header is a short line
MAX_TITLE_LINES = 3  # non-blank lines before the first header that still leave it the opening
# headers are looked for in the first MB (bounded work on a huge paste); what follows belongs
# to the post before it, as any post's long log does
MAX_THREAD_CHARS = 1_000_000


@lru_cache(maxsize=8)
def _headers(opening: tuple[str, ...], reply: tuple[str, ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    def one(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
        if not patterns:
            return None
        # each pattern's `who` renamed so the alternation compiles; the first that matched is read
        named = [p.replace("(?P<who>", f"(?P<who{i}>") for i, p in enumerate(patterns)]
        # a whole short line; a header line ends without a sentence ("Reply from Zoom support
        # was no help." is prose); one pass over the text, not one match per line
        return cached_compile(r"(?m)^(?=[^\n]{1,%d}$)[ \t\-=*#>\[]{0,12}(?:" % MAX_HEADER_CHARS
                              + "|".join(f"(?:{p})" for p in named) + r")[^.!?\n]{0,60}$", re.I)
    return one(opening), one(reply)


def _who(match: re.Match[str]) -> str:
    return next((value for name, value in match.groupdict().items() if value and name.startswith("who")), "").lower()


def blank_other_voices(text: str, opening: tuple[str, ...], reply: tuple[str, ...]) -> str:
    """TEXT with every line of posts by others than the asker (and every header) blanked."""
    if not (opening or reply) or "\n" not in text:
        return text
    opens, replies = _headers(opening, reply)
    replied = list(replies.finditer(text, 0, MAX_THREAD_CHARS)) if replies is not None else []
    if not replied:
        return text  # no reply: one voice
    opened = list(opens.finditer(text, 0, MAX_THREAD_CHARS)) if opens is not None else []
    # (offset, who, is an opening header); a line both would match opens a post
    opened_at = {m.start() for m in opened}
    headers = sorted([(m.start(), _who(m), True) for m in opened]
                     + [(m.start(), _who(m), False) for m in replied if m.start() not in opened_at])
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    found = [(bisect_right(starts, offset) - 1, who, is_opening) for offset, who, is_opening in headers]
    asker = next((who for _, who, is_opening in found if is_opening), None)
    first = found[0][0]
    if asker is None and sum(1 for line in lines[:first] if line.strip()) <= MAX_TITLE_LINES:
        asker = found[0][1]
    out = lines[:first]
    at = {index: who for index, who, _ in found}
    current = None
    for index in range(first, len(lines)):
        if index in at:
            current = at[index]
            out.append("")
        else:
            out.append(lines[index] if asker is not None and current == asker else "")
    return "\n".join(out)
