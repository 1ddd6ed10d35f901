"""A pickle split in two: the object, and apart from it the pickles of its lazy parts
(knowledge/lazy.py), so that a start never reads, checks or copies a part it does not use.

The KB cache (knowledge/cache.py) keeps the object's pickle, signed, and after it the parts
one after the other: a case JSON start checks ~1.2 MB, not ~3 MB, and a text start checks
only the parts it reads. In the object's pickle each lazy part is a reference to its place in
the parts and the SHA-256 of its bytes (so the object's signature covers every part); on
unpickling it becomes a part that fetches its pickle, and checks it, when first read.
"""
from __future__ import annotations

import copyreg
import hashlib
import io
import pickle
from typing import Any, Callable

from .lazy import Packed, deferred

Reference = tuple  # (index, offset, length, SHA-256 digest) of a part


def _part(index: int, offset: int, length: int, digest: bytes) -> Any:  # pragma: no cover
    raise pickle.UnpicklingError("a lazy part's reference outside a split pickle")  # load() resolves it


def dump(value: object) -> tuple[bytes, list[bytes]]:
    """(VALUE's pickle with its lazy parts as references, the parts' pickles in order: their
    concatenation is what the references' offsets point into)."""
    parts: list[bytes] = []
    offset = 0

    def reference(packed: Packed) -> tuple[Any, Reference]:
        nonlocal offset
        data = bytes(packed.data)
        parts.append(data)
        offset += len(data)
        return _part, (len(parts) - 1, offset - len(data), len(data), hashlib.sha256(data).digest())

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Packed: reference}  # only Packed objects pay
    pickler.dump(value)
    return buffer.getvalue(), parts


class Parts:
    """Where a split pickle's parts are: REGION (their concatenation, unchecked), and FRESH,
    which makes the parts again (the same value dumped afresh) for a part whose bytes do not
    match its digest; FORGED is told once when that happens."""

    def __init__(self, region: Any, fresh: Callable[[], list[bytes]],
                 forged: Callable[[], None] = lambda: None):
        self._region = region
        self._fresh = fresh
        self._forged = forged
        self._made: list[bytes] | None = None

    def part(self, index: int, offset: int, length: int, digest: bytes) -> Packed:
        return deferred(lambda: self._get(index, offset, length, digest))

    def _get(self, index: int, offset: int, length: int, digest: bytes) -> Any:
        data = self._region[offset:offset + length]
        if len(data) == length and hashlib.sha256(data).digest() == digest:
            return data
        if self._made is None:
            self._forged()
            self._made = self._fresh()
        return self._made[index]


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
