"""Parts of the cached KB that unpickle on first access (knowledge/lazy.py) are the same
objects' equals, whenever and however often they are read."""
from __future__ import annotations

import pickle
from dataclasses import dataclass, field

import pytest

from rtms_doctor.knowledge.lazy import lazy_parts
from rtms_doctor.knowledge.load import load_knowledge


@lazy_parts("big", "other")
@dataclass
class Holder:
    small: int
    big: list[int]
    other: dict[str, int] | None = None
    extra: list[str] = field(default_factory=list)


def test_a_lazy_part_loads_on_first_access_and_equals_the_original():
    holder = Holder(1, list(range(100)), {"a": 1}, ["x"])
    copy = pickle.loads(pickle.dumps(holder))
    assert set(copy.__dict__["_packed"]) == {"big", "other"}
    assert copy.small == 1 and copy.extra == ["x"]
    assert copy.big == list(range(100))
    assert set(copy.__dict__["_packed"]) == {"other"}
    assert copy.other == {"a": 1}
    assert copy == holder  # the dataclass equality reads every field


def test_a_partly_read_copy_pickles_again_whole():
    holder = Holder(2, [1, 2], None)
    copy = pickle.loads(pickle.dumps(holder))
    assert copy.big == [1, 2]
    again = pickle.loads(pickle.dumps(copy))  # 'other' never read: passed on still packed
    assert again.other is None and again.big == [1, 2] and again == holder


def test_a_missing_attribute_is_still_an_attribute_error():
    copy = pickle.loads(pickle.dumps(Holder(3, [])))
    with pytest.raises(AttributeError):
        copy.nothing_here  # noqa: B018
    assert not hasattr(Holder, "other")  # no class default hides the instance's own


def test_the_knowledge_base_round_trips_through_its_lazy_parts():
    kb = load_knowledge(cache=False)
    copy = pickle.loads(pickle.dumps(kb, protocol=pickle.HIGHEST_PROTOCOL))
    assert copy.__dict__["_packed"] and copy.signs.__dict__["_packed"]
    for name in ("codes", "phrases", "values", "phrase_index", "phrase_programs", "cause_files"):
        assert pickle.dumps(getattr(copy, name)) == pickle.dumps(getattr(kb, name)), name
    for name in ("signs", "by_first", "postings", "prepared", "stems"):
        assert getattr(copy.signs, name) == getattr(kb.signs, name), name
    assert not copy.__dict__["_packed"]
