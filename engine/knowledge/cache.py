"""A pickled copy of the loaded knowledge base, so a cold start does not parse ~170 YAML files,
made so that whoever can write the cache folder cannot make the tool run code.

The key covers every file's path, size and modification time under kb/, rules/ and this
package (engine/knowledge/, whose classes are pickled), the package version and the Python
version; any change rebuilds. The cache lives in
$RTMS_DOCTOR_CACHE, else $XDG_CACHE_HOME/rtms-doctor, else ~/.cache/rtms-doctor; when none is
writable the KB is simply loaded every time. Set RTMS_DOCTOR_CACHE=off to disable it.

The file holds the KB's pickle, then the pickles of its lazy parts (knowledge/lazy.py: what
only text, logs and lint read, ~60 % of the bytes; knowledge/split_pickle.py), so a start
checks only the KB's pickle and the parts it reads:

    MAGIC | HMAC(size, kb) | size (8 bytes) | kb | parts

Safety (unpickling runs code, so a planted pickle would run as the user): the file lives in the
private cache folder and is signed with the per-install key (engine/private_cache.py says how);
the KB's pickle is read only after its HMAC checks out, and it holds the SHA-256 of each part,
which is unpickled only when its bytes match; what is unpickled must be a KnowledgeBase for the
same kb/ folder, or it is ignored. Each kb/ folder keeps only its current file (older caches,
earlier versions' pickles and stray temporary files are removed); any mismatch or error means
the KB is loaded from YAML and the cache written again (a part that fails its check when first
read is taken from the KB loaded afresh, and the file is removed).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import sys
from pathlib import Path
from typing import Any, Callable, TypeVar

from .. import __version__
from ..private_cache import cache_dir, install_key, signature, write_private
from . import split_pickle
from .paths import Roots

T = TypeVar("T")
MAGIC = b"rtms-doctor-kb-cache/4\n"
MAC = 32  # HMAC-SHA256
SIZE = 8  # the KB section's length, big-endian


def _key(roots: Roots) -> str:
    digest = hashlib.sha256(f"{__version__}|{sys.version_info[:2]}|{roots.kb.resolve()}".encode())
    code = Path(__file__).resolve().parent  # the classes pickled are part of the key
    for base, suffix in ((roots.kb, ".yaml"), (roots.rules, ".yaml"), (code, ".py")):
        for entry in sorted(_stamps(str(base), suffix)):
            digest.update(entry.encode())
    return digest.hexdigest()[:24]


def _root_tag(roots: Roots) -> str:
    """12 hex characters naming the kb/ folder: its caches are told apart from other folders'."""
    return hashlib.sha256(str(roots.kb.resolve()).encode()).hexdigest()[:12]


def _stamps(folder: str, suffix: str, prefix: str = "") -> list[str]:
    """'relative/path|size|mtime_ns' of every file below folder ending in suffix (os.scandir:
    a quarter of the time of Path.rglob plus stat on ~200 files, which a cold start pays)."""
    stamps: list[str] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stamps.extend(_stamps(entry.path, suffix, f"{prefix}{entry.name}/"))
            elif entry.name.endswith(suffix):
                stat = entry.stat()
                stamps.append(f"{prefix}{entry.name}|{stat.st_size}|{stat.st_mtime_ns}\n")
    return stamps


def cached(roots: Roots, load: Callable[[Roots], T]) -> T:
    folder = cache_dir()
    if folder is None:
        return load(roots)
    key = install_key()
    if key is None:
        return load(roots)
    try:
        target = folder / f"kb-{_root_tag(roots)}-{_key(roots)}.cache"
    except OSError:
        return load(roots)
    value = _read(target, key, roots, load)
    if value is not None:
        return value  # type: ignore[return-value]
    value = load(roots)  # raises KnowledgeError on a broken KB: nothing is cached then
    _write(target, key, value)
    return value


def _read(target: Path, key: bytes, roots: Roots, load: Callable[[Roots], Any]) -> object | None:
    """The cached KB, or None when missing, forged, stale, of another type, or unreadable."""
    try:
        with open(target, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    head = len(MAGIC) + MAC + SIZE
    if len(data) < head or not data.startswith(MAGIC):
        return None
    view = memoryview(data)  # sections without copies
    size = view[head - SIZE:head]
    end = head + int.from_bytes(size, "big")
    mac = view[len(MAGIC):head - SIZE]
    if len(data) < end or not hmac.compare_digest(mac, signature(key, size, view[head:end])):
        return None

    def forged() -> None:  # a part that does not match its digest: the next start writes it again
        try:
            target.unlink()
        except OSError:
            pass

    parts = split_pickle.Parts(view[end:], lambda: split_pickle.dump(load(roots))[1], forged)
    try:
        value = split_pickle.load(view[head:end], parts)
    except Exception:
        return None
    from .load import KnowledgeBase

    if type(value) is not KnowledgeBase or getattr(getattr(value, "roots", None), "kb", None) != roots.kb:
        return None
    return value


def _write(target: Path, key: bytes, value: object) -> None:
    try:
        kb, parts = split_pickle.dump(value)
    except Exception:  # pragma: no cover - the KB is plain data
        return
    size = len(kb).to_bytes(SIZE, "big")
    # this KB's older caches (other kb/ folders sharing the cache folder keep theirs)
    write_private(target, b"".join([MAGIC, signature(key, size, kb), size, kb, *parts]),
                  stale_prefix=target.name[:len("kb-") + 12])
