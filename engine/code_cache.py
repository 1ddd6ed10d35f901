"""Dataclasses' generated methods compiled once per install, not once per run.

`@dataclass` writes each class's `__init__`, `__repr__`, `__eq__` (and more) as Python source
and compiles it with `exec` every time the module is imported: a cold `diagnose` defines ~30
dataclasses and compiled ~145 such functions, ~5-8 ms of its ~100 ms budget. The compiled
code objects are plain data to `marshal`; they are kept beside the KB cache and executed
straight away on the next run. The functions made are the same: the same source, compiled by
the same interpreter (the file name carries its cache tag and exact version).

How: `dataclasses` calls the builtin `exec` by its global name (3.11, 3.12 and 3.13 alike), so
a module attribute `exec` in `dataclasses` takes the call. Only a source string is looked up;
anything else goes to the builtin. cli.py routes it when it is imported (the console script,
`serve`, the tests); the library's other modules never do.

Safety: as for the compiled regular expressions (regex_cache.py) and the KB cache, whose
pickles can run code too: the file lives in the private cache folder and carries an HMAC made
with the per-install key; a file that fails the check, or any error, and sources compile as
usual.
"""
from __future__ import annotations

import builtins
import sys
from types import CodeType
from typing import Any

MAGIC = b"rtms-doctor-code-cache/1\n"
MAX_ENTRIES = 2000  # the methods of edited classes are dropped past this
_TAG = f"{sys.implementation.cache_tag}-{sys.hexversion:x}"  # bytecode differs between releases

_codes: dict[str, CodeType] | None = None  # loaded on the first exec
_added = False
_loading = False  # the load imports modules that might define dataclasses themselves


def route_dataclass_exec() -> None:
    """From now on dataclasses compile their methods from the store."""
    import dataclasses

    dataclasses.exec = _exec_from_store  # type: ignore[attr-defined]


def _exec_from_store(source: Any, globals_: Any = None, locals_: Any = None) -> None:
    if not isinstance(source, str):
        return builtins.exec(source, globals_, locals_)
    if _codes is None and _loading:
        return builtins.exec(source, globals_, locals_)
    codes = _codes if _codes is not None else _load()
    code = codes.get(source)
    if type(code) is not CodeType:
        code = compile(source, "<string>", "exec")  # what exec(source) compiles
        _remember(codes, source, code)
    return builtins.exec(code, globals_, locals_)


def _remember(codes: dict[str, CodeType], source: str, code: CodeType) -> None:
    global _added
    if len(codes) >= MAX_ENTRIES:
        codes.clear()
    codes[source] = code
    _added = True  # cli.entry calls save() (it leaves by os._exit)


def _load() -> dict[str, CodeType]:
    global _codes, _loading
    _loading = True  # as in regex_cache._load: no re-entry while private_cache imports
    try:
        from .private_cache import load_marshalled

        _codes = load_marshalled(f"code-{_TAG}.cache", MAGIC)
    finally:
        _loading = False
    return _codes


def save() -> None:
    """When this run compiled something new: write the codes back (once)."""
    global _added
    if not _added:
        return
    _added = False
    from .private_cache import save_marshalled

    save_marshalled(f"code-{_TAG}.cache", MAGIC, _codes or {}, stale_prefix="code-")
