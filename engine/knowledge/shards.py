"""Packs compiled rules into durable_rules rulesets ("shards") that stay inside its limits.

Planning needs no engine: the plan is computed when the knowledge base is loaded and cached
with it, so a cold start only hands ready JSON to durable_rules (see durable_engine for the
measured limits each choice answers).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from . import conditions as C
from ..errors import EngineError

SHARD_BRANCHES = 60  # with the sentinel, under the 64 simultaneous matches that break durable_rules
GUARD = {"_case": 1}
SENTINEL = "__sentinel__"  # matches every case fact; its action does nothing


@dataclass(frozen=True)
class Shard:
    name: str
    rule_ids: tuple[str, ...]
    keys: tuple[str, ...]  # fact paths the shard's rules read
    count_keys: tuple[str, ...]  # list paths whose length is needed (not_contains)
    # text and bit tests computed in Python, seen by the engine under these feature keys
    computed: tuple[tuple[str, C.Leaf], ...]
    # the ruleset as the text durable_rules' engine compiles (what its Ruleset would make with
    # json.dumps of the definition once each rule's "run" is taken out): registering a shard
    # hands it over as it is, with no JSON round trip. Each rule's action is named by its id.
    engine_json: str
    paths: frozenset[str]  # every fact path any of its rules reads
    fires_on_nothing: bool  # some rule holds on an empty case (absence only): never skip

    def rule_definition(self, rule_id: str) -> dict[str, Any]:
        """One rule's durable_rules definition (a fresh copy), its action named by its id."""
        return {**json.loads(self.engine_json)[rule_id], "run": rule_id}

    @property
    def actions(self) -> tuple[str, ...]:
        """The names of the shard's rules, each also the name of its action."""
        return (*self.rule_ids, SENTINEL)


def plan_shards(rules: Iterable[tuple[str, C.Cond]], prefix: str = "rtms") -> list[Shard]:
    """Pack rules into rulesets of at most SHARD_BRANCHES branches each, rules that read the
    same facts together, so that a sparse case leaves most shards untouched."""
    rules = list(rules)
    # each rule goes with the rules of its most widely read fact (api.error_codes, the stream's
    # started event, ...): a case that knows a common fact then touches few shards, and a
    # rare fact's rules stay together in shards most cases never touch
    readers: dict[str, int] = {}
    for _, cond in rules:
        for path in cond.paths():
            readers[path] = readers.get(path, 0) + 1

    def main_path(cond: C.Cond) -> str:
        return min(cond.paths(), key=lambda path: (-readers[path], path), default="")
    rules.sort(key=lambda item: (main_path(item[1]), sorted(item[1].paths()), item[0]))
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
    computed: dict[str, C.Leaf] = {}
    definition: dict[str, Any] = {}
    for rule_id, cond in rules:
        for leaf in C.leaves(cond):
            if C.is_computed(leaf):
                computed[C.feature_key(leaf)] = leaf
                continue
            keys[leaf.path] = None
            if leaf.op == "not_contains":
                counts[leaf.path] = None
        pattern = {"$and": [dict(GUARD), C.to_durable(cond)]}
        definition[rule_id] = {"all": [{"m": pattern}]}
    definition[SENTINEL] = {"all": [{"m": dict(GUARD)}]}
    paths = frozenset(p for _, cond in rules for p in cond.paths())
    fires_on_nothing = any(C.evaluate(cond, {}) is C.Truth.TRUE for _, cond in rules)
    return Shard(name, tuple(r for r, _ in rules), tuple(keys), tuple(counts),
                 tuple(sorted(computed.items())), json.dumps(definition, ensure_ascii=False), paths,
                 fires_on_nothing)
