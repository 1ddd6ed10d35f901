"""Which phrase patterns a clause can match, found without running them (built at KB load and
cached with it).

Each phrase carries its required literals (knowledge/literals.py): any-of groups, every match
holding a string of each. A clause is folded once, its three-character grams collected, and
only the literals keyed under one of those grams (and the few shorter than a gram) are looked
for; a phrase owning a literal found (in its first group) whose other groups are present too is
a candidate, as is a phrase without literals. A phrase whose pattern goes through an alternation
(literals.py required_alternatives) must then also hold every group of one of its branches:
the groups keep one literal per branch, so "s2s app ... rtms scopes | rtms app is s2s" would
otherwise run on every clause that says "rtms". Candidates keep the KB's order, so the facts
they emit come out exactly as if every pattern had been run.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Generic, Sequence, TypeVar

from .literals import MIN_LITERAL, Alternatives, fold

T = TypeVar("T")


class PhraseIndex(Generic[T]):
    def __init__(self, items: Sequence[T], literals: Sequence[tuple[tuple[str, ...], ...] | None],
                 alternatives: Sequence[Alternatives | None] | None = None):
        """LITERALS: each item's required groups; ALTERNATIVES: each item's required alternatives
        (literals.py), a second test for an item whose groups are all present."""
        self.items = list(items)
        # one object per distinct literal and group: the KB's pickle refers to it again rather
        # than writing it again (a cold start unpickles the index)
        shared: dict[Any, Any] = {}

        def one(groups: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
            return tuple(shared.setdefault(g, tuple(shared.setdefault(s, s) for s in g)) for g in groups)

        literals = [one(groups) if groups else groups for groups in literals]
        self.alternatives = [tuple(one(branch) for branch in found) if found else found
                             for found in (alternatives if alternatives is not None else [None] * len(self.items))]
        self.always = [i for i, groups in enumerate(literals) if not groups]
        self.rest = [groups[1:] if groups else () for groups in literals]  # checked once keyed
        self.owners: dict[str, list[int]] = {}
        for i, groups in enumerate(literals):
            for literal in groups[0] if groups else ():
                self.owners.setdefault(literal, []).append(i)
        # key each literal under its rarest gram: few literals to check per gram of a clause
        # a literal shorter than a gram (literals.MIN_SHORT: "c#") is looked for whole in each clause
        self.short = sorted(lit for lit in self.owners if len(lit) < MIN_LITERAL)
        grams = {lit: {lit[k:k + MIN_LITERAL] for k in range(len(lit) - MIN_LITERAL + 1)}
                 for lit in self.owners if len(lit) >= MIN_LITERAL}
        counts = Counter(g for found in grams.values() for g in found)
        self.by_gram: dict[str, list[str]] = {}
        for lit, found in sorted(grams.items()):
            key = min(found, key=lambda g: (counts[g], g))
            self.by_gram.setdefault(key, []).append(lit)
        self.keys = frozenset(self.by_gram)

    # the keys set is rebuilt on load, not pickled: a set's pickle follows its hash order, and
    # the KB's pickle (its cache) is kept byte-stable
    def __getstate__(self) -> dict[str, object]:
        return {name: value for name, value in self.__dict__.items() if name != "keys"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.keys = frozenset(self.by_gram)

    def candidates(self, clause: str) -> list[T]:
        """The items that may match CLAUSE, in their original order."""
        text = fold(clause)
        by_gram, owners = self.by_gram, self.owners
        keyed: set[int] = set()
        # the clause's grams that key a literal, found by one set intersection (in C): a
        # clause has dozens of grams, few of them keys
        grams = map("".join, zip(*(text[k:] for k in range(MIN_LITERAL))))
        for gram in self.keys.intersection(grams):
            for literal in by_gram[gram]:
                if literal in text:
                    keyed.update(owners[literal])
        for literal in self.short:
            if literal in text:
                keyed.update(owners[literal])
        rest, alternatives, contains = self.rest, self.alternatives, text.__contains__
        chosen = []
        for i in keyed:  # its other groups present too (loops, not generators: half the time)
            for group in rest[i]:
                if not any(map(contains, group)):
                    break
            else:
                chosen.append(i)
        chosen += self.always
        # then every group of one branch of its alternation: most candidates fail here, at the
        # cost of a few substring tests rather than a regex search
        return [self.items[i] for i in sorted(chosen)
                if alternatives[i] is None or _one_branch(alternatives[i], contains)]


def _one_branch(alternatives: Alternatives, contains: Callable[[str], bool]) -> bool:
    """Whether the text (CONTAINS) holds every group of one of the branches."""
    for groups in alternatives:
        for group in groups:
            if not any(map(contains, group)):
                break
        else:
            return True
    return False
