"""Required literals of a regular expression: strings every match must contain one of.

The text reader runs ~350 phrase patterns on every clause; most cannot match because their
words are absent. Each pattern gets, at KB load (so it is cached with the KB), a few any-of
groups of lower-case literal strings worked out from Python's own regex parser: a clause whose
folded text misses every string of one group is not searched (and the pattern never
compiled). A pattern without groups is always run: the filter skips work, never a match.
"""
from __future__ import annotations

import re
from typing import Any

from ..regex_cache import cached_compile, from_program as compile_program, program_of

try:  # Python 3.11+; the module was sre_parse before
    from re import _compiler, _constants as _c, _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_compile as _compiler  # type: ignore[no-redef]
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

MIN_LITERAL = 3  # shorter runs ("a ", "is") are in almost every clause: no filter
MIN_SHORT = 2  # a branch without a longer run keeps one this short (phrase_index.py looks for it whole)
MAX_GROUPS = 6  # groups kept per pattern (each costs a substring test on a candidate clause)
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT} | ({_c.POSSESSIVE_REPEAT} if hasattr(_c, "POSSESSIVE_REPEAT") else set())
# characters an IGNORECASE pattern's ASCII letter also matches that str.lower() does not map
# onto it (checked over every code point in tests/test_phrases.py)
FOLD = str.maketrans({"\u017f": "s", "\u0131": "i"})


def fold(text: str) -> str:
    """Text as the literals are compared with it."""
    return text.lower().translate(FOLD)


def required_literals(pattern: str, flags: int = re.I) -> tuple[tuple[str, ...], ...] | None:
    """Groups of lower-case strings, the most selective first: every match holds (in its folded
    text) one string of every group. None when nothing is known."""
    return _groups(_parser.parse(pattern, flags))


def required_alternatives(pattern: str, flags: int = re.I) -> Alternatives | None:
    """The groups of each branch of the pattern's first required alternation (see _alternatives)."""
    return _alternatives(list(_parser.parse(pattern, flags)))


Alternatives = tuple[tuple[tuple[str, ...], ...], ...]  # per branch, its groups (as _groups gives them)


def _alternatives(items: list[tuple[Any, Any]]) -> Alternatives | None:
    """The first alternation every match goes through whose branches all require literals (at
    the top, or in a group that must match; not in an optional part, not in a lookaround): for
    each branch, the groups it requires. A match holds every group of one branch, a finer test
    than the required groups, which keep one literal per branch ("s2s app ... rtms scopes |
    rtms app is s2s" requires "s2s" and "rtms", not just "rtms"). None without one."""
    for op, av in items:
        if op == _c.BRANCH:
            branches = []
            for branch in av[1]:
                groups = _groups(list(branch)) or _groups(list(branch), MIN_SHORT)
                if groups is None:
                    return None
                branches.append(groups)
            return tuple(branches)
        if op == _c.SUBPATTERN:
            inner = list(av[-1])
        elif op in _REPEATS and av[0] >= 1:
            inner = list(av[2])
        else:
            continue
        found = _alternatives(inner)
        if found is not None:
            return found
    return None


def _groups(tree: Any, shortest: int = MIN_LITERAL) -> tuple[tuple[str, ...], ...] | None:
    groups = sorted(set(_sequence(list(tree), "", shortest)), key=_rank)[:MAX_GROUPS]
    return tuple(tuple(sorted(group)) for group in groups) or None


def _rank(group: frozenset[str]) -> tuple[int, int, list[str]]:
    """The group whose shortest word is longest (" the " is in most clauses, "endpoint" is
    not), then the fewest alternatives: the most selective, cheapest test first."""
    return (-min(min(len(s.strip()), 8) for s in group), len(group), sorted(group))


def _sequence(items: list[tuple[Any, Any]], prefix: str = "", shortest: int = MIN_LITERAL) -> list[frozenset[str]]:
    """The any-of groups a sequence requires (all of them): its literal runs and the groups of
    its required parts. PREFIX is the literal text right before the sequence (so "z(?:oom|fg)"
    gives zoom or zfg); SHORTEST the shortest run kept."""
    groups: list[frozenset[str]] = []
    run: list[str] = list(prefix)

    def close() -> None:
        if len(run) >= shortest:
            groups.append(frozenset(["".join(run)]))
        run.clear()

    for op, av in items:
        if op == _c.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        if op == _c.AT:  # zero-width (\b, ^): the characters around it stay adjacent
            continue
        before = "".join(run)
        close()
        if op == _c.SUBPATTERN:
            groups.extend(_sequence(list(av[-1]), before))
        elif op in _REPEATS and av[0] >= 1:
            groups.extend(_sequence(list(av[2]), before))
        elif op == _c.BRANCH:
            # a branch with no longer run may still name a short one ("c#|\.net|dotnet"): better a
            # short literal than none, where the pattern would run on every clause
            found = [_sequence(list(branch), before) or _sequence(list(branch), before, MIN_SHORT)
                     for branch in av[1]]
            if all(found):  # one of the branches matched: the union of their best groups
                groups.append(frozenset().union(*(min(f, key=_rank) for f in found)))
    close()
    return groups




# -- compiled programs ------------------------------------------------------------------------
# re.compile spends ~0.4 ms on a phrase pattern (parsing it, generating its code): most of a cold
# start that reads text. The generated code is kept with the KB (the cache key holds the Python
# version) and handed to _sre.compile, which re.compile itself ends with: microseconds. _sre
# validates the code it is given; on any mismatch the pattern is simply compiled again.
# (engine/regex_cache.py does the same for the patterns written in the code.)
Program = tuple  # regex_cache.Program: (_sre.MAGIC, flags, code bytes, groups, groupindex, indexgroup)


def program(pattern: str, flags: int = re.I) -> tuple[Program | None, tuple[tuple[str, ...], ...] | None]:
    """(the compiled program as data, the required literals) of a pattern, parsed once;
    raises re.error on a bad pattern."""
    return program_parts(pattern, flags)[:2]


def program_parts(pattern: str, flags: int = re.I) -> tuple[Program | None, tuple[tuple[str, ...], ...] | None,
                                                           Alternatives | None]:
    """program(pattern) and the pattern's required alternatives, from one parse."""
    tree = _parser.parse(pattern, flags)
    return program_of(tree, flags), _groups(tree), _alternatives(list(tree))


def from_program(pattern: str, data: Program | None, flags: int = re.I) -> re.Pattern[str]:
    """The pattern, from its kept program when this interpreter can take it."""
    compiled = compile_program(pattern, data)
    return compiled if compiled is not None else cached_compile(pattern, flags)
