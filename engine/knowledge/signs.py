"""The causes' text signs, compiled once at load (and cached with the KB) for the scorer.

Each sign becomes a tuple of stemmed tokens with a weight: its kind's weight times its
specificity, the mean inverse document frequency of its tokens across the causes' signs,
scaled to 0..1 (a token every cause's signs use is worth nothing).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .lazy import lazy_parts
from .tokens import sign_tokens as _sign_tokens, stem, stem_table, tokens as _tokens_of


@dataclass(frozen=True)
class Sign:
    owner: str  # a cause id, or "symptom:<value>", or "off_topic" / "on_topic"
    text: str  # as written in the KB, shown in the evidence
    kind: str  # say | literal | words
    tokens: tuple[str, ...]  # stemmed; for `say` without stopwords
    weight: float
    negated: bool  # the sign itself holds a negation word


NEGATION = "\x00not"  # what every negation word reads as when matching (no token holds a NUL)


Run = tuple  # (sign index in PreparedSigns.rows, its canonical tokens, their number)
Say = tuple  # (sign index, its canonical tokens, the tokens after the first as a frozenset)


@dataclass(frozen=True)
class PreparedSigns:
    """The signs in the form match_signs walks (ingest/signs.py): tokens with every negation word
    read as one; the candidates of a first token split into runs (literal, words) and say
    signs, in by_first's order. Built with the KB and cached with it.

    runs: first token -> (its runs of one token, {second token -> its runs of one token and
    those whose second token that is}): a run is looked up by the two words where it would start.
    says: first token -> (its say signs, the key of each: its rarest token after the first among
    this first token's signs, or the first token itself for a sign of one token).
    rows: each sign's fields as a plain tuple (Sign(*row)), by the index runs and says hold: a
    cold start unpickles ~3,000 tuples, not ~3,000 Sign objects (~2 ms), and builds a Sign only
    for the few a post matches (sign())."""
    runs: dict[str, tuple[list[Run], dict[str, list[Run]]]]
    says: dict[str, tuple[list[Say], tuple[str, ...]]]
    rows: list[tuple[Any, ...]]
    built: dict[int, Sign] = field(default_factory=dict, compare=False, repr=False)  # not pickled

    def sign(self, index: int) -> Sign:
        """The Sign of row INDEX, built once per process."""
        found = self.built.get(index)
        if found is None:
            found = self.built[index] = Sign(*self.rows[index])
        return found

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "built"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, built={})


def sign_row(sign: Sign) -> tuple[Any, ...]:
    """A Sign's fields in order: Sign(*sign_row(s)) == s."""
    return (sign.owner, sign.text, sign.kind, sign.tokens, sign.weight, sign.negated)


def prepare(by_first: dict[str, list[Sign]], negations: frozenset[str]) -> PreparedSigns:
    def canon(token: str) -> str:
        return NEGATION if token in negations else token
    runs: dict[str, list[Run]] = {}
    says: dict[str, list[Say]] = {}
    rows: list[tuple[Any, ...]] = []
    index: dict[int, int] = {}  # id(sign) -> its row
    firsts = [(first, signs) for first, signs in by_first.items() if first not in negations]
    # a negation word's candidates: every negation's signs, in the negations' order
    firsts.append((NEGATION, [s for n in negations for s in by_first.get(n, ())]))
    for first, signs in firsts:
        for sign in signs:
            at = index.get(id(sign))
            if at is None:
                at = index[id(sign)] = len(rows)
                rows.append(sign_row(sign))
            toks = tuple(canon(t) for t in sign.tokens)
            if sign.kind == "say":
                says.setdefault(first, []).append((at, toks, frozenset(toks[1:])))
            else:
                runs.setdefault(first, []).append((at, toks, len(toks)))
    return PreparedSigns({first: _by_second(found) for first, found in runs.items()},
                         {first: (found, _keys(first, found)) for first, found in says.items()}, rows)


def _by_second(runs: list[Run]) -> tuple[list[Run], dict[str, list[Run]]]:
    """The runs of one first token as looked up by the next token (in their order)."""
    alone = [run for run in runs if run[2] == 1]
    after: dict[str, list[Run]] = {}
    for _, toks, size in runs:
        if size > 1 and toks[1] not in after:
            after[toks[1]] = [run for run in runs if run[2] == 1 or run[1][1] == toks[1]]
    return alone, after


def _keys(first: str, says: list[Say]) -> tuple[str, ...]:
    """Each say sign's rarest token after the first (among these signs), else the first."""
    counts: dict[str, int] = {}
    for _, _, rest in says:
        for token in rest:
            counts[token] = counts.get(token, 0) + 1
    return tuple(min(rest, key=lambda t: (counts[t], t)) if rest else first for _, _, rest in says)


@lazy_parts("signs", "by_first", "postings", "prepared", "stems")  # only text is matched against them
@dataclass
class CompiledSigns:
    policy: Any  # the SignsPolicy record
    signs: list[Sign]
    by_first: dict[str, list[Sign]]  # signs by their first token, to look up from a post
    stopwords: frozenset[str]
    negations: frozenset[str]
    symptom_labels: dict[str, str]  # case.symptom value -> words for it in a report
    # BM25 weight of each word (stem) in each cause's own description: title, summary, why and
    # signs; a post's score for a cause is the sum over its distinct words
    postings: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    prepared: PreparedSigns | None = None  # by_first as match_signs walks it
    stems: dict[str, str] = field(default_factory=dict)  # word -> stem of the KB's own words
    producers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # symptom -> the causes producing it
    classes: dict[str, str] = field(default_factory=dict)  # stem -> its word class's stem

    def owners(self) -> set[str]:
        return {sign.owner for sign in self.signs}


def word_classes(policy: Any) -> dict[str, str]:
    """stem -> the stem of its class's first word (policy.word_classes), for the words that move."""
    classes: dict[str, str] = {}
    for group in getattr(policy, "word_classes", ()):
        head = _sign_tokens(group[0])
        for word in group[1:]:
            toks = _sign_tokens(word)
            if len(head) == 1 and len(toks) == 1 and toks[0] != head[0]:
                classes.setdefault(toks[0], head[0])
    return classes


def compile_signs(causes: dict[str, Any], policy: Any, symptom_labels: dict[str, str]) -> CompiledSigns:
    stop = frozenset(stem(w) for w in policy.stopwords)
    negations = frozenset(stem(w) for w in policy.negation_words) | {"not"}
    classes = word_classes(policy)

    def sign_tokens(text: str) -> tuple[str, ...]:  # with every word read as its class
        return tuple(classes.get(t, t) for t in _sign_tokens(text))
    raw: list[tuple[str, str, str, tuple[str, ...]]] = []
    for cause_id, cause in sorted(causes.items()):
        for kind in ("say", "literal", "words"):
            for text in getattr(cause.signs, kind):
                toks = sign_tokens(text)
                if kind == "say":
                    toks = tuple(t for t in toks if t not in stop or t in negations)
                if toks:
                    raw.append((cause_id, kind, text, toks))
    # inverse document frequency of each token over the causes' signs
    documents: dict[str, set[str]] = {}
    for cause_id, _, _, toks in raw:
        for token in toks:
            documents.setdefault(token, set()).add(cause_id)
    n = max(len(causes), 2)
    top = math.log(n)
    idf = {token: math.log(n / len(owners)) / top for token, owners in documents.items()}
    signs: list[Sign] = []
    for cause_id, kind, text, toks in raw:
        specificity = sum(idf[t] for t in toks if t not in negations) / max(1, sum(1 for t in toks if t not in negations))
        if specificity < policy.min_specificity:
            continue
        signs.append(Sign(cause_id, text, kind, toks, policy.kind_weight[kind] * specificity,
                          any(t in negations for t in toks)))
    for symptom, texts in sorted(policy.symptom_signs.items()):
        for text in texts:
            toks = tuple(t for t in sign_tokens(text) if t not in stop or t in negations)
            if toks:
                signs.append(Sign(f"symptom:{symptom}", text, "say", toks, 1.0, any(t in negations for t in toks)))
    for owner, texts in (("on_topic", policy.on_topic_words), ("off_topic", policy.off_topic_signs)):
        for text in texts:
            toks = sign_tokens(text)
            if toks:
                signs.append(Sign(owner, text, "literal", toks, 1.0, False))
    by_first: dict[str, list[Sign]] = {}
    for sign in signs:
        by_first.setdefault(sign.tokens[0], []).append(sign)
    return CompiledSigns(policy, signs, by_first, stop, negations, symptom_labels,
                         _postings(causes, policy.similarity, stop, classes), prepare(by_first, negations),
                         stem_table(_texts_of(causes) + _texts_of(policy)), producers_of(causes), classes)


def producers_of(causes: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """symptom -> the ids of the causes that produce it (their `symptoms:`), in the causes' order."""
    found: dict[str, list[str]] = {}
    for cause_id, cause in causes.items():
        for symptom in dict.fromkeys(cause.symptoms):
            found.setdefault(symptom, []).append(cause_id)
    return {symptom: tuple(ids) for symptom, ids in sorted(found.items())}


def _texts_of(value: Any) -> list[str]:
    """Every string inside a record (dicts, lists, records), for the stem table."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _texts_of(item)]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _texts_of(item)]
    return []


def _postings(causes: dict[str, Any], similarity: Any, stop: frozenset[str],
              classes: dict[str, str]) -> dict[str, tuple[tuple[str, float], ...]]:
    """word -> ((cause id, BM25 term weight), ...) over the causes' descriptions."""
    documents: dict[str, dict[str, int]] = {}
    for cause_id, cause in sorted(causes.items()):
        text = " ".join([cause.title, cause.summary, cause.why, *cause.signs.say, *cause.signs.literal,
                         *cause.signs.words])
        counts: dict[str, int] = {}
        for token in _words(text, stop, classes):
            counts[token] = counts.get(token, 0) + 1
        documents[cause_id] = counts
    n = len(documents)
    average = sum(sum(d.values()) for d in documents.values()) / max(n, 1)
    frequency: dict[str, int] = {}
    for counts in documents.values():
        for token in counts:
            frequency[token] = frequency.get(token, 0) + 1
    k1, b = similarity.k1, similarity.b
    postings: dict[str, list[tuple[str, float]]] = {}
    for cause_id, counts in documents.items():
        length = sum(counts.values())
        for token, count in counts.items():
            idf = math.log(1 + (n - frequency[token] + 0.5) / (frequency[token] + 0.5))
            weight = idf * count * (k1 + 1) / (count + k1 * (1 - b + b * length / average))
            postings.setdefault(token, []).append((cause_id, round(weight, 6)))
    return {token: tuple(found) for token, found in sorted(postings.items())}


def _words(text: str, stop: frozenset[str], classes: dict[str, str]) -> list[str]:
    return [classes.get(token, token) for token, _, _ in _tokens_of(text)
            if token not in stop and len(token) > 2 and token.isalpha()]
