"""The fact vocabulary (kb/facts/*.yaml) and the case model generated from it.

Each fact has a dotted path (``account.developer_pack``), a type, and the question a support
engineer asks to learn it. The pydantic model of the tool's own case JSON is generated from
these specs, so adding a fact never needs Python. Every fact is optional: absent means unknown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Optional

from ..errors import KnowledgeError
from .fact_kinds import KINDS, AnswerError, annotation, date_code, parse_version, version_code

ORDERED_TYPES = ("int", "float", "version", "date")

# the per-type functions live in one table (fact_kinds.py); these names stay importable here
__all__ = ["AnswerError", "date_code", "parse_version", "version_code"]


@dataclass(frozen=True)
class FactSpec:
    path: str
    type: str
    ask: str
    where: str
    items: str | None = None
    values: tuple[Any, ...] = ()
    section_title: str = ""
    answerable: float = 0.5  # share of cases where the person asked knows the answer
    triage: bool = False  # a broad sorting question (see kb_models.FactSpecFile)
    # asked only once another fact has one of these values (fact path -> values), so a question
    # never presumes an answer ("how long ago was the pack bought" only once one was bought)
    asked_after: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    @property
    def is_list(self) -> bool:
        return self.type == "list"

    @property
    def element_type(self) -> str:
        """The type of one value: the item type for lists, the type itself otherwise."""
        return self.items if self.is_list else self.type  # type: ignore[return-value]

    @property
    def choices(self) -> tuple[Any, ...]:
        """The closed set of values a question can offer, if there is one."""
        if self.element_type == "bool":
            return (True, False)
        return self.values

    def accepts(self, value: Any) -> bool:
        """Whether a value parsed from Zoom's JSON or from text fits this fact."""
        if self.is_list:
            return isinstance(value, list) and all(self._accepts_one(v) for v in value)
        return self._accepts_one(value)

    def _accepts_one(self, value: Any) -> bool:
        return KINDS[self.element_type].accepts(value, self.values)

    def normalize(self, value: Any) -> Any:
        """The form both evaluators compare: versions and dates become integers."""
        if self.is_list:
            return [self._normalize_one(v) for v in value]
        return self._normalize_one(value)

    def _normalize_one(self, value: Any) -> Any:
        return KINDS[self.element_type].normalize(value)


@dataclass
class FactSchema:
    """All fact specs, by path, plus the generated pydantic case model."""

    specs: dict[str, FactSpec]
    sections: dict[str, str] = field(default_factory=dict)
    _case_model: Any = None

    def __contains__(self, path: str) -> bool:
        return path in self.specs

    def __getitem__(self, path: str) -> FactSpec:
        return self.specs[path]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_case_model"] = None  # a generated class: rebuilt on demand, not pickled
        return state

    @property
    def case_model(self) -> Any:
        """The pydantic model of the case JSON (generated on demand: `schema`, tests)."""
        if self._case_model is None:
            self._case_model = build_case_model(self)
        return self._case_model

    def validate_case(self, data: Any) -> dict[str, Any]:
        """Check a case object against the facts model; returns {path: value} of the facts
        given. Raises ValueError naming the first problem's path.

        This is the generated pydantic model's contract (unknown keys forbidden, strict bools,
        ints and strings, enums, versions, ISO dates, null = absent) written out directly, so a
        cold start does not have to generate ~25 pydantic models; a test holds the two to
        agreement."""
        if not isinstance(data, dict):
            raise ValueError(f"a case must be a JSON object, got {type(data).__name__}")
        out: dict[str, Any] = {}
        version = data.get("case_version")
        if version is not None and (version != 1 or isinstance(version, bool)):
            raise ValueError("field 'case_version': Input should be 1")
        self._walk({k: v for k, v in data.items() if k != "case_version"}, "", out)
        return out

    def _walk(self, node: dict[str, Any], prefix: str, out: dict[str, Any]) -> None:
        for key, value in node.items():
            path = f"{prefix}{key}"
            spec = self.specs.get(path)
            if spec is None and not self._is_section(path):
                raise ValueError(f"unknown field '{path}' (not in the facts model; see `rtms-doctor schema`)")
            if value is None:
                continue  # null = not known
            if spec is not None:
                out[path] = _checked(spec, value, path)
            else:
                if not isinstance(value, dict):
                    raise ValueError(f"field '{path}': Input should be an object")
                self._walk(value, f"{path}.", out)

    def _is_section(self, path: str) -> bool:
        sections = self.__dict__.get("_sections_cache")
        if sections is None:
            sections = {spec.path.rsplit(".", i)[0] for spec in self.specs.values()
                        for i in range(1, spec.path.count(".") + 1)}
            self.__dict__["_sections_cache"] = sections
        return path in sections

    def json_schema(self) -> dict[str, Any]:
        schema = self.case_model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = "rtms-doctor case"
        return schema


