"""The one-pass tokenisation of a post (knowledge/tokens.py tokens_and_terms, with its per-word
memo) gives exactly what the plain word-by-word reading gives."""
from __future__ import annotations

import pytest

from rtms_doctor.ingest.signs import WORD, _word_sign
from rtms_doctor.knowledge.signs import Sign
from rtms_doctor.knowledge.tokens import _CAMEL, _NT, _TOKEN, stem, terms, tokens, tokens_and_terms

TEXTS = [
    "We never get meeting.rtms_started, but the webhook fires. It doesn't arrive; can't see it!",
    "onJoinConfirm returned -1 and startRealTimeMediaStreams is undefined in ZoomAppsSDK 0.16.21",
    "HTTP 403 from GET /v2/meetings/{id}/rtms_app/status\nThe 2FooBar token, X-Zm-Signature, ABCDef",
    "but but BUT, cannot Cannot won't isn’t - 1.0.3 node v18.19.0 python3.11 PCM audio",
    "",
    "..., ;; :\n\n\n",
]


def _plain(text: str, stop: frozenset[str]) -> tuple[list[tuple[str, int, int]], dict[str, str]]:
    """tokens() and terms() as they read before they shared one pass (the reference)."""
    text = _NT.sub(lambda m: f"{m.group(1) or ''} not", text)
    out: list[tuple[str, int, int]] = []
    clause, line = 0, 1
    for raw in _TOKEN.findall(text):
        if not raw[0].isalnum():
            clause += 1
            line += raw == "\n"
            continue
        for part in _CAMEL.sub(" ", raw).split():
            word = part.lower()
            if word == "but":
                clause += 1
                continue
            out.append((stem(word), clause, line))
    found: dict[str, str] = {}
    for raw in _TOKEN.findall(text):
        if not raw[0].isalpha():
            continue
        for part in _CAMEL.sub(" ", raw).split():
            word = part.lower()
            if len(word) > 2 and word.isalpha():
                token = stem(word)
                if token not in stop:
                    found.setdefault(token, word)
    return out, found


@pytest.mark.parametrize("text", TEXTS)
def test_one_pass_equals_plain_reading(text):
    stop = frozenset({"the", "and", "is", "it", "in", "from"})
    for _ in range(2):  # the second time from the per-word memo
        assert tokens_and_terms(text, stop) == _plain(text, stop)
        assert tokens(text) == _plain(text, stop)[0]
        assert terms(text, stop) == _plain(text, stop)[1]
    assert list(tokens_and_terms(text, stop)[1]) == list(_plain(text, stop)[1])  # first-seen order


def test_post_fixtures_read_the_same(kb):
    from pathlib import Path

    stop = kb.signs.stopwords
    for path in sorted((Path(__file__).parent / "fixtures" / "posts").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert tokens_and_terms(text, stop) == _plain(text, stop), path.name


def test_word_sign_memo_is_the_plain_sign():
    assert _word_sign("arriv", "arrives") == Sign(WORD, "arrives", "word", ("arriv",), 0.0, False)
    assert _word_sign("arriv", "arriving").text == "arriving"  # keyed on the surface too
