"""A case-insensitive pattern with no literal prefix, searched through its anchor words.

re scans a pattern without a literal prefix by trying it at every position of the text (~0.4 s
per pattern on a 10 MB paste). When every match starts at one of a few ASCII words (or at the
line start before a line word, for a ``^\\s*WORD`` branch), those positions are found with
str.find in the lowered text, and the pattern is tried there alone, in order: the first that
matches is where search finds its match, and finditer's matches follow the same way.

Exact because re.match(text, pos) is what search tries at pos (lookbehinds and \\b see the text
before pos), and because lower() puts an ASCII word wherever (?i) can match it: (?i) matches an
ASCII letter by the character's simple lowercase, which lower() gives as one character, except
for \\u0130 (two characters) and \\u0131 and \\u017f (matched as i and s, not lowered to them);
a text with one of those is searched whole.
"""
from __future__ import annotations

import re
from typing import Iterator

_CASE_ODD = ("\u0130", "\u0131", "\u017f")
# trying the pattern where a word stands costs about what re's scan of 100 characters does:
# with more words than one per WORD_SPACING characters, the regex scans the text whole
WORD_SPACING = 100


def lowered(text: str) -> str | None:
    """text.lower(), index for index, holding an ASCII word wherever (?i) can match it; None when
    the text holds a letter for which that fails."""
    if any(c in text for c in _CASE_ODD):
        return None
    return text.lower()


class Anchored:
    """PATTERN (compiled with re.I), whose every match is non-empty and starts where one of WORDS
    stands, or at a line start in the white space run just before one of LINE_WORDS."""

    def __init__(self, pattern: re.Pattern[str], words: tuple[str, ...], line_words: tuple[str, ...] = ()):
        self.pattern = pattern
        self.words = words
        self.line_words = line_words

    def search(self, text: str, lower: str | None) -> re.Match[str] | None:
        """pattern.search(text); LOWER is lowered(text)."""
        return next(self.finditer(text, lower), None)

    def finditer(self, text: str, lower: str | None) -> Iterator[re.Match[str]]:
        """pattern.finditer(text); LOWER is lowered(text)."""
        starts = None if lower is None else self._starts(text, lower)
        if starts is None:
            yield from self.pattern.finditer(text)
            return
        last = 0
        for start in starts:
            if start < last:
                continue  # inside the last match: finditer goes on from its end
            match = self.pattern.match(text, start)
            if match:
                yield match
                last = match.end()

    def _starts(self, text: str, lower: str) -> list[int] | None:
        """Where a match may start, in order; None when the words stand so often that trying
        the pattern at each costs more than the regex's own scan (a text made of them)."""
        limit = len(text) // WORD_SPACING + 64
        starts = set()
        for word in self.words:
            i = lower.find(word)
            while i >= 0:
                starts.add(i)
                if len(starts) > limit:
                    return None
                i = lower.find(word, i + 1)
        for word in self.line_words:
            i = lower.find(word)
            while i >= 0:
                start = _line_start_before(text, i)
                while start is not None:  # each line start of the run: finditer may go on from within it
                    starts.add(start)
                    if len(starts) > limit:
                        return None
                    newline = text.find("\n", start, i)
                    start = None if newline < 0 else newline + 1
                i = lower.find(word, i + 1)
        return sorted(starts)


def _line_start_before(text: str, position: int) -> int | None:
    """The first line start (^ under re.M) in the run of white space that ends at POSITION."""
    run = position
    while run > 0 and text[run - 1].isspace():
        run -= 1
    if run == 0 or text[run - 1] == "\n":
        return run
    newline = text.find("\n", run, position)
    return None if newline < 0 else newline + 1
