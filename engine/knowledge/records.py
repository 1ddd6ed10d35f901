"""Plain, picklable records of validated knowledge.

Files are validated by the pydantic models in kb_models.py when the knowledge base is loaded;
what is kept (and cached) are these records, so a cold start neither defines nor imports the
validation models. A Record is a dict whose keys also read as attributes.
"""
from __future__ import annotations

from typing import Any


class Record(dict):  # type: ignore[type-arg]
    """A dict whose keys also read as attributes, at native speed (the instance dictionary
    is the record itself; the engine reads these attributes millions of times)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        object.__setattr__(self, "__dict__", self)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("records are read-only")

    def __hash__(self) -> int:  # type: ignore[override]
        return id(self)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Record, (dict(self),))


def to_record(value: Any) -> Any:
    """A validated pydantic model as a record, recursively; plain data inside a model (a
    rule case's facts, a phrase's facts) stays plain (fewer objects to unpickle)."""
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        return Record({name: to_record(getattr(value, name)) for name in fields})
    if isinstance(value, list):
        return [to_record(item) for item in value]
    if isinstance(value, dict):
        return {key: to_record(item) for key, item in value.items()}
    return value
