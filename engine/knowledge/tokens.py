"""Words as the signs scorer compares them: one tokenizer for the KB's signs and for posts.

Lower case; camelCase, snake_case, dotted and slashed names split into words; "n't" folded
into "not"; English words stemmed with Snowball (so "arrives", "arrived" and "arriving" meet).
Clauses end at sentence punctuation, line breaks, commas and semicolons, and before "but".
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..regex_cache import cached_compile

_NT = cached_compile(r"(?i)\b(can)not\b|n['’]t\b")
_CAMEL = cached_compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# a token: a run of letters and digits (decimal points inside numbers kept: "1.0.3", "48.0")
# and the punctuation that ends a clause: . ! ? ; : , before white space (not inside
# "meeting.rtms_started" or "meeting:read:meeting_audio"), or a line break
_TOKEN = cached_compile(r"[A-Za-z0-9]+(?:\.[0-9]+)*|[.!?;:,](?=\s|$)|\n")
_WORD = cached_compile(r"[a-z]")
MAX_STEMMED = 40  # longer tokens are ids, hashes or blobs, kept as they are


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    """Snowball's English stemmer (pure Python). Its package's __init__ imports all ~30
    languages (~8 ms of a cold start): the English module is loaded on its own, under a
    private package name, leaving `snowballstemmer` itself untouched."""
    import importlib
    import importlib.util
    import sys
    import types

    try:
        spec = importlib.util.find_spec("snowballstemmer")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("snowballstemmer")
        if "_rtms_snowball" not in sys.modules:
            package = types.ModuleType("_rtms_snowball")
            package.__path__ = list(spec.submodule_search_locations)
            sys.modules["_rtms_snowball"] = package
        return importlib.import_module("_rtms_snowball.english_stemmer").EnglishStemmer()
    except Exception:  # pragma: no cover - an unusual layout: the ordinary import
        from snowballstemmer.english_stemmer import EnglishStemmer

        return EnglishStemmer()


# stems of the words the KB's own texts use (CompiledSigns.stems, built with the KB): a post's
# words are mostly those, so a cold start stems few words itself and may not load the stemmer
_KNOWN_STEMS: dict[str, str] = {}


_KNOWN_FROM: list[dict[str, str]] = []  # the last table added (a KB's, read once per process)


def know_stems(table: dict[str, str]) -> None:
    """Add a KB's stem table. stem() is a pure function, so tables of several KBs agree."""
    if not _KNOWN_FROM or _KNOWN_FROM[0] is not table:
        _KNOWN_STEMS.update(table)
        _KNOWN_FROM[:] = [table]


def stem(word: str) -> str:
    known = _KNOWN_STEMS.get(word)
    return known if known is not None else _stem(word)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    if len(word) <= 3 or len(word) > MAX_STEMMED or not _WORD.match(word):
        return word  # a 5 MB "word" is no English word: the stemmer's cost grows with its length
    return _stemmer().stemWord(word)


def stem_table(texts: list[str]) -> dict[str, str]:
    """word -> stem of every word of TEXTS that the stemmer changes or has to look at."""
    words = {w for text in texts for w in _TOKEN.findall(text.lower()) if w.isalpha() and len(w) > 3}
    return {word: _stem(word) for word in sorted(words)}


@lru_cache(maxsize=65536)
def _word_parts(raw: str) -> tuple[tuple[str, str], ...]:
    """(stem, lower-case word) of each part of one raw token (camelCase split). A pure function
    of the token, kept for the words a process meets again and again."""
    # a raw token is ASCII letters, digits and dots (_TOKEN): without A-Z there is nothing to split
    parts = _CAMEL.sub(" ", raw).split() if raw != raw.lower() else (raw,)
    return tuple((stem(word), word) for word in (part.lower() for part in parts))


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(stemmed token, clause number, line number) for each word of text; punctuation only
    breaks clauses."""
    return tokens_and_terms(text, None)[0]


def tokens_and_terms(text: str, stop: frozenset[str] | None) -> tuple[list[tuple[str, int, int]], dict[str, str]]:
    """tokens(text) and terms(text, stop) from one pass over the text (no terms when STOP is None)."""
    text = _NT.sub(lambda m: f"{m.group(1) or ''} not", text)
    out: list[tuple[str, int, int]] = []
    found: dict[str, str] = {}
    clause, line = 0, 1
    for raw in _TOKEN.findall(text):
        if not raw[0].isalnum():
            clause += 1
            line += raw == "\n"
            continue
        parts = _word_parts(raw)
        if stop is not None and raw[0].isalpha():  # terms: a word's content words
            for token, word in parts:
                if len(word) > 2 and word.isalpha() and token not in stop:
                    found.setdefault(token, word)
        for token, word in parts:
            if word == "but":
                clause += 1
                continue
            out.append((token, clause, line))
    return out, found


def sign_tokens(text: str) -> tuple[str, ...]:
    """The stemmed words of one sign, punctuation dropped."""
    return tuple(token for token, _, _ in tokens(text))


def terms(text: str, stop: frozenset[str]) -> dict[str, str]:
    """The post's content words as stem -> the word as first written (for showing which words
    matched); stopwords, numbers and words of one or two letters left out."""
    return tokens_and_terms(text, stop)[1]
