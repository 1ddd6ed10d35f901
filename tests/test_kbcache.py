"""The pickled knowledge-base cache: reused while nothing changed, rebuilt on any change,
never trusted when unreadable, and never written for a broken KB."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rtms_doctor.errors import KnowledgeError
from rtms_doctor.knowledge.load import load_knowledge
from rtms_doctor.knowledge.paths import Roots

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Roots:
    for name in ("kb", "rules", "reports"):
        shutil.copytree(REPO / name, tmp_path / "root" / name)
    monkeypatch.setenv("RTMS_DOCTOR_CACHE", str(tmp_path / "cache"))
    return Roots.at(tmp_path / "root")


def _pickles(roots: Roots) -> list[Path]:
    return sorted((roots.kb.parent.parent / "cache").glob("kb-*.cache"))  # signed pickles (cache.py)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    stat = path.stat()  # a new mtime even on a coarse clock
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_second_load_comes_from_the_cache_and_equals_the_first(draft: Roots) -> None:
    first = load_knowledge(draft)
    assert len(_pickles(draft)) == 1
    second = load_knowledge(draft)
    assert len(_pickles(draft)) == 1
    assert [r.id for r in second.rules] == [r.id for r in first.rules]
    assert [s.engine_json for s in second.shards] == [s.engine_json for s in first.shards]
    assert [r.cases for r in second.rules] == [r.cases for r in first.rules]
    assert second.version == first.version


def test_an_edited_cause_is_seen(draft: Roots) -> None:
    before = load_knowledge(draft)
    path = next((draft.kb / "causes").rglob("*.yaml"))
    cause_id = path.stem
    _edit(path, "title:", "title: EDITED")
    after = load_knowledge(draft)
    assert after.causes[cause_id].title.startswith("EDITED")
    assert not before.causes[cause_id].title.startswith("EDITED")
    assert len(_pickles(draft)) == 1  # the cache of the old KB is removed when the new one is written


def test_a_rule_file_added_in_a_new_subfolder_is_seen(draft: Roots) -> None:
    load_knowledge(draft)
    source = next(draft.rules.rglob("*.yaml"))
    (draft.rules / "extra").mkdir()
    shutil.move(str(source), draft.rules / "extra" / source.name)  # same content, new place
    moved = load_knowledge(draft)
    assert any(r.file == str(draft.rules / "extra" / source.name) for r in moved.rules)


def test_an_unreadable_cache_file_is_rebuilt(draft: Roots) -> None:
    load_knowledge(draft)
    (pickle_file,) = _pickles(draft)
    pickle_file.write_bytes(b"not a pickle")
    again = load_knowledge(draft)
    assert again.rules and pickle_file.read_bytes() != b"not a pickle"


def test_a_broken_kb_is_not_cached(draft: Roots) -> None:
    load_knowledge(draft)
    path = next(draft.rules.rglob("*.yaml"))
    _edit(path, "rules:", "rulez:")
    with pytest.raises(KnowledgeError):
        load_knowledge(draft)
    assert len(_pickles(draft)) == 1


def test_cache_off_writes_nothing(draft: Roots, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RTMS_DOCTOR_CACHE", "off")
    assert load_knowledge(draft).rules
    assert _pickles(draft) == []


# -- the KB's pickle, then its lazy parts (knowledge/split_pickle.py) ---------------------------

def _parts_start(path: Path) -> int:
    """Where the parts start: right after the KB's signed pickle."""
    from rtms_doctor.knowledge.cache import MAC, MAGIC, SIZE

    data = path.read_bytes()
    head = len(MAGIC) + MAC + SIZE
    return head + int.from_bytes(data[head - SIZE:head], "big")


def _lazy_values(kb) -> dict:  # type: ignore[no-untyped-def]
    import pickle

    names = ("codes", "phrases", "values", "phrase_index", "phrase_programs", "cause_files")
    out = {name: pickle.dumps(getattr(kb, name)) for name in names}
    signs = ("signs", "by_first", "postings", "prepared", "stems")
    out.update({f"signs.{name}": getattr(kb.signs, name) for name in signs})
    return out


def test_the_split_pickle_gives_what_the_whole_pickle_gave() -> None:
    import pickle

    from rtms_doctor.knowledge import split_pickle

    kb = load_knowledge(cache=False)
    main, parts = split_pickle.dump(kb)
    copy = split_pickle.load(main, split_pickle.Parts(b"".join(parts), lambda: pytest.fail("fresh parts")))
    whole = pickle.loads(pickle.dumps(kb, protocol=pickle.HIGHEST_PROTOCOL))
    assert copy.__dict__["_packed"] and copy.signs.__dict__["_packed"]  # nothing read yet
    assert [r.id for r in copy.rules] == [r.id for r in whole.rules] and copy.version == whole.version
    assert _lazy_values(copy) == _lazy_values(whole)
    assert not copy.__dict__["_packed"] and not copy.signs.__dict__["_packed"]
    again = pickle.loads(pickle.dumps(copy))  # a copy whose parts came from the region pickles whole
    assert _lazy_values(again) == _lazy_values(whole)


def test_a_start_that_reads_no_lazy_part_never_reads_the_parts(draft: Roots) -> None:
    load_knowledge(draft)
    (path,) = _pickles(draft)
    data = bytearray(path.read_bytes())
    data[_parts_start(path) + 40] ^= 0xFF  # a byte of the first part
    path.write_bytes(bytes(data))
    kb = load_knowledge(draft)
    assert kb.rules and kb.causes
    assert path.exists() and path.read_bytes() == bytes(data)  # no part was checked


def test_forged_parts_are_never_unpickled_and_are_taken_from_the_files(draft: Roots, tmp_path: Path) -> None:
    import pickle

    expected = _lazy_values(load_knowledge(draft, cache=False))
    load_knowledge(draft)
    (path,) = _pickles(draft)
    start = _parts_start(path)
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):  # unpickling this would create the marker file
            return (open, (str(marker), "w"))

    data = path.read_bytes()
    evil = pickle.dumps(Evil())
    forged = (evil * (len(data) // len(evil) + 1))[:len(data) - start]  # every part's place, same length
    path.write_bytes(data[:start] + forged)  # the KB's pickle still checks out; no part matches its digest
    kb = load_knowledge(draft)
    assert _lazy_values(kb) == expected
    assert not marker.exists()
    assert not path.exists()  # removed: the next start writes it again
    load_knowledge(draft)
    assert len(_pickles(draft)) == 1


def test_a_text_start_checks_only_the_parts_it_reads(draft: Roots) -> None:
    """A spoiled part that reading a post never touches (the cause files: lint's) goes unseen."""
    import pickle

    kb = load_knowledge(draft)
    (path,) = _pickles(draft)
    data = bytearray(path.read_bytes())
    place = data.find(pickle.dumps(kb.cause_files, protocol=pickle.HIGHEST_PROTOCOL), _parts_start(path))
    assert place > 0
    data[place + 20] ^= 0xFF
    path.write_bytes(bytes(data))
    again = load_knowledge(draft)
    assert again.phrases is not None and again.phrase_programs and again.signs.prepared is not None
    assert again.signs.postings and again.codes
    assert path.exists()  # the spoiled part was never read
    assert again.cause_files == kb.cause_files  # read now: its digest fails, it comes from the files
    assert not path.exists()
