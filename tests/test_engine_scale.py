"""A synthetic knowledge base several times the real one, shaped to hit every measured
durable_rules limit if the engine did not guard against them:

* 600 rules that share the same first condition (ruleset creation hung at 512),
* a case that satisfies more than 64 rules at once (error 303 or heap corruption at 65),
* absence-only rules (they looped forever on the state object),
* OR rules (fired once per true branch),
* and more than 252 distinct fact paths overall (the per-fact property limit).

It runs in a child process under a watchdog: a hang or a crash fails the test instead of
stalling the suite. The watchdog is a hang detector, not a speed target (benchmarks/ measure
speed).
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(r'''
    import json, random
    from rtms_doctor.knowledge import conditions as C
    from rtms_doctor.reasoning.durable_engine import DurableEvaluator
    from rtms_doctor.knowledge.shards import plan_shards
    from rtms_doctor.knowledge.facts import FactSchema, FactSpec

    specs = {}
    def add(path, kind, **extra):
        specs[path] = FactSpec(path=path, type=kind, ask="synthetic question?", where="nowhere", **extra)
    for i in range(200):
        add(f"s{i % 7}.n{i:03d}", "int")
    for i in range(60):
        add(f"b.flag{i:02d}", "bool")
    for i in range(20):
        add(f"l.codes{i:02d}", "list", items="int")
    for i in range(40):
        add(f"e.kind{i:02d}", "enum", values=("a", "b", "c"))
    schema = FactSchema(specs=specs)
    bools = [p for p, s in schema.specs.items() if s.type == "bool"]
    ints = [p for p, s in schema.specs.items() if s.type == "int"]
    lists = [p for p, s in schema.specs.items() if s.type == "list" and s.items == "int"]
    enums = [p for p, s in schema.specs.items() if s.type == "enum"]
    rng = random.Random(7)
    raw = []
    # 600 rules under one shared first condition
    for i in range(600):
        raw.append({"all": [{"fact": bools[0], "equals": True}, {"fact": ints[i % len(ints)], "gte": i % 50}]})
    # 150 rules all satisfied by the "busy" case
    for i in range(150):
        raw.append({"fact": ints[i % len(ints)], "gte": -1})
    # absence-only and OR rules
    for i in range(100):
        raw.append({"fact": bools[i % len(bools)], "missing": True})
        raw.append({"any": [{"fact": lists[i % len(lists)], "contains": i},
                            {"fact": lists[(i + 1) % len(lists)], "not_contains": i}]})
    # enum rules spread over every enum fact (more than 252 paths overall with the rest)
    for i in range(200):
        path = enums[i % len(enums)]
        raw.append({"fact": path, "in": list(schema[path].values[:2])})
    rules = [(f"synthetic_{i:04d}.r", C.parse(cond, schema)) for i, cond in enumerate(raw)]
    paths = sorted({p for _, c in rules for p in c.paths()})
    engine = DurableEvaluator(plan_shards(rules, prefix="synthetic"))

    def case(busy):
        facts = {}
        for p in paths:
            if rng.random() < (0.9 if busy else 0.3):
                spec = schema[p]
                if spec.type == "bool":
                    facts[p] = rng.random() < 0.5
                elif spec.type == "int":
                    facts[p] = rng.randint(-2, 60)
                elif spec.type == "enum":
                    facts[p] = rng.choice(spec.values)
                else:
                    facts[p] = [rng.randint(0, 100) for _ in range(rng.randint(0, 3))]
        return facts

    mismatches, fired_max = 0, 0
    for n in range(400):
        facts = case(busy=n % 4 == 0)
        fired = engine.fired(facts)
        expected = {rid for rid, c in rules if C.evaluate(c, facts) is C.Truth.TRUE}
        mismatches += fired != expected
        fired_max = max(fired_max, len(fired))
    print(json.dumps({"rules": len(rules), "paths": len(paths), "shards": len(engine.shards),
                      "cases": 400, "mismatches": mismatches, "max_fired": fired_max}))
''')


def test_synthetic_kb_of_more_than_1000_rules():
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["rules"] >= 1000
    assert result["paths"] > 252
    assert result["max_fired"] > 64  # one case satisfied more rules than one ruleset could hold
    assert result["mismatches"] == 0, result


def test_a_shard_registers_as_durable_would_register_its_definition():
    """DurableEvaluator hands durable_rules each shard's engine text (no JSON round trip):
    that text is what durable's own Ruleset makes from the definition, and a shard
    registered either way fires the same rules on the real KB's rule cases."""
    from durable import engine as durable

    from rtms_doctor.knowledge.load import load_knowledge
    from rtms_doctor.reasoning.durable_engine import DurableEvaluator

    kb = load_knowledge()
    for shard in kb.shards:
        definition = {name: shard.rule_definition(name) for name in shard.actions}
        assert all(rule.pop("run") == name for name, rule in definition.items())
        assert shard.engine_json == json.dumps(definition, ensure_ascii=False)
    shard = kb.shards[0]
    fired: dict[str, set[str]] = {"ours": set(), "durable": set()}
    ours = DurableEvaluator([shard], eager=True)
    assert isinstance(ours._host.get_ruleset(shard.name), durable.Ruleset)
    theirs = DurableEvaluator([shard], eager=False)
    theirs._host.register_rulesets({shard.name: {n: shard.rule_definition(n) for n in shard.actions}})
    theirs._registered.add(shard.name)
    from rtms_doctor.knowledge.case import FactSet, observations_from_case

    rules = {r.id: r for r in kb.rules}
    for rule_id in shard.rule_ids:
        for case in rules[rule_id].cases:
            found = FactSet(kb.schema)
            found.extend(observations_from_case(case.facts, kb.schema, rule_id))
            facts = found.resolve().normalized()
            fired["ours"] |= ours.fired(facts)
            fired["durable"] |= theirs.fired(facts)
    assert fired["ours"] == fired["durable"] and fired["ours"]
