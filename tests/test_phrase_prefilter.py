"""The text reader's prefilter skips only phrase patterns that cannot match: every match of a
pattern holds one string of each of its required-literal groups (knowledge/literals.py)."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from rtms_doctor.ingest.text import _CLAUSE_SPLIT
from rtms_doctor.knowledge.literals import fold, from_program, program, required_alternatives, required_literals
from rtms_doctor.knowledge.load import load_knowledge

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("pattern, expected", [
    (r"x(?:ab|cd)y", (("xab", "xcd"),)),
    (r"ab(c|d)?efg", (("efg",),)),
    (r"(foo)+bar|bazz", (("bar", "bazz"),)),
    (r"ab(?:cd)*", None),
    (r"\bzoom for government\b|\bzfg\b", (("zfg", "zoom for government"),)),
    (r"(?:\bshare\b).{0,9}\b(toggle|switch)", (("switch", "toggle"), ("share",))),
    (r"c#|\.net", ((".net", "c#"),)),  # a branch with only a short run keeps it
    (r"c|\.net", None),
])
def test_required_literals(pattern: str, expected: object) -> None:
    assert required_literals(pattern) == expected


@pytest.mark.parametrize("pattern, expected", [
    (r"\bs2s app\b.{0,9}rtms scopes|\brtms app is s2s\b", ((("rtms scopes",), ("s2s app",)), (("rtms app is s2s",),))),
    (r"^(?!.*\?$).*?(?:\bauto[- ]?start\b|via the api)", ((("start",), ("auto",)), (("via the api",),))),
    (r"x(?:c#|\.net)", ((("c#",),), ((".net",),))),  # a branch's short literal is kept
    (r"(?:ab|cd)?xyz", None),  # an optional alternation is not required
    (r"(?!foo|bar)xyz", None),  # nor one in a lookaround
    (r"(?:abc|d)xyz|(?:efg|hij)", ((("xyz",),), (("efg", "hij"),))),
    (r"(?:abc|d)xyz", None),  # a branch without a literal: no test
    (r"(?:abc|def)+", ((("abc",),), (("def",),))),  # repeated at least once: required
    (r"xyz", None),
])
def test_required_alternatives(pattern: str, expected: object) -> None:
    """Every match holds each group of one branch (test_no_match_is_skipped checks the KB's)."""
    assert required_alternatives(pattern) == expected


def test_fold_covers_ignorecase() -> None:
    """Every character an IGNORECASE ASCII literal matches folds onto that literal."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for char in string.printable:
        for m in re.finditer(re.escape(char), every, re.I):
            assert char.lower() in fold(m.group(0)), (char, hex(ord(m.group(0))))


def _clauses() -> list[str]:
    texts = [p.read_text(encoding="utf-8", errors="replace")
             for folder in (REPO / "devset", REPO / "tests" / "fixtures")
             for p in sorted(folder.rglob("*")) if p.suffix in (".txt", ".log", ".md", ".eml")]
    return [c for text in texts for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]


def test_no_match_is_skipped() -> None:
    kb = load_knowledge()
    patterns = [entry.pattern for entry in kb.phrases.phrases]
    index = kb.phrase_index
    assert index is not None and len(index.items) == len(patterns)
    literals = [required_literals(p) for p in patterns]
    compiled = [re.compile(p, re.I) for p in patterns]
    clauses = _clauses()
    assert len(clauses) > 1000
    for clause in clauses:
        candidates = set(index.candidates(clause))
        for i, pattern in enumerate(compiled):
            if i not in candidates:
                assert not pattern.search(clause), (patterns[i], literals[i], clause)


def test_kept_programs_are_the_compiled_patterns() -> None:
    """A pattern rebuilt from the program kept with the KB is re.compile's pattern."""
    kb = load_knowledge()
    assert kb.phrase_programs is not None
    for entry, data in zip(kb.phrases.phrases, kb.phrase_programs):
        kept, fresh = from_program(entry.pattern, data), re.compile(entry.pattern, re.I)
        assert kept is not fresh  # built from the program, not re's own cache
        assert (kept.pattern, kept.flags, kept.groups, kept.groupindex) == \
            (fresh.pattern, fresh.flags, fresh.groups, fresh.groupindex)
        assert data is not None and data[2] == program(entry.pattern)[0][2]


def test_guarded_split_matches_as_the_whole_pattern() -> None:
    """A phrase written ^(?!GUARD).*?(?:BODY) is run as GUARD at the clause start and BODY
    searched (ingest/text.py Phrase.guarded): on every clause without a line break it matches
    exactly where the whole pattern does, and ends at the same place."""
    from rtms_doctor.ingest.reader import text_reader

    reader = text_reader(load_knowledge())
    clauses = [c for c in _clauses() if "\n" not in c]
    clauses += ["does auto-start work?", "auto-start is disabled?  ", "auto-start is disabled? no, it is on",
                "is it? auto-start is disabled", "?", "", "auto-start is disabled\u3000?\u2003"]
    split = 0
    for phrase in reader.phrases:
        if phrase.guarded is None:
            continue
        split += 1
        whole = re.compile(phrase.source, re.I)
        guard, body = phrase.guarded
        for clause in clauses:
            expected = whole.search(clause)
            found = None if guard.match(clause) else body.search(clause)
            assert (expected is None) == (found is None), (phrase.source, clause)
            assert expected is None or expected.end() == found.end(), (phrase.source, clause)
    assert split > 200


@pytest.mark.parametrize("source", [
    r"^(?!(a)).*?(?:b)",  # a group in the guard would renumber the body's groups
    r"^(?!a).*?(?:b)|(c)",  # the parentheses do not pair up as the split would read them
    r"^(?!a)x.*?(?:b)",
    r"\bb\b",
])
def test_other_patterns_run_whole(source: str) -> None:
    from rtms_doctor.ingest.text import Phrase

    assert Phrase(source, {}, {}).guarded is None


def test_short_literal_is_looked_for_whole() -> None:
    from rtms_doctor.knowledge.phrase_index import PhraseIndex

    index = PhraseIndex(range(3), [((".net", "c#"),), None, (("dotnet",), ("c#",))])
    assert index.candidates("we use C# here") == [0, 1]
    assert index.candidates("a dotnet c# client") == [0, 1, 2]
    assert index.candidates("nothing of the kind") == [1]


def test_alternatives_narrow_the_candidates() -> None:
    """An item whose groups are present is a candidate only when every group of one branch of
    its alternation is (none given: the groups decide alone)."""
    from rtms_doctor.knowledge.phrase_index import PhraseIndex

    alternatives = ((("s2s app",), ("rtms scopes",)), (("rtms app is",), ("s2s",)))
    index = PhraseIndex(range(3), [(("rtms",),), (("rtms",),), None], [alternatives, None, alternatives])
    assert index.candidates("the rtms app is ready") == [1]
    assert index.candidates("the rtms app is an s2s app") == [0, 1, 2]
    assert index.candidates("rtms scopes are on the s2s app") == [0, 1, 2]
    assert index.candidates("rtms scopes") == [1]
