"""The compiled-regex cache (engine/regex_cache.py): what it hands back is the pattern
re.compile makes, it survives a restart, and a file it did not sign is never used."""
from __future__ import annotations

import marshal
import re
from pathlib import Path

import pytest

from rtms_doctor import regex_cache
from rtms_doctor.knowledge import literals
from rtms_doctor.private_cache import install_key, write_signed

SAMPLES = [
    (r"(?P<key>client[_ ]?secret)\s*[:=]\s*(\S+)", re.I),
    (r"\b\d{3}-\d{4}\b", 0),
    (r"(?i)foo(?=bar)|baz", 0),
    (r"[^\W\d_]+", re.M),
    (r"^(?!.*\?\s*$).*?(?:\bwebhook\b)", re.I | re.S),
]
TEXTS = ["Client_Secret = abc123", "call 555-1234 now", "FOObar baz", "héllo wörld 12\nnext", "the webhook?"]


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RTMS_DOCTOR_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("RTMS_DOCTOR_KEY_DIR", str(tmp_path / "key"))
    monkeypatch.setattr(regex_cache, "_programs", None)
    monkeypatch.setattr(regex_cache, "_added", False)
    return tmp_path / "cache"


def _same(a: re.Pattern[str], b: re.Pattern[str]) -> None:
    assert a == b  # Pattern equality compares pattern, flags and the compiled code
    assert (a.groups, dict(a.groupindex)) == (b.groups, dict(b.groupindex))
    for text in TEXTS:
        assert [m.span() for m in a.finditer(text)] == [m.span() for m in b.finditer(text)]
        assert a.sub("X", text) == b.sub("X", text)


def test_cached_patterns_are_what_re_compile_makes_before_and_after_a_restart(fresh_cache):
    for pattern, flags in SAMPLES:
        _same(regex_cache.cached_compile(pattern, flags), re.compile(pattern, flags))
    regex_cache.save()
    assert list(fresh_cache.glob("regex-*.cache"))
    regex_cache._programs = None  # as a new process: the programs come from the file
    for pattern, flags in SAMPLES:
        _same(regex_cache.cached_compile(pattern, flags), re.compile(pattern, flags))
    assert set(regex_cache._programs) >= {(p, int(f)) for p, f in SAMPLES}


def test_every_pattern_the_tool_compiled_round_trips(fresh_cache, tmp_path):
    """A real cold run stores the package's own patterns; each program gives re.compile's pattern."""
    import os
    import subprocess
    import sys

    post = Path(__file__).parent / "fixtures" / "posts" / "forum-13262.txt"
    env = {**os.environ, "RTMS_DOCTOR_CACHE": str(fresh_cache), "RTMS_DOCTOR_KEY_DIR": str(tmp_path / "key")}
    run = subprocess.run([sys.executable, "-c", "from rtms_doctor.cli import entry; entry()", "diagnose", str(post)],
                         env=env, capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr
    programs = regex_cache._load()
    assert len(programs) > 100  # redaction, the text reader, the outlet...
    for (pattern, flags), program in sorted(programs.items()):
        rebuilt = regex_cache.from_program(pattern, program)
        assert rebuilt is not None and rebuilt == re.compile(pattern, flags)


def test_a_file_not_signed_with_this_installs_key_is_ignored(fresh_cache):
    regex_cache.cached_compile(*SAMPLES[0])
    regex_cache.save()
    path = next(fresh_cache.glob("regex-*.cache"))
    data = bytearray(path.read_bytes())
    data[-1] ^= 1  # one bit of the payload
    path.write_bytes(bytes(data))
    regex_cache._programs = None
    assert regex_cache._load() == {}
    _same(regex_cache.cached_compile(*SAMPLES[0]), re.compile(*SAMPLES[0]))


def test_a_program_the_interpreter_refuses_is_compiled_afresh(fresh_cache):
    """Signed but wrong (an interpreter upgrade, a bug): _sre validates the code; we recompile."""
    pattern, flags = SAMPLES[1]
    good = regex_cache.program_of(re._parser.parse(pattern, flags), flags)
    broken = good[:2] + (b"\x00" * len(good[2]),) + good[3:]
    write_signed(fresh_cache / f"regex-{regex_cache._TAG}.cache", install_key(), regex_cache.MAGIC,
                 marshal.dumps({(pattern, flags): broken}), stale_prefix="regex-")
    regex_cache._programs = None
    _same(regex_cache.cached_compile(pattern, flags), re.compile(pattern, flags))


def test_bad_patterns_raise_as_re_compile_does(fresh_cache):
    with pytest.raises(re.error):
        regex_cache.cached_compile("(unclosed")


def test_phrase_programs_use_the_same_form(fresh_cache):
    data, _ = literals.program(r"\bno (audio|video)\b")
    assert literals.from_program(r"\bno (audio|video)\b", data) == re.compile(r"\bno (audio|video)\b", re.I)


def test_routed_compiles_give_what_re_compile_gives(fresh_cache, monkeypatch):
    """route_all_compiles (the console script's: click's, Jinja2's and the standard library's
    patterns from the store too): re.compile's results stay equal, its own cache still works,
    bytes patterns and parsed patterns (re.Scanner) pass through."""
    import re._compiler as sre_compiler

    monkeypatch.setattr(sre_compiler, "compile", sre_compiler.compile)  # undone after the test
    regex_cache.route_all_compiles()
    regex_cache.route_all_compiles()  # a second call (the CLI imported again) leaves it as it is
    assert sre_compiler.compile is regex_cache._routed_compile
    assert regex_cache._usual_compile is not regex_cache._routed_compile
    fresh = [(p + r"(?#routed)", f) for p, f in SAMPLES]  # not yet in re's own cache
    usual = [regex_cache._usual_compile(p, int(f)) for p, f in fresh]
    for (pattern, flags), expected in zip(fresh, usual):
        _same(re.compile(pattern, flags), expected)
    assert set(regex_cache._programs) >= {(p, int(f)) for p, f in fresh}
    regex_cache.save()
    regex_cache._programs = None  # as a new process
    re.purge()
    for (pattern, flags), expected in zip(fresh, usual):
        _same(re.compile(pattern, flags), expected)
    assert re.compile(rb"\d+(?#routed)").findall(b"a12b3") == [b"12", b"3"]
    scanner = re.Scanner([(r"\d+", lambda s, t: int(t)), (r"\s+", None)])
    assert scanner.scan("1 22 333") == ([1, 22, 333], "")
    with pytest.raises(re.error):
        re.compile("(unclosed(?#routed)")
