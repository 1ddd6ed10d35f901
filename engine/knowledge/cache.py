"""A pickled copy of the loaded knowledge base, so a cold start does not parse ~170 YAML files,
made so that whoever can write the cache folder cannot make the tool run code.

The key covers every file's path, size and modification time under kb/, rules/ and this
package (engine/knowledge/, whose classes are pickled), the package version and the Python
version; any change rebuilds. The cache lives in
$RTMS_DOCTOR_CACHE, else $XDG_CACHE_HOME/rtms-doctor, else ~/.cache/rtms-doctor; when none is
writable the KB is simply loaded every time. Set RTMS_DOCTOR_CACHE=off to disable it.

Safety (unpickling runs code, so a planted pickle would run as the user): the file lives in the
private cache folder and is signed with the per-install key (engine/private_cache.py says how);
it is unpickled only after its HMAC checks out, and what is unpickled must be a KnowledgeBase for
the same kb/ folder, or it is ignored. Each kb/ folder keeps only its current file (older caches,
earlier versions' pickles and stray temporary files are removed); any mismatch or error means
the KB is loaded from YAML and the cache written again.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Callable, TypeVar

from .. import __version__
from ..private_cache import cache_dir, install_key, read_signed, write_signed
from .paths import Roots

T = TypeVar("T")
MAGIC = b"rtms-doctor-kb-cache/2\n"


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
    value = _read(target, key, roots)
    if value is not None:
        return value  # type: ignore[return-value]
    value = load(roots)  # raises KnowledgeError on a broken KB: nothing is cached then
    _write(folder, target, key, value)
    return value


def _read(target: Path, key: bytes, roots: Roots) -> object | None:
    """The cached KB, or None when missing, forged, stale, of another type, or unreadable."""
    payload = read_signed(target, key, MAGIC)
    if payload is None:
        return None
    try:
        value = pickle.loads(payload)
    except Exception:
        return None
    from .load import KnowledgeBase

    if type(value) is not KnowledgeBase or getattr(getattr(value, "roots", None), "kb", None) != roots.kb:
        return None
    return value


def _write(folder: Path, target: Path, key: bytes, value: object) -> None:
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # pragma: no cover - the KB is plain data
        return
    # this KB's older caches (other kb/ folders sharing the cache folder keep theirs)
    write_signed(target, key, MAGIC, payload, stale_prefix=target.name[:len("kb-") + 12])


