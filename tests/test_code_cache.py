"""The compiled dataclass methods (engine/code_cache.py): a dataclass made through the store
behaves as one made by exec, the codes survive a restart, and a file it did not sign is
never used."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from rtms_doctor import code_cache


@pytest.fixture
def routed(tmp_path, monkeypatch):
    monkeypatch.setenv("RTMS_DOCTOR_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("RTMS_DOCTOR_KEY_DIR", str(tmp_path / "key"))
    monkeypatch.setattr(code_cache, "_codes", None)
    monkeypatch.setattr(code_cache, "_added", False)
    monkeypatch.setattr(dataclasses, "exec", code_cache._exec_from_store, raising=False)
    return tmp_path / "cache"


def _make():  # type: ignore[no-untyped-def]
    @dataclass(frozen=True)
    class Point:
        x: int
        y: int = 2
        tags: list[str] = field(default_factory=list, compare=False)

        def __post_init__(self) -> None:
            if self.x < 0:
                raise ValueError("x")

    @dataclass(order=True)
    class Span:
        start: int
        end: int

    return Point, Span


def _check(point, span) -> None:  # type: ignore[no-untyped-def]
    assert point(1) == point(1, 2, ["a"]) and point(1) != point(3)
    assert repr(point(1)).endswith("Point(x=1, y=2, tags=[])")
    assert hash(point(1)) == hash(point(1, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        point(1).x = 5  # type: ignore[misc]
    with pytest.raises(ValueError):
        point(-1)
    assert sorted([span(3, 4), span(1, 9), span(1, 2)]) == [span(1, 2), span(1, 9), span(3, 4)]
    assert [f.name for f in dataclasses.fields(point)] == ["x", "y", "tags"]


def test_dataclasses_made_through_the_store_behave_alike(routed):
    _check(*_make())
    sources = set(code_cache._codes)
    assert any("def __init__(" in s for s in sources) and any("def __eq__(" in s for s in sources)
    code_cache.save()
    code_cache._codes = None  # as a new process: the codes come from the file
    _check(*_make())
    assert set(code_cache._codes) >= sources and not code_cache._added  # nothing new compiled


def test_a_file_not_signed_with_this_installs_key_is_ignored(routed):
    _make()
    code_cache.save()
    path = next(routed.glob("code-*.cache"))
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    code_cache._codes = None
    assert code_cache._load() == {}
    _check(*_make())


def test_exec_of_anything_but_a_source_string_is_the_builtin(routed):
    namespace: dict[str, object] = {}
    code_cache._exec_from_store(compile("x = 40 + 2", "<t>", "exec"), namespace)
    assert namespace["x"] == 42
    with pytest.raises(SyntaxError):
        code_cache._exec_from_store("def broken(:", {}, {})
