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
from typing import Any, Optional

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from rtms_doctor.knowledge.case import FactSet, observations_from_case
from rtms_doctor.ingest import read_inputs

class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelled key fails instead of checking nothing
    top1: Optional[str] = None
    top3: list[str] = []
    ruled_out: list[str] = []
    not_likely: list[str] = []
    no_likely: bool = False

    @model_validator(mode="after")
    def _asks_something(self) -> "Expect":
        if not (self.top1 or self.top3 or self.ruled_out or self.not_likely or self.no_likely):
            raise ValueError("expect checks nothing")
        return self


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str
    facts: Optional[dict[str, Any]] = None
    inputs: Optional[list[str]] = None
    expect: Expect

    @model_validator(mode="after")
    def _one_source(self) -> "Scenario":
        if (self.facts is None) == (self.inputs is None):
            raise ValueError("a scenario has either facts or inputs")
        return self


ROOT = Path(__file__).parent / "scenarios"
SCENARIOS = sorted(ROOT.rglob("*.yaml"))


def _facts(kb, scenario: dict, path: Path):
    if scenario.get("inputs") is not None:
        return read_inputs([str(path.parent / name) for name in scenario["inputs"]], kb)
    return FactSet(kb.schema, observations_from_case(scenario["facts"], kb.schema, path.name)).resolve()


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.relative_to(ROOT).as_posix() for p in SCENARIOS])
def test_scenario(kb, doctor, path):
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    expect = Scenario.model_validate(scenario).expect.model_dump()
    diagnosis = doctor.diagnose(_facts(kb, scenario, path), questions=False)
    ranked = [r.cause.id for r in diagnosis.causes]
    status = {r.cause.id: r.status for r in diagnosis.causes}
    summary = [(r.cause.id, r.status, round(r.confidence, 2)) for r in diagnosis.causes[:5]]
    for cause_id in [expect.get("top1")] + expect.get("top3", []) + expect.get("ruled_out", []) + expect.get("not_likely", []):
        assert cause_id is None or cause_id in kb.causes, f"unknown cause {cause_id}"
    if expect["top1"]:
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
