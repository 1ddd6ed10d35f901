"""A pickle split in two: the object, and apart from it the pickles of its lazy parts
(knowledge/lazy.py), so that a start that reads no lazy part never reads, checks or copies them.

The KB cache (knowledge/cache.py) keeps both in one signed file, each section with its own
HMAC: a case JSON start checks ~1.3 MB, not ~3 MB. In the object's pickle each lazy part is a
reference to its place in the parts list; on unpickling it becomes a part that fetches its
pickle from the parts (checked once, on the first read) when first read.
"""
from __future__ import annotations

import copyreg
import io
import marshal
import pickle
from typing import Any, Callable

from .lazy import Packed, deferred


def _part(index: int) -> Any:  # pragma: no cover - what a reference names; load() resolves it
    raise pickle.UnpicklingError("a lazy part's reference outside a split pickle")


def dump(value: object) -> tuple[bytes, bytes]:
    """(VALUE's pickle with its lazy parts as references, the parts' pickles as one blob)."""
    parts: list[bytes] = []

    def reference(packed: Packed) -> tuple[Any, tuple[int]]:
        parts.append(bytes(packed.data))
        return _part, (len(parts) - 1,)

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Packed: reference}  # only Packed objects pay
    pickler.dump(value)
    return buffer.getvalue(), marshal.dumps(parts)  # a list of bytes: plain data


class Parts:
    """The parts blob of one split pickle, read on the first lazy part's first read: FETCH
    gives the blob once it checked out (see cache.py), else the blob of the same value made
    afresh."""

    def __init__(self, fetch: Callable[[], Any]):
        self._fetch: Callable[[], Any] | None = fetch
        self._parts: list[bytes] = []

    def part(self, index: int) -> Packed:
        return deferred(lambda: self._get(index))

    def _get(self, index: int) -> bytes:
        if self._fetch is not None:
            self._parts, self._fetch = marshal.loads(self._fetch()), None
        return self._parts[index]


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, parts: Parts):
        super().__init__(file)
        self._parts = parts

    def find_class(self, module: str, name: str) -> Any:  # once per class and pickle (memoized)
        if module == __name__ and name == "_part":
            return self._parts.part
        return super().find_class(module, name)


def load(main: bytes | memoryview, parts: Parts) -> Any:
    """The value dump() split, its lazy parts fetched from PARTS when first read."""
    return _Unpickler(io.BytesIO(main), parts).load()
