"""Observed facts with their provenance, merged into one case.

An Observation is one value for one fact path, with where it came from. A FactSet holds all
observations of a case; it resolves one value per path for the engine (lists are unioned,
scalars take the most trustworthy source) and keeps every disagreement as a Conflict.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .errors import InputError
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
        return ResolvedFacts(self.schema, values, chosen, conflicts)


@dataclass
class ResolvedFacts:
    """One value per known path (raw, as observed) plus where each came from."""

    schema: FactSchema
    values: dict[str, Any]
    sources: dict[str, list[Observation]]
    conflicts: list[Conflict]

    def normalized(self) -> dict[str, Any]:
        """Values in the form the evaluators compare (versions and dates as integers)."""
        return {path: self.schema[path].normalize(v) for path, v in self.values.items()}

    def source_text(self, path: str) -> str:
        seen: list[str] = []
        for obs in self.sources.get(path, []):
            text = str(obs.source)
            if text not in seen:
                seen.append(text)
        return "; ".join(seen)


# --- the tool's own case JSON --------------------------------------------------------------

def observations_from_case(data: Any, schema: FactSchema, file: str, kind: str = "case") -> list[Observation]:
    """Validate a case object against the facts model and flatten it to observations."""
    if not isinstance(data, dict):
        raise InputError(f"{file}: a case must be a JSON object, got {type(data).__name__}")
    try:
        model = schema.case_model.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{file}: {_first_problem(exc)}") from None
    dumped = model.model_dump(exclude_none=True, mode="json")
    dumped.pop("case_version", None)
    out: list[Observation] = []
    _flatten(dumped, "", schema, file, kind, out)
    return out


def _flatten(node: dict[str, Any], prefix: str, schema: FactSchema, file: str, kind: str,
             out: list[Observation]) -> None:
    for key, value in node.items():
        path = f"{prefix}{key}"
        if path in schema:
            out.append(Observation(path, value, Source(file, f"$.{path}", kind)))
        elif isinstance(value, dict):
            _flatten(value, f"{path}.", schema, file, kind, out)


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        return f"unknown field '{where}' (not in the facts model; see `rtms-doctor schema`)"
    extra = f" ({len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    return f"field '{where}': {err['msg']}{extra}"
