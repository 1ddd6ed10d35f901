"""Observed facts with their provenance, merged into one case.

An Observation is one value for one fact path, with where it came from. A FactSet holds all
observations of a case; it resolves one value per path for the engine (lists are unioned,
scalars take the most trustworthy source) and keeps every disagreement as a Conflict.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from .facts import FactSchema

# Which kind of source wins when two disagree: what staff typed beats Zoom's JSON beats logs
# beats what was read out of prose.
SOURCE_PRIORITY = {"answer": 0, "case": 1, "zoom_json": 2, "log": 3, "text": 4, "explain": 5}


@dataclass(frozen=True)
class Source:
    file: str
    locator: str  # JSON path ($.account.plan) or line (line 12)
    kind: str = "case"

    def __str__(self) -> str:
        return f"{self.file}:{self.locator}" if self.locator else self.file


@dataclass(frozen=True)
class Observation:
    path: str
    value: Any
    source: Source


@dataclass(frozen=True)
class Conflict:
    path: str
    chosen: Observation
    others: tuple[Observation, ...]


@dataclass
class FactSet:
    schema: FactSchema
    observations: list[Observation] = field(default_factory=list)
    signs: list[Any] = field(default_factory=list)  # ingest.signs.SignMatch: words read from text

    def add(self, observation: Observation) -> None:
        self.observations.append(observation)

    def extend(self, observations: list[Observation]) -> None:
        self.observations.extend(observations)

    def resolve(self) -> "ResolvedFacts":
        by_path: dict[str, list[Observation]] = {}
        for obs in self.observations:
            by_path.setdefault(obs.path, []).append(obs)
        values: dict[str, Any] = {}
        chosen: dict[str, list[Observation]] = {}
        conflicts: list[Conflict] = []
        for path in sorted(by_path):
            spec = self.schema[path]
            group = by_path[path]
            if spec.is_list:
                merged: list[Any] = []
                for obs in group:
                    for item in obs.value:
                        if item not in merged:
                            merged.append(item)
                values[path] = merged
                chosen[path] = group
                continue
            ranked = sorted(group, key=lambda o: SOURCE_PRIORITY.get(o.source.kind, 9))
            winner = ranked[0]
            values[path] = winner.value
            chosen[path] = [o for o in ranked if o.value == winner.value]
            disagreeing = tuple(o for o in ranked if o.value != winner.value)
            if disagreeing:
                conflicts.append(Conflict(path, winner, disagreeing))
        return ResolvedFacts(self.schema, values, chosen, conflicts, list(self.signs))


@dataclass
class ResolvedFacts:
    """One value per known path (raw, as observed) plus where each came from."""

    schema: FactSchema
    values: dict[str, Any]
    sources: dict[str, list[Observation]]
    conflicts: list[Conflict]
    signs: list[Any] = field(default_factory=list)  # ingest.signs.SignMatch, in reading order
    secrets_found: bool = False  # a secret was masked somewhere in the inputs
    redacted_copies: list[tuple[str, str]] = field(default_factory=list)  # (input, its text redacted)

    def normalized(self) -> dict[str, Any]:
        """Values in the form the evaluators compare (versions and dates as integers);
        computed once (reports ask for it per evidence row)."""
        cached = self.__dict__.get("_normalized")
        if cached is None:
            cached = {path: self.schema[path].normalize(v) for path, v in self.values.items()}
            self.__dict__["_normalized"] = cached
        return cached

    def observations(self) -> list[Observation]:
        """Every observation behind these facts, the overruled ones of a conflict included
        (resolving them again gives the same values and the same conflicts)."""
        kept = [obs for path in self.values for obs in self.sources[path]]
        return kept + [obs for conflict in self.conflicts for obs in conflict.others]

    def source_text(self, path: str, most: int = 5) -> str:
        seen = list(dict.fromkeys(str(obs.source) for obs in self.sources.get(path, [])))
        more = f"; and {len(seen) - most} more" if len(seen) > most else ""
        return "; ".join(seen[:most]) + more


# --- the tool's own case JSON --------------------------------------------------------------

def observations_from_case(data: Any, schema: FactSchema, file: str, kind: str = "case") -> list[Observation]:
    """Validate a case object against the facts model and flatten it to observations."""
    if not isinstance(data, dict):
        raise InputError(f"{file}: a case must be a JSON object, got {type(data).__name__}")
    try:
        values = schema.validate_case(data)
    except ValueError as exc:
        raise InputError(f"{file}: {exc}") from None
    return [Observation(path, value, Source(file, f"$.{path}", kind)) for path, value in values.items()]
