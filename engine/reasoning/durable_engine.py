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
* no bitwise operators  => bit tests (bits_set, bits_clear) are computed the same way.
"""
from __future__ import annotations

import itertools
import json
import os
import threading
import zlib
from typing import Any

import durable_rules_engine
from durable import engine as durable

from ..knowledge import conditions as C
from ..errors import EngineError
from ..knowledge.shards import SENTINEL, Shard


CROSS_CHECK_ENV = "RTMS_DOCTOR_CROSSCHECK"  # "all": durable_rules checks every case, wherever
BATCH_SAMPLE = 16  # batch and eval check one case in this many on durable_rules


def cross_check_every(default: int) -> int:
    """One case in how many runs on durable_rules as well (1: every case)."""
    return 1 if os.environ.get(CROSS_CHECK_ENV, "").strip().lower() in ("all", "every", "1") else max(1, default)


def cross_checked(facts: dict[str, Any], every: int) -> bool:
    """Whether this case is one of the sampled: decided by a CRC of its facts, so the same case
    is always checked or never, whatever the order, the process or PYTHONHASHSEED."""
    if every <= 1:
        return True
    key = json.dumps(facts, sort_keys=True, default=str, ensure_ascii=False)
    return zlib.crc32(key.encode("utf-8")) % every == 0


class _QuietHost(durable.Host):
    """A durable Host without the background dispatcher threads."""

    def __init__(self, action_for):  # type: ignore[no-untyped-def]
        self._action_for = action_for
        super().__init__()

    def _run(self) -> None:  # the dispatcher's timers crashed under concurrency
        pass

    def get_action(self, action_name):  # type: ignore[no-untyped-def]
        return self._action_for(action_name)

    def register_shard(self, shard: Shard) -> None:
        """register_rulesets for one shard, from the engine text the KB keeps: durable's own
        path would take a dict (which we would first json.loads) and json.dumps it again,
        ~2 ms of a cold start for a dozen shards. Host.register_rulesets does no more than
        this when no message callback is set, as none is here."""
        if shard.name in self._ruleset_directory:
            raise Exception(f"Ruleset with name {shard.name} already registered")
        ruleset = _ShardRuleset(shard, self)
        self._ruleset_directory[shard.name] = ruleset
        self._ruleset_list.append(ruleset)


class _ShardRuleset(durable.Ruleset):
    """durable's Ruleset made as its __init__ makes one from a definition whose every rule
    runs the action named by its id, given the JSON text that __init__ would produce."""

    def __init__(self, shard: Shard, host: _QuietHost):  # no super().__init__: it parses a dict
        self._actions = {name: durable.Promise(host.get_action(name)) for name in shard.actions}
        self._name = shard.name
        self._host = host
        self._handle = durable_rules_engine.create_ruleset(shard.name, shard.engine_json)
        self._definition = None  # get_definition() is not used here


class DurableEvaluator:
    """Decides which rules fire for one case, on the real durable_rules engine."""

    def __init__(self, shards: list[Shard], eager: bool = True):
        """``shards`` is the plan (shards.plan_shards; the knowledge base caches its own).
        eager=False registers each shard with durable_rules when a case first needs it
        (a cold single diagnosis touches only some); eager=True registers all at once."""
        self.shards = shards
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
            for shard in shards:
                self._host.register_shard(shard)
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
                for feature, leaf in shard.computed:
                    if leaf.path in facts:
                        fact[feature] = C.computed_test(leaf, facts[leaf.path])
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
    """Which rules durable_rules cannot compile, found by compiling each rule alone (its
    errors name a code, not a rule)."""
    refused = []
    for shard in shards:
        for rule_id in shard.rule_ids:
            probe = _QuietHost(lambda name: _ignore)
            try:
                probe.register_rulesets({"probe": {rule_id: shard.rule_definition(rule_id)}})
            except Exception as exc:
                refused.append(f"rule {rule_id} ({exc})")
    return "; ".join(refused) or "no single rule is refused"


def _ignore(c: Any) -> None:
    """The sentinel's action."""
