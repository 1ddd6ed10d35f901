"""The signs' prepared layout (knowledge/signs.py prepare: runs looked up by their first two
words, each say sign keyed by its rarest later word, so only those whose key is there are tried)
finds exactly what trying every sign of a post's words finds, in the same order (the first
sign kept wins)."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from pathlib import Path

from rtms_doctor.ingest.signs import NEGATION_REACH, SignMatch, _word_sign, as_classes, match_signs
from rtms_doctor.knowledge.load import load_knowledge
from rtms_doctor.knowledge.signs import NEGATION, Sign, prepare, sign_row
from rtms_doctor.knowledge.tokens import tokens_and_terms

REPO = Path(__file__).resolve().parent.parent


def _every_sign(text: str, compiled, file: str) -> list[SignMatch]:
    """match_signs as written before the layout: every sign of a word's first token tried."""
    words, post_terms = tokens_and_terms(text, compiled.stopwords)
    if not words:
        return []
    words, post_terms = as_classes(words, post_terms, compiled.classes)  # as match_signs reads them
    negations, stop = compiled.negations, compiled.stopwords
    flat_runs: dict[str, list] = {}
    flat_says: dict[str, list] = {}
    firsts = [(f, s) for f, s in compiled.by_first.items() if f not in negations]
    firsts.append((NEGATION, [s for n in negations for s in compiled.by_first.get(n, ())]))
    for first, signs in firsts:
        for sign in signs:
            toks = tuple(NEGATION if t in negations else t for t in sign.tokens)
            if sign.kind == "say":
                flat_says.setdefault(first, []).append((sign, toks, frozenset(toks[1:])))
            else:
                flat_runs.setdefault(first, []).append((sign, toks, len(toks)))
    canon = [NEGATION if tok in negations else tok for tok, _, _ in words]
    clauses = [clause for _, clause, _ in words]
    content = [i for i, (tok, _, _) in enumerate(words) if tok not in stop or tok in negations]
    found: dict = {}

    def negated_before(start: int) -> bool:
        for j in range(start - 1, max(-1, start - 1 - NEGATION_REACH), -1):
            if clauses[j] != clauses[start]:
                return False
            if canon[j] is NEGATION:
                return True
        return False

    def keep(sign, start: int) -> None:
        key = (sign.owner, sign.text)
        if key not in found and (sign.negated or not negated_before(start)):
            found[key] = SignMatch(sign, file, words[start][2])

    for i, word in enumerate(canon):
        for sign, toks, size in flat_runs.get(word, ()):
            if i + size <= len(words) and tuple(canon[i:i + size]) == toks:
                keep(sign, i)
    gap = compiled.policy.max_gap
    content_canon = [canon[i] for i in content]
    content_clauses = [clauses[i] for i in content]

    def say_at(toks, start: int) -> bool:
        clause, position = content_clauses[start], start
        for token in toks[1:]:
            for nxt in range(position + 1, min(len(content), position + 2 + gap)):
                if content_clauses[nxt] != clause:
                    return False
                if content_canon[nxt] == token:
                    position = nxt
                    break
            else:
                return False
        return True

    for start, token in enumerate(content_canon):
        clause = content_clauses[start]
        here = set(content_canon[bisect_left(content_clauses, clause):bisect_right(content_clauses, clause)])
        for sign, toks, rest in flat_says.get(token, ()):
            if rest <= here and say_at(toks, start):
                keep(sign, content[start])
    for token, surface in post_terms.items():
        if token in compiled.postings:
            found[("word", token)] = SignMatch(_word_sign(token, surface), file, 0)
    return sorted(found.values(), key=lambda m: (m.sign.owner, m.line, m.sign.text))


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8", errors="replace")
             for folder in (REPO / "devset", REPO / "tests" / "fixtures")
             for p in sorted(folder.rglob("*")) if p.suffix in (".txt", ".log", ".md", ".eml")]
    # the KB's own sign texts, alone and run together, and negated: every sign meets its words
    kb = load_knowledge()
    signs = [s.text for s in kb.signs.signs]
    texts += signs
    texts += [" ".join(signs[i:i + 7]) for i in range(0, len(signs), 7)]
    texts += ["we do not see " + " and ".join(signs[i:i + 3]) for i in range(0, len(signs), 5)]
    return texts


def test_layout_finds_what_every_sign_finds() -> None:
    kb = load_knowledge()
    texts = _texts()
    assert len(texts) > 1000
    matched = 0
    for text in texts:
        expected = _every_sign(text, kb.signs, "post.txt")
        assert match_signs(text, kb.signs, "post.txt") == expected, text[:200]
        matched += sum(m.sign.owner != "word" for m in expected)
    assert matched > 2000


def test_keys_are_words_a_match_needs() -> None:
    """Runs are looked up by their first two tokens; each say sign's key is one of its later
    tokens (its first for a sign of one token): a text without the key cannot match."""
    kb = load_knowledge()
    prepared = prepare(kb.signs.by_first, kb.signs.negations)
    for first, (alone, after) in prepared.runs.items():
        assert all(toks[0] == first and size == 1 for _, toks, size in alone)
        for second, runs in after.items():
            assert all(toks[0] == first and (size == 1 or toks[1] == second) for _, toks, size in runs)
    for first, (says, keys) in prepared.says.items():
        assert len(says) == len(keys)
        for (_, toks, rest), key in zip(says, keys):
            assert toks[0] == first and (key in rest if rest else key == first)


def test_rows_rebuild_every_sign() -> None:
    """The prepared form keeps each sign as a row (a plain tuple) and its index: the Sign a row
    rebuilds equals the KB's sign at the place a run or a say sign refers to, and every sign
    has exactly one row."""
    kb = load_knowledge()
    prepared = prepare(kb.signs.by_first, kb.signs.negations)
    assert len(prepared.rows) == len(kb.signs.signs)
    assert sorted(prepared.rows, key=repr) == sorted((sign_row(s) for s in kb.signs.signs), key=repr)
    for i, row in enumerate(prepared.rows):
        assert prepared.sign(i) == Sign(*row) and prepared.sign(i) is prepared.sign(i)
    by_tokens = {(s.owner, s.text, s.kind): s for s in kb.signs.signs}
    entries = [e for alone, after in prepared.runs.values() for e in alone + [r for rs in after.values() for r in rs]]
    entries += [e for says, _ in prepared.says.values() for e in says]
    for index, toks, _ in entries:
        sign = prepared.sign(index)
        assert sign == by_tokens[(sign.owner, sign.text, sign.kind)]
        assert toks == tuple(NEGATION if t in kb.signs.negations else t for t in sign.tokens)


def test_prepared_pickles_without_its_built_signs() -> None:
    import pickle

    kb = load_knowledge()
    prepared = prepare(kb.signs.by_first, kb.signs.negations)
    prepared.sign(0)
    copy = pickle.loads(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL))
    assert copy == prepared and copy.built == {} and copy.sign(0) == prepared.sign(0)
