"""Parts of a cached object that are unpickled when first read, not when the cache is loaded.

A cold start unpickles the whole knowledge base (~65,000 objects, ~15 ms). Some parts serve
only some inputs: the text reader's phrases and their compiled programs only text and logs,
the code tables only logs and `explain`. `@lazy_parts(...)` pickles each named attribute as
its own byte string inside the object's pickle, and unpickles it on first access.
"""
from __future__ import annotations

import gc
import pickle
from typing import Any, Callable, TypeVar

T = TypeVar("T")


class Packed:
    """One attribute's pickle, waiting to be read: its bytes, or how to fetch them on first
    read (deferred(): the KB cache reads and checks a part's bytes in its file only then,
    knowledge/split_pickle.py)."""

    __slots__ = ("_data", "_fetch")

    def __init__(self, data: Any = None, fetch: Callable[[], Any] | None = None):
        self._data = data
        self._fetch = fetch

    @property
    def data(self) -> Any:
        """The pickle (bytes or a read-only buffer)."""
        if self._data is None and self._fetch is not None:
            self._data, self._fetch = self._fetch(), None
        return self._data

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Packed, (bytes(self.data),))


def deferred(fetch: Callable[[], Any]) -> Packed:
    """A part whose pickle FETCH returns when it is first read."""
    return Packed(None, fetch)


def lazy_parts(*names: str) -> Callable[[type[T]], type[T]]:
    """Class decorator (put it above @dataclass): the named attributes load on first access."""

    def decorate(cls: type[T]) -> type[T]:
        for name in names:  # a class-level default would hide the missing instance attribute
            if name in cls.__dict__:
                delattr(cls, name)

        def __getstate__(self: Any) -> dict[str, Any]:
            state = dict(self.__dict__)
            packed = state.pop("_packed", {})
            for name in names:
                if name in state:
                    state[name] = Packed(pickle.dumps(state[name], protocol=pickle.HIGHEST_PROTOCOL))
                elif name in packed:  # never read in this process: passed on as it came
                    state[name] = packed[name]
            return state

        def __setstate__(self: Any, state: dict[str, Any]) -> None:
            packed = {name: value for name, value in state.items() if isinstance(value, Packed)}
            self.__dict__.update({name: value for name, value in state.items() if name not in packed})
            self.__dict__["_packed"] = packed

        def __getattr__(self: Any, name: str) -> Any:  # only called for a missing attribute
            packed = self.__dict__.get("_packed")
            if packed is None or name not in packed:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            paused = gc.isenabled()
            gc.disable()  # thousands of objects that live as long as the KB: nothing to collect
            try:
                value = pickle.loads(packed.pop(name).data)
            finally:
                if paused:
                    gc.enable()
            self.__dict__[name] = value
            return value

        cls.__getstate__ = __getstate__  # type: ignore[attr-defined]
        cls.__setstate__ = __setstate__  # type: ignore[attr-defined]
        cls.__getattr__ = __getattr__  # type: ignore[attr-defined]
        return cls

    return decorate
