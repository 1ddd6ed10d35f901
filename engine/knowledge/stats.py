"""`kb stats`: causes, rules and cases per group, and the causes no case ever rules out."""
from __future__ import annotations

from typing import Any

from .load import KnowledgeBase


def kb_stats(kb: KnowledgeBase) -> dict[str, Any]:
    """Causes, rules and cases per group, and the causes no case ever rules out."""
    groups: dict[str, dict[str, int]] = {}
    lacking = []
    for cause in kb.causes.values():
        row = groups.setdefault(cause.group, {"causes": 0, "rules": 0, "cases": 0, "rule_outs": 0})
        rules = kb.rules_for(cause.id)
        row["causes"] += 1
        row["rules"] += len(rules)
        row["cases"] += sum(len(r.cases) for r in rules)
        excluding = [r for r in rules if r.rule.weight < 0 and any(c.expect == "hit" for c in r.cases)
                     and not all(kb.schema[p].triage for p in r.paths)]  # a cause's own rule-outs
        row["rule_outs"] += len(excluding)
        if not excluding and cause.status != "deprecated":
            lacking.append({"id": cause.id, "group": cause.group})
    total = {k: sum(g[k] for g in groups.values()) for k in ("causes", "rules", "cases", "rule_outs")}
    return {"groups": dict(sorted(groups.items())), "total": total, "lacking_rule_out": lacking,
            "codes": {kind: len(t.codes) for kind, t in sorted(kb.codes.items())},
            "facts": len(kb.schema.specs)}
