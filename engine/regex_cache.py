"""Regular expressions compiled once per install, not once per run.

CPython compiles a pattern to a small program in pure Python (re._parser, re._compiler); a
cold `diagnose` of a forum post compiles ~170 patterns (redaction, the text reader, the KB's
phrases) and spent 15-35 ms of its 100 ms budget doing so. The program is plain data: a
list of integers, the group count and the group names. It is kept beside the KB cache and
handed straight to `_sre.compile` (what `re.compile` calls last) on the next run, which
takes microseconds. The result is the same `re.Pattern` object `re.compile` would give.

Safety: the file is trusted only as far as the KB cache is (knowledge/cache.py): it lives in
the same private folder and carries an HMAC made with the same per-install key, so whoever can
write a shared cache folder cannot swap in a program that, say, makes a redaction pattern match
nothing. It is read with `marshal` (data only, no code runs), and `_sre.compile` validates
every program it is given. Any mismatch, an interpreter whose regex internals differ (the file
name carries the version and sre's MAGIC number), or any error: patterns compile as usual.
"""
from __future__ import annotations

import atexit
import re
import sys
from typing import Any, Callable

try:  # the internals this relies on; without them everything compiles as usual
    import _sre
    from array import array
    from re import _compiler, _parser

    _TAG = f"{sys.implementation.cache_tag}-{_sre.MAGIC}-{_sre.CODESIZE}"
    _CODE_TYPE = next(t for t in "IL" if array(t).itemsize == _sre.CODESIZE)
except (ImportError, AttributeError, StopIteration):  # pragma: no cover - another interpreter
    _sre = None  # type: ignore[assignment]
    _TAG = ""

MAGIC = b"rtms-doctor-regex-cache/1\n"
MAX_ENTRIES = 4000  # old patterns of edited KBs are dropped past this

# (_sre.MAGIC, flags, code as bytes, groups, groupindex, indexgroup): plain data, compact
Program = tuple[int, int, bytes, int, dict[str, int], tuple[Any, ...]]
_programs: dict[tuple[str, int], Program] | None = None  # loaded on the first compile
_added = False
_loading = False  # the load imports modules (pathlib, ...) that compile patterns themselves


def cached_compile(pattern: str, flags: int | re.RegexFlag = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, from the stored program when there is one."""
    flags = int(flags)
    if _sre is None or not isinstance(pattern, str) or flags & re.DEBUG:
        return re.compile(pattern, flags)
    return _from_store(pattern, flags, re.compile)


def _from_store(pattern: str, flags: int, compile_as_usual: Callable[[str, int], Any]) -> Any:
    """The pattern from its stored program; else compiled from its parse tree, checked
    against COMPILE_AS_USUAL and remembered."""
    if _programs is None and _loading:
        return compile_as_usual(pattern, flags)  # compiled while the store itself loads
    programs = _programs if _programs is not None else _load()
    key = (pattern, flags)
    program = programs.get(key)
    if program is not None:
        compiled = from_program(pattern, program)
        if compiled is not None:
            return compiled
        del programs[key]  # a program this interpreter refuses: compile it afresh
    tree = _parser.parse(pattern, flags)  # raises re.error as re.compile does
    program = program_of(tree, flags)
    compiled = from_program(pattern, program) if program is not None else None
    usual = compile_as_usual(pattern, flags)
    if compiled is None or compiled != usual:  # Pattern == compares the code
        return usual  # pragma: no cover - internals changed
    _remember(programs, key, program)  # type: ignore[arg-type]
    return compiled


_usual_compile: Callable[..., Any] | None = None


def route_all_compiles() -> None:
    """From now on every str pattern this process compiles (the standard library's, click's
    and Jinja2's at import, not only ours) comes from the store: at a cold start they are
    ~60 more patterns. re.compile caches as ever; only its last step, re._compiler.compile,
    is routed here. cli.py calls it when it is imported (the console script, `serve`, the
    tests); the library's other modules never do. A new pattern is compiled twice the first
    time (from its parse tree, and as usual to check the program), then never again."""
    global _usual_compile
    if _sre is None or _compiler.compile is _routed_compile:
        return  # already routed (the CLI imported twice in one process, as the tests do)
    _usual_compile = _compiler.compile
    _compiler.compile = _routed_compile


def _routed_compile(pattern: Any, flags: int = 0) -> Any:
    usual = _usual_compile
    assert usual is not None
    if not isinstance(pattern, str) or type(flags) is not int or flags & re.DEBUG:
        return usual(pattern, flags)
    return _from_store(pattern, flags, usual)


def program_of(tree: Any, flags: int) -> Program | None:
    """The program re._compiler would generate for a parsed pattern, as data; None when this
    interpreter's internals differ."""
    if _sre is None:  # pragma: no cover
        return None
    try:
        code = _compiler._code(tree, flags)
        groupindex = dict(tree.state.groupdict)
        indexgroup: list[Any] = [None] * tree.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        return (_sre.MAGIC, int(flags | tree.state.flags), array(_CODE_TYPE, code).tobytes(),
                int(tree.state.groups) - 1, groupindex, tuple(indexgroup))
    except Exception:  # pragma: no cover - an interpreter whose internals differ
        return None


def from_program(pattern: str, program: Program | None) -> re.Pattern[str] | None:
    """The compiled pattern from its program (_sre validates the code), or None."""
    if _sre is None or program is None or program[0] != _sre.MAGIC:
        return None
    try:
        code = array(_CODE_TYPE)
        code.frombytes(program[2])
        return _sre.compile(pattern, program[1], code.tolist(), program[3], program[4], program[5])  # type: ignore[no-any-return]
    except Exception:  # invalid code
        return None


def _remember(programs: dict[tuple[str, int], Program], key: tuple[str, int], program: Program) -> None:
    global _added
    if len(programs) >= MAX_ENTRIES:
        programs.clear()
    programs[key] = program
    if not _added:
        _added = True
        atexit.register(save)  # cli.entry leaves by os._exit and calls save() itself


def _load() -> dict[tuple[str, int], Program]:
    """The stored programs. In a regular install nothing has imported pathlib yet when the
    first routed compile comes, and importing it (through private_cache) compiles patterns:
    those compile as usual rather than re-entering a half-imported module."""
    global _programs, _loading
    _loading = True
    try:
        from .private_cache import load_marshalled

        _programs = load_marshalled(f"regex-{_TAG}.cache", MAGIC)
    finally:
        _loading = False
    return _programs


def save() -> None:
    """When this run compiled something new: write the programs back (once)."""
    global _added
    if not _added:
        return
    _added = False
    from .private_cache import save_marshalled

    save_marshalled(f"regex-{_TAG}.cache", MAGIC, _programs or {}, stale_prefix="regex-")
