"""Every fact path the ingest code writes is in the vocabulary (kb/facts), so a typo fails here,
not silently at run time (an unknown path would never reach a rule): the string literals of all
ingest code, and each Zoom JSON shape's @emits declaration, which every fixture, example and
dev-set input is read against (a shape emitting a path it does not declare fails)."""
from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parent.parent / "engine"
_LITERAL = re.compile(r"""["']([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)["']""")


def _paths_in_code(sections: set[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((ENGINE / "ingest").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in _LITERAL.finditer(line):
                literal = match.group(1)
                if literal.split(".", 1)[0] in sections and not literal.endswith((".json", ".yaml", ".py")):
                    found.setdefault(literal, []).append(f"{path.relative_to(ENGINE)}:{number}")
    return found


def test_ingest_writes_only_known_fact_paths(kb):
    sections = set(kb.schema.sections)
    found = _paths_in_code(sections)
    assert len(found) > 50  # the scan itself works
    # a literal may also name a fact's parent (a prefix for f-strings) or an event name
    known_prefixes = {p.rsplit(".", 1)[0] for p in kb.schema.specs}
    unknown = {literal: where for literal, where in found.items()
               if literal not in kb.schema and literal not in known_prefixes
               and not _is_event_name(literal)}
    assert not unknown, unknown


def _is_event_name(literal: str) -> bool:
    """Zoom event names (meeting.rtms_started, endpoint.url_validation) share the form."""
    product, _, event = literal.partition(".")
    return product in ("meeting", "webinar", "session", "endpoint", "contact_center", "phone") and (
        event.startswith("rtms_") or event in ("started", "ended", "url_validation", "participant_joined",
                                               "participant_left"))


# -- each Zoom JSON shape declares the fact paths it emits (@emits in engine/ingest/shapes) ------

REPO = ENGINE.parent
INPUTS = sorted(
    [p for kind in ("shapes", "posts", "threads") for p in (REPO / "tests" / "fixtures" / kind).iterdir()
     if not p.name.endswith(".expect.yaml")]
    + list((REPO / "examples").iterdir())
    + [p for case in (REPO / "devset").iterdir() if case.is_dir() for p in case.iterdir() if p.name != "expect.yaml"])


class UndeclaredFact(AssertionError):
    """A shape emitted a path its @emits does not name (an AssertionError: recognise's guard
    against malformed input does not swallow it)."""


@pytest.fixture
def declared_only(monkeypatch):
    """Every shape runs under a check that each fact it emits (itself, through its helpers or
    through the dispatcher, such as an SDK log message read as text) is one it declares."""
    from rtms_doctor.ingest import shapes
    from rtms_doctor.ingest.emit import Emitter

    running: list[str] = []

    def watched(shape):
        @functools.wraps(shape)
        def run(*args, **kwargs):
            running.append(shape.__name__)
            try:
                return shape(*args, **kwargs)
            finally:
                running.pop()
        return run

    add = Emitter.add

    def checked_add(self, path, value, locator):
        if running and path not in shapes.DECLARED[running[-1]]:
            raise UndeclaredFact(f"shape {running[-1]} emitted {path!r} at {locator}, not in its @emits")
        return add(self, path, value, locator)

    monkeypatch.setattr(shapes, "SHAPES", [watched(shape) for shape in shapes.SHAPES])
    monkeypatch.setattr(shapes, "_settings", watched(shapes._settings))  # lock_settings calls it directly
    monkeypatch.setattr(Emitter, "add", checked_add)
    return shapes


def test_every_shape_declares_facts_of_the_vocabulary(kb):
    from rtms_doctor.ingest.shapes import DECLARED, SHAPES, declaration_problems

    assert {shape.__name__ for shape in SHAPES} <= DECLARED.keys()
    assert not declaration_problems(kb.schema)


def test_a_declared_path_outside_the_vocabulary_is_a_problem(kb, monkeypatch):
    from rtms_doctor.ingest import shapes

    monkeypatch.setitem(shapes.DECLARED, "_rest_error", shapes.DECLARED["_rest_error"] + ("api.error_kode",))
    assert shapes.declaration_problems(kb.schema) == [
        "shape _rest_error declares 'api.error_kode', which is not a fact in kb/facts"]
    monkeypatch.delitem(shapes.DECLARED, "_rest_error")
    assert shapes.declaration_problems(kb.schema) == [
        "shape _rest_error declares '(no @emits declaration)', which is not a fact in kb/facts"]


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: str(p.relative_to(REPO)))
def test_shapes_emit_only_what_they_declare(kb, declared_only, path):
    from rtms_doctor.errors import InputError
    from rtms_doctor.ingest import read_case

    try:
        read_case([str(path)], kb)
    except InputError:
        pass  # a fixture that is meant to be refused


def test_an_undeclared_emission_fails_loudly(kb, declared_only, monkeypatch):
    from rtms_doctor.ingest import read_case

    declared = declared_only.DECLARED["_rest_error"]
    monkeypatch.setitem(declared_only.DECLARED, "_rest_error", tuple(p for p in declared if p != "api.error_codes"))
    with pytest.raises(UndeclaredFact, match="_rest_error emitted 'api.error_codes'"):
        read_case([str(REPO / "tests" / "fixtures" / "shapes" / "rest-error-2308.json")], kb)


def test_reading_with_a_kb_that_lacks_a_declared_fact_stops_as_a_broken_kb(tmp_path, monkeypatch):
    """The declarations are checked against the loaded KB's vocabulary when reading starts."""
    from rtms_doctor.errors import KnowledgeError
    from rtms_doctor.ingest import read_case, shapes
    from rtms_doctor.knowledge.load import load_knowledge

    fresh = load_knowledge(cache=False)  # its own object: the once-per-KB check runs for it
    monkeypatch.setitem(shapes.DECLARED, "_rest_error", shapes.DECLARED["_rest_error"] + ("api.error_kode",))
    with pytest.raises(KnowledgeError, match="api.error_kode"):
        read_case([str(REPO / "tests" / "fixtures" / "shapes" / "rest-error-2308.json")], fresh)
