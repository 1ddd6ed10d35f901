"""Collects observations from one input: checks each value against its fact, redacts text.

Emit is the second of ingest's two redaction points (the first is at read, reader.py): every
value and locator, whatever reader produced it, is redacted here on its way into the case."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..knowledge.case import Observation, Source
from ..knowledge.facts import FactSchema
from .redact import redact_text


@dataclass
class Emitter:
    schema: FactSchema
    file: str
    kind: str  # case | zoom_json | log | text
    shapes: list[str] = field(default_factory=list)  # what was recognised, for `facts`
    observations: list[Observation] = field(default_factory=list)

    def add(self, path: str, value: Any, locator: str) -> None:
        spec = self.schema.specs.get(path)
        if spec is None:
            raise KeyError(f"ingest emitted an unknown fact {path}")  # a bug in a parser
        # the input was redacted as a whole before it was read (long opaque tokens judged in
        # their context, where a label tells an identifier from a secret): here, the rest again
        if isinstance(value, str):
            value = clean_text(value, opaque=False)
        elif isinstance(value, list):
            value = [clean_text(v, opaque=False) if isinstance(v, str) else v for v in value]
        if isinstance(value, float) and value != value:
            return  # NaN is no observation
        if not spec.accepts(value):
            return  # a value Zoom's JSON or the text gave that does not fit the fact
        # the locator holds JSON keys from the input: redact it like a value
        self.observations.append(Observation(path, value, Source(self.file, clean_text(locator, opaque=False), self.kind)))

    def saw(self, shape: str) -> None:
        if shape not in self.shapes:
            self.shapes.append(shape)


def clean_text(text: str, opaque: bool = True) -> str:
    """Redacted, without control characters, and writable as UTF-8 (no lone surrogates)."""
    from ..outlet import strip_controls

    return strip_controls(redact_text(text, opaque)).encode("utf-8", "replace").decode("utf-8")