def load_fact_schema(kb_root: Path) -> FactSchema:
    from pydantic import ValidationError

    from .models import FactSpecFile
    from .yamlio import load_yaml

    problems: list[str] = []
    specs: dict[str, FactSpec] = {}
    sections: dict[str, str] = {}
    for path in sorted((kb_root / "facts").glob("*.yaml")):
        try:
            data, lines = load_yaml(path)
            parsed = FactSpecFile.model_validate(data)
        except ValueError as exc:
            if isinstance(exc, ValidationError):
                for err in exc.errors():
                    loc = ".".join(str(p) for p in err["loc"])
                    problems.append(f"{path}:{lines.line(err['loc'])}: {loc}: {err['msg']}")
            else:
                problems.append(str(exc))
            continue
        sections[parsed.section] = parsed.title
        for name, entry in parsed.facts.items():
            full = f"{parsed.section}.{name}"
            line = lines.line(("facts", name))
            problem = _check_entry(entry)
            if problem:
                problems.append(f"{path}:{line}: fact {full}: {problem}")
                continue
            if full in specs:
                problems.append(f"{path}:{line}: fact {full} is defined twice")
            specs[full] = FactSpec(
                path=full, type=entry.type, ask=entry.ask, where=entry.where,
                items=entry.items, values=tuple(entry.values), section_title=parsed.title,
                answerable=entry.answerable, triage=entry.triage,
                asked_after=tuple((fact, tuple(values)) for fact, values in sorted(entry.asked_after.items())),
            )
    for full, spec in specs.items():
        for fact, values in spec.asked_after:
            if fact not in specs or not all(specs[fact].accepts(v) for v in values):
                problems.append(f"fact {full}: asked_after names {fact} with values it cannot take")
    if problems:
        raise KnowledgeError(problems)
    return FactSchema(specs=specs, sections=sections)


def _check_entry(entry: Any) -> str | None:
    if entry.type == "list" and entry.items is None:
        return "a list needs 'items' (str, int or enum)"
    if entry.type != "list" and entry.items is not None:
        return "'items' is only for lists"
    needs_values = entry.type == "enum" or entry.items == "enum"
    if needs_values and not entry.values:
        return "an enum needs 'values'"
    if not needs_values and entry.values:
        return "'values' is only for enums"
    return None


def _checked(spec: FactSpec, value: Any, path: str) -> Any:
    if spec.is_list:
        if not isinstance(value, list):
            raise ValueError(f"field '{path}': Input should be a valid list")
        return [_checked_one(spec, item, f"{path}.{i}") for i, item in enumerate(value)]
    return _checked_one(spec, value, path)


def _checked_one(spec: FactSpec, value: Any, path: str) -> Any:
    kind = KINDS[spec.element_type]
    value = kind.check(value, path)
    if kind.accepts(value, spec.values):
        return value
    if kind.name == "enum":
        choices = ", ".join(repr(v) for v in spec.values)
        raise ValueError(f"field '{path}': Input should be one of {choices}")
    raise ValueError(f"field '{path}': Input should be {kind.words}")


# --- the generated case model -------------------------------------------------------------

def _annotation(spec: FactSpec) -> Any:
    if spec.is_list:
        return list[annotation(spec.items, spec)]  # type: ignore[arg-type,misc]
    return annotation(spec.type, spec)


def build_case_model(schema: FactSchema) -> Any:
    """Nested pydantic models, one per section (and sub-section), all fields optional."""
    from pydantic import ConfigDict, Field, create_model

    strict = ConfigDict(extra="forbid")
    tree: dict[str, Any] = {}
    for spec in schema.specs.values():
        node = tree
        parts = spec.path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = spec

    def build(name: str, node: dict[str, Any], doc: str) -> Any:
        fields: dict[str, Any] = {}
        for key, child in node.items():
            if isinstance(child, FactSpec):
                fields[key] = (Optional[_annotation(child)], Field(default=None, description=child.ask))
            else:
                fields[key] = (Optional[build(f"{name}_{key}", child, key)], None)
        model = create_model(name, __config__=strict, **fields)  # type: ignore[call-overload]
        model.__doc__ = doc
        return model

    top = {k: v for k, v in tree.items()}
    fields: dict[str, Any] = {
        key: (Optional[build(f"Case_{key}", child, schema.sections.get(key, key))], None)
        for key, child in top.items()
    }
    fields["case_version"] = (Optional[Literal[1]], None)
    model = create_model("Case", __config__=strict, **fields)  # type: ignore[call-overload]
    model.__doc__ = "One RTMS support case: every fact optional, absent means unknown."
    return model
