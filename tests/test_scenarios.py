"""Whole cases, as a developer would report them (tests/scenarios/<group>/*.yaml).

A scenario holds several facts and states what the ranking must show:

    description: what the developer reported
    facts: {case JSON}            # or inputs: [files relative to the scenario] (ingest)
    expect:
      top1: cause_id              # the leader
      top3: [cause_id, ...]       # each within the first three, and likely or possible
      ruled_out: [cause_id, ...]
      not_likely: [cause_id, ...]
      no_likely: true             # healthy configurations: nothing may be likely
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rtms_doctor.knowledge.case import FactSet, observations_from_case
from rtms_doctor.ingest import read_inputs

ROOT = Path(__file__).parent / "scenarios"
SCENARIOS = sorted(ROOT.rglob("*.yaml"))


def _facts(kb, scenario: dict, path: Path):
    if "inputs" in scenario:
        return read_inputs([str(path.parent / name) for name in scenario["inputs"]], kb)
    return FactSet(kb.schema, observations_from_case(scenario["facts"], kb.schema, path.name)).resolve()


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.relative_to(ROOT).as_posix() for p in SCENARIOS])
def test_scenario(kb, doctor, path):
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    expect = scenario["expect"]
    diagnosis = doctor.diagnose(_facts(kb, scenario, path), questions=False)
    ranked = [r.cause.id for r in diagnosis.causes]
    status = {r.cause.id: r.status for r in diagnosis.causes}
    summary = [(r.cause.id, r.status, round(r.confidence, 2)) for r in diagnosis.causes[:5]]
    for cause_id in [expect.get("top1")] + expect.get("top3", []) + expect.get("ruled_out", []) + expect.get("not_likely", []):
        assert cause_id is None or cause_id in kb.causes, f"unknown cause {cause_id}"
    if "top1" in expect:
        assert ranked[0] == expect["top1"], summary
        assert status[ranked[0]] in ("likely", "possible"), summary
    for cause_id in expect.get("top3", []):
        assert cause_id in ranked[:3], summary
        assert status[cause_id] in ("likely", "possible"), summary
    for cause_id in expect.get("ruled_out", []):
        assert status[cause_id] == "ruled_out", (cause_id, status[cause_id])
    for cause_id in expect.get("not_likely", []):
        assert status[cause_id] != "likely", (cause_id, summary)
    if expect.get("no_likely"):
        assert not [c for c, s in status.items() if s == "likely"], summary
