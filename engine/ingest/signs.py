"""Reads a post against every cause's signs (kb/causes `signs:`, compiled in
knowledge/signs.py): which signs it shows, where. Weighing them is the ranking's job.

`literal` and `words` signs match as contiguous runs of tokens; `say` signs match in order
inside one clause, stopwords skipped, with at most max_gap other words between consecutive
tokens. A negation word earlier in the clause ("we do NOT get 2310") cancels a sign that
does not itself hold a negation. Every negation word stands for every other ("never fires"
meets "doesn't fire").
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress

from ..knowledge.signs import NEGATION, CompiledSigns, PreparedSigns, Sign, prepare
from ..knowledge.tokens import know_stems, tokens_and_terms

WORD = "word"  # the owner of a plain word of the post (not a sign)
NEGATION_REACH = 6  # words before a match in which a negation of its clause counts
MAX_SIGN_CHARS = 200_000  # a post is read for signs in its first 200 KB: bounded time per case


@dataclass(frozen=True)
class SignMatch:
    sign: Sign
    file: str
    line: int


def _prepared(compiled: CompiledSigns) -> PreparedSigns:
    """Built with the KB (knowledge/signs.py prepare); built here for a KB made without it."""
    prepared = getattr(compiled, "prepared", None)
    if prepared is None:
        prepared = prepare(compiled.by_first, compiled.negations)
        compiled.prepared = prepared
    return prepared


@lru_cache(maxsize=65536)
def _word_sign(token: str, surface: str) -> Sign:
    """The sign standing for a plain word of a post: a pure function of the word (frozen), kept
    for the words a process meets again and again."""
    return Sign(WORD, surface, "word", (token,), 0.0, False)


def as_classes(words: list[tuple[str, int, int]], post_terms: dict[str, str],
               classes: dict[str, str]) -> tuple[list[tuple[str, int, int]], dict[str, str]]:
    """Each word read as its class, as the KB's signs were (knowledge/signs.py word_classes);
    a class's term keeps the first word the post wrote."""
    if not classes:
        return words, post_terms
    mapped: dict[str, str] = {}
    for tok, surface in post_terms.items():
        mapped.setdefault(classes.get(tok, tok), surface)
    return [(classes.get(tok, tok), clause, line) for tok, clause, line in words], mapped


def match_signs(text: str, compiled: CompiledSigns, file: str) -> list[SignMatch]:
    """Every sign the text shows, once each (its first place)."""
    text = text[:MAX_SIGN_CHARS]
    know_stems(getattr(compiled, "stems", None) or {})  # most of a post's words are the KB's own
    words, post_terms = tokens_and_terms(text, compiled.stopwords)
    if not words:
        return []
    words, post_terms = as_classes(words, post_terms, getattr(compiled, "classes", None) or {})
    negations = compiled.negations
    stop = compiled.stopwords
    prepared = _prepared(compiled)
    # tokens compared with == once every negation word reads as one ("never" meets "doesn't")
    canon = [NEGATION if tok in negations else tok for tok, _, _ in words]
    clauses = [clause for _, clause, _ in words]
    content = [i for i, (tok, _, _) in enumerate(words) if tok not in stop or tok in negations]
    found: dict[tuple[str, str], SignMatch] = {}

    def negated_before(start: int) -> bool:
        clause = clauses[start]
        for j in range(start - 1, max(-1, start - 1 - NEGATION_REACH), -1):
            if clauses[j] != clause:
                return False
            if canon[j] is NEGATION:
                return True
        return False

    rows = prepared.rows

    def keep(index: int, start: int) -> None:  # the sign of row INDEX, matched at START
        owner, text, _, _, _, negated = rows[index]
        key = (owner, text)
        if key not in found and (negated or not negated_before(start)):
            found[key] = SignMatch(prepared.sign(index), file, words[start][2])

    # literal and words: contiguous runs over every token
    runs = prepared.runs
    n_words = len(words)
    for i in [i for i, word in enumerate(canon) if word in runs]:  # most words start no sign
        alone, after = runs[canon[i]]
        # the runs of one token, and those whose second token is the next word
        for index, toks, size in after.get(canon[i + 1], alone) if i + 1 < n_words else alone:
            if i + size <= n_words and (size <= 2 or tuple(canon[i:i + size]) == toks):
                keep(index, i)
    # say: in order within a clause over the content words, small gaps allowed
    gap = compiled.policy.max_gap
    content_canon = [canon[i] for i in content]
    content_clauses = [clauses[i] for i in content]
    count = len(content)

    def say_at(toks: tuple[str, ...], start: int) -> bool:
        clause, position = content_clauses[start], start
        for token in toks[1:]:
            limit = min(count, position + 2 + gap)
            for nxt in range(position + 1, limit):
                if content_clauses[nxt] != clause:
                    return False
                if content_canon[nxt] == token:
                    position = nxt
                    break
            else:
                return False
        return True

    says = prepared.says
    in_clause: dict[int, set[str]] = {}  # the content words of each clause that starts a say sign
    for start in [start for start, token in enumerate(content_canon) if token in says]:
        clause = content_clauses[start]
        words_here = in_clause.get(clause)
        if words_here is None:  # content_clauses runs in order: the clause is one slice of it
            words_here = in_clause[clause] = set(content_canon[bisect_left(content_clauses, clause):
                                                               bisect_right(content_clauses, clause)])
        candidates, keys = says[content_canon[start]]
        # only the signs whose key word is in the clause (one pass, in C: a sign whose words
        # are not all in the clause cannot match), in their order
        for index, toks, rest in compress(candidates, map(words_here.__contains__, keys)):
            if rest <= words_here and say_at(toks, start):
                keep(index, content[start])
    # the post's distinct words, for comparing it with each cause's description (BM25)
    postings = compiled.postings
    for token, surface in post_terms.items():
        if token in postings:
            found[("word", token)] = SignMatch(_word_sign(token, surface), file, 0)
    return sorted(found.values(), key=lambda m: (m.sign.owner, m.line, m.sign.text))
