"""Runs compiled rules on durable_rules, guarded against its measured failure modes.

durable_rules 2.0.28 (see shared/design/durable-rules-notes.md, and our own probes) breaks in
ways that are silent or fatal. Each guard below answers one of them:

* more than 64 rules satisfied by one fact in one ruleset -> error 303, or heap corruption
  and a crash (we saw ``munmap_chunk(): invalid pointer``); 512 rules under one shared node ->
  ruleset creation hangs.  => rules are packed into shards whose total count of disjunctive
  branches is at most SHARD_BRANCHES, so no fact can ever satisfy more than that per ruleset.
* about 252 properties per fact  => each shard asserts only the fact paths its rules read.
* rules made only of absence match the re-asserted state object and loop forever
  => every pattern requires the marker ``_case == 1`` that only case facts carry.
* $or fires once per true branch  => fired rule ids are collected in a set.
* actions' exceptions are swallowed into the session state  => our action cannot raise, and
  anything unexpected is recorded and re-raised as EngineError.
* a background dispatcher whose threads crashed under concurrency  => Host._run is disabled;
  calls are serialised with a lock.
* 1,024 live sessions per ruleset and ~0.7 MB each  => one session at a time, deleted in
  ``finally``.
* found here: ``delete_state`` after an assert that matched no rule corrupts the heap and
  kills the process (``free(): invalid pointer``), yet such an assert still opens a session.
  => every shard carries a SENTINEL rule that matches every case fact, so no assert is ever
  unhandled and every session can be deleted.
* loose type coercion  => operands are type-checked against the fact schema at load time and
  facts are normalised (real bools, ints; versions and dates as integers) before asserting.
* a regex matcher that misses plain substrings (measured: ".*aaa.*" on "..baaaaa")
  => text tests are computed in Python during projection; rules test boolean feature keys.
"""
from __future__ import annotations

import copy
import itertools
import json
import threading
from dataclasses import dataclass
from typing import Any, Iterable

from durable import engine as durable

from . import conditions as C
from .errors import EngineError

SHARD_BRANCHES = 60  # with the sentinel, under the 64 simultaneous matches that break durable_rules
GUARD = {"_case": 1}
SENTINEL = "__sentinel__"  # matches every case fact; its action does nothing


@dataclass(frozen=True)
class Shard:
    name: str
    rule_ids: tuple[str, ...]
    keys: tuple[str, ...]  # fact paths the shard's rules read
    count_keys: tuple[str, ...]  # list paths whose length is needed (not_contains)
    text_tests: tuple[C.Leaf, ...]  # text tests computed in Python, seen as feature keys
    definition: dict[str, Any]
    # register_rulesets mutates what it is given: each registration parses a fresh copy
    definition_json: str
    paths: frozenset[str]  # every fact path any of its rules reads
    fires_on_nothing: bool  # some rule holds on an empty case (absence only): never skip


def plan_shards(rules: Iterable[tuple[str, C.Cond]], prefix: str = "rtms") -> list[Shard]:
    """Pack rules into rulesets of at most SHARD_BRANCHES branches each, rules that read the
    same facts together, so that a sparse case leaves most shards untouched."""
    rules = sorted(rules, key=lambda item: (sorted(item[1].paths()), item[0]))
    shards: list[Shard] = []
    current: list[tuple[str, C.Cond]] = []
    budget = 0

    def close() -> None:
        if current:
            shards.append(_make_shard(f"{prefix}_{len(shards):03d}", current))

    for rule_id, cond in rules:
        branches = C.branch_count(cond)
        if branches > SHARD_BRANCHES:
            raise EngineError(f"rule {rule_id} has {branches} alternative branches; at most "
                              f"{SHARD_BRANCHES} fit the engine (split it into several rules)")
        if budget + branches > SHARD_BRANCHES:
            close()
            current, budget = [], 0
        current.append((rule_id, cond))
        budget += branches
    close()
    return shards


def _make_shard(name: str, rules: list[tuple[str, C.Cond]]) -> Shard:
    keys: dict[str, None] = {}
    counts: dict[str, None] = {}
    texts: dict[str, C.Leaf] = {}
    definition: dict[str, Any] = {}
    for rule_id, cond in rules:
        for leaf in C.leaves(cond):
            if C.is_text_test(leaf):
                texts[C.feature_key(leaf)] = leaf
                continue
            keys[leaf.path] = None
            if leaf.op == "not_contains":
                counts[leaf.path] = None
        pattern = {"$and": [dict(GUARD), C.to_durable(cond)]}
        definition[rule_id] = {"all": [{"m": pattern}], "run": rule_id}
    definition[SENTINEL] = {"all": [{"m": dict(GUARD)}], "run": SENTINEL}
    paths = frozenset(p for _, cond in rules for p in cond.paths())
    fires_on_nothing = any(C.evaluate(cond, {}) is C.Truth.TRUE for _, cond in rules)
    return Shard(name, tuple(r for r, _ in rules), tuple(keys), tuple(counts),
                 tuple(texts[k] for k in sorted(texts)), definition, json.dumps(definition), paths,
                 fires_on_nothing)



