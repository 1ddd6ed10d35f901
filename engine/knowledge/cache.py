"""A pickled copy of the loaded knowledge base, so a cold start does not parse ~170 YAML files.

The key covers every file's path, size and modification time under kb/, rules/ and the
engine's own code, the package version and the Python version; any change rebuilds. The cache lives in
$RTMS_DOCTOR_CACHE, else $XDG_CACHE_HOME/rtms-doctor, else ~/.cache/rtms-doctor; when none is
writable the KB is simply loaded every time. Set RTMS_DOCTOR_CACHE=off to disable it.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Callable, TypeVar

from .. import __version__
from .paths import Roots

T = TypeVar("T")


def cache_dir() -> Path | None:
    """Where caches live, or None when caching is off."""
    configured = os.environ.get("RTMS_DOCTOR_CACHE")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rtms-doctor"


def _key(roots: Roots) -> str:
    digest = hashlib.sha256(f"{__version__}|{sys.version_info[:2]}|{roots.kb.resolve()}".encode())
    code = Path(__file__).resolve().parent  # the classes pickled are part of the key
    for base, suffix in ((roots.kb, ".yaml"), (roots.rules, ".yaml"), (code, ".py")):
        for entry in sorted(_stamps(str(base), suffix)):
            digest.update(entry.encode())
    return digest.hexdigest()[:24]


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
    try:
        target = folder / f"kb-{_key(roots)}.pickle"
    except OSError:
        return load(roots)
    try:
        with target.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # missing, stale or unreadable: rebuild
        pass
    value = load(roots)  # raises KnowledgeError on a broken KB: nothing is cached then
    import tempfile  # only a cache miss writes

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False) as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, target)
    except Exception:  # a read-only home is fine: just slower
        pass
    return value
