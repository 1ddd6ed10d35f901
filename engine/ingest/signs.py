"""Reads a post against every cause's signs (kb/causes `signs:`, compiled in
knowledge/signs.py): which signs it shows, where. Weighing them is the ranking's job.

`literal` and `words` signs match as contiguous runs of tokens; `say` signs match in order
inside one clause, stopwords skipped, with at most max_gap other words between consecutive
tokens. A negation word earlier in the clause ("we do NOT get 2310") cancels a sign that
does not itself hold a negation. Every negation word stands for every other ("never fires"
meets "doesn't fire").
"""
from __future__ import annotations

from dataclasses import dataclass

from ..knowledge.signs import CompiledSigns, Sign
from ..knowledge.tokens import terms, tokens

WORD = "word"  # the owner of a plain word of the post (not a sign)
NEGATION_REACH = 6  # words before a match in which a negation of its clause counts
MAX_SIGN_CHARS = 200_000  # a post is read for signs in its first 200 KB: bounded time per case


@dataclass(frozen=True)
class SignMatch:
    sign: Sign
    file: str
    line: int


def match_signs(text: str, compiled: CompiledSigns, file: str) -> list[SignMatch]:
    """Every sign the text shows, once each (its first place)."""
    text = text[:MAX_SIGN_CHARS]
    words = tokens(text)
    if not words:
        return []
    negations = compiled.negations
    stop = compiled.stopwords
    content = [i for i, (tok, _, _) in enumerate(words) if tok not in stop or tok in negations]
    found: dict[tuple[str, str], SignMatch] = {}

    def same(sign_token: str, word: str) -> bool:
        return sign_token == word or (sign_token in negations and word in negations)

    def negated_before(start: int) -> bool:
        clause = words[start][1]
        for j in range(start - 1, max(-1, start - 1 - NEGATION_REACH), -1):
            if words[j][1] != clause:
                return False
            if words[j][0] in negations:
                return True
        return False

    def keep(sign: Sign, start: int) -> None:
        key = (sign.owner, sign.text)
        if key not in found and (sign.negated or not negated_before(start)):
            found[key] = SignMatch(sign, file, words[start][2])

    def candidates(word: str) -> list[Sign]:
        if word in negations:
            return [s for n in negations for s in compiled.by_first.get(n, ())]
        return compiled.by_first.get(word, [])

    # literal and words: contiguous runs over every token
    for i, (word, _, _) in enumerate(words):
        for sign in candidates(word):
            if sign.kind == "say":
                continue
            size = len(sign.tokens)
            if i + size <= len(words) and all(same(t, words[i + k][0]) for k, t in enumerate(sign.tokens)):
                keep(sign, i)
    # say: in order within a clause over the content words, small gaps allowed
    gap = compiled.policy.max_gap

    def say_at(sign: Sign, start: int) -> bool:
        clause, position = words[content[start]][1], start
        for token in sign.tokens[1:]:
            limit = min(len(content), position + 2 + gap)
            for nxt in range(position + 1, limit):
                word, word_clause, _ = words[content[nxt]]
                if word_clause != clause:
                    return False
                if same(token, word):
                    position = nxt
                    break
            else:
                return False
        return True

    for start, index in enumerate(content):
        for sign in candidates(words[index][0]):
            if sign.kind == "say" and say_at(sign, start):
                keep(sign, index)
    # the post's distinct words, for comparing it with each cause's description (BM25)
    for token, surface in terms(text, stop).items():
        if token in compiled.postings:
            found[("word", token)] = SignMatch(Sign(WORD, surface, "word", (token,), 0.0, False), file, 0)
    return sorted(found.values(), key=lambda m: (m.sign.owner, m.line, m.sign.text))