class _QuietHost(durable.Host):
    """A durable Host without the background dispatcher threads."""

    def __init__(self, action_for):  # type: ignore[no-untyped-def]
        self._action_for = action_for
        super().__init__()

    def _run(self) -> None:  # the dispatcher's timers crashed under concurrency
        pass

    def get_action(self, action_name):  # type: ignore[no-untyped-def]
        return self._action_for(action_name)


class DurableEvaluator:
    """Decides which rules fire for one case, on the real durable_rules engine."""

    def __init__(self, rules: Iterable[tuple[str, C.Cond]], prefix: str = "rtms", eager: bool = True):
        """eager=False registers each shard with durable_rules when a case first needs it
        (a cold single diagnosis touches only some); eager=True registers all at once."""
        self.shards = plan_shards(rules, prefix)
        self._fired: set[str] = set()
        self._errors: list[str] = []
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        self._host = _QuietHost(self._action_for)
        self._registered: set[str] = set()
        if eager:
            self._register(self.shards)

    def _register(self, shards: list[Shard]) -> None:
        try:
            # register_rulesets mutates what it is given: hand it a copy
            self._host.register_rulesets({s.name: json.loads(s.definition_json) for s in shards})
        except Exception as exc:  # durable raises bare Exceptions with error codes
            raise EngineError(f"durable_rules refused the compiled rules: {exc}; "
                              f"{refused_rules(shards)}") from None
        self._registered.update(s.name for s in shards)

    def _action_for(self, rule_id: str):  # type: ignore[no-untyped-def]
        if rule_id == SENTINEL:
            return _ignore

        def action(c: Any) -> None:
            try:
                self._fired.add(rule_id)
            except Exception as exc:  # pragma: no cover - recorded, never swallowed
                self._errors.append(f"{rule_id}: {exc!r}")
        return action

    def fired(self, facts: dict[str, Any]) -> set[str]:
        """Rule ids whose conditions hold for ``facts`` (normalised values by path)."""
        with self._lock:
            self._fired = set()
            self._errors = []
            sid = str(next(self._sids))
            known = facts.keys()
            for shard in self.shards:
                # A shard none of whose facts is known can fire only rules that hold on an
                # empty case; without such rules it is skipped (exact, not a heuristic).
                if not shard.fires_on_nothing and shard.paths.isdisjoint(known):
                    continue
                if shard.name not in self._registered:
                    self._register([shard])
                fact = {"sid": sid, "_case": 1}
                for key in shard.keys:
                    if key in facts:
                        fact[key] = facts[key]
                for key in shard.count_keys:
                    if key in facts:
                        fact[key + C.COUNT_SUFFIX] = len(facts[key])
                for leaf in shard.text_tests:
                    if leaf.path in facts:
                        fact[C.feature_key(leaf)] = C.text_test(leaf, facts[leaf.path])
                try:
                    self._host.assert_fact(shard.name, fact)
                except durable.MessageNotHandledException:
                    # impossible with the sentinel; deleting this session would crash
                    raise EngineError(f"durable_rules left a case unhandled in {shard.name}") from None
                except Exception as exc:
                    raise EngineError(f"durable_rules failed on {shard.name}: {exc}") from None
                try:
                    self._host.delete_state(shard.name, sid)
                except Exception as exc:  # pragma: no cover
                    raise EngineError(f"durable_rules could not free a session: {exc}") from None
            if self._errors:
                raise EngineError("rule actions failed: " + "; ".join(self._errors))
            return set(self._fired)


def refused_rules(shards: list[Shard]) -> str:
    """Which rules durable_rules cannot compile (its regex compiler refuses some patterns,
    e.g. error 503 on '.*1111a.*'), found by compiling each rule alone."""
    refused = []
    for shard in shards:
        for rule_id in shard.rule_ids:
            probe = _QuietHost(lambda name: _ignore)
            try:
                probe.register_rulesets({"probe": {rule_id: copy.deepcopy(shard.definition[rule_id])}})
            except Exception as exc:
                refused.append(f"rule {rule_id} ({exc})")
    return "; ".join(refused) or "no single rule is refused"


def _ignore(c: Any) -> None:
    """The sentinel's action."""
