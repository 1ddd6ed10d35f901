"""A pickled copy of the loaded knowledge base, so a cold start does not parse ~170 YAML files,
made so that whoever can write the cache folder cannot make the tool run code.

The key covers every file's path, size and modification time under kb/, rules/ and the
engine's own code, the package version and the Python version; any change rebuilds. The cache lives in
$RTMS_DOCTOR_CACHE, else $XDG_CACHE_HOME/rtms-doctor, else ~/.cache/rtms-doctor; when none is
writable the KB is simply loaded every time. Set RTMS_DOCTOR_CACHE=off to disable it.

Safety (unpickling runs code, so a planted pickle would run as the user):
- the cache folder is used only when it is a real folder (not a symlink) owned by this user and
  writable by no one else; it is created 0700;
- each file is `MAGIC + HMAC-SHA256(key, payload) + payload`, and the payload is unpickled only
  after the HMAC checks out. The key is 32 random bytes made once per install, kept *outside*
  the cache folder, in $RTMS_DOCTOR_KEY_DIR, else $XDG_CONFIG_HOME/rtms-doctor, else
  ~/.config/rtms-doctor (file cache.key, 0600, in a 0700 folder, both owned by this user and
  checked on every read): whoever can write a shared cache folder still cannot forge a file;
- what is unpickled must be a KnowledgeBase for the same kb/ folder, or it is ignored;
- files are written atomically (a temporary file in the same folder, then os.replace); a failed
  write removes its temporary file; this kb/ folder's older caches, earlier versions' pickles and
  stray temporary files are removed (each kb/ folder keeps only its current file),
  and any mismatch or error means the KB is loaded from YAML and the cache written again.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import stat
import sys
from pathlib import Path
from typing import Callable, TypeVar

from .. import __version__
from .paths import Roots

T = TypeVar("T")
MAGIC = b"rtms-doctor-kb-cache/2\n"
KEY_BYTES = 32


def _private_folder(folder: Path, create: bool) -> bool:
    """A folder owned by this user, not a symlink, that no one else can write (created 0700)."""
    try:
        if create and not os.path.lexists(folder):
            folder.parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(folder, 0o700)
        info = os.lstat(folder)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def cache_dir() -> Path | None:
    """Where caches live, or None when caching is off or the folder is not private."""
    configured = os.environ.get("RTMS_DOCTOR_CACHE")
    if configured == "off":
        return None
    if configured:
        folder = Path(configured)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = Path(base) / "rtms-doctor"
    return folder if _private_folder(folder, create=True) else None


def key_dir() -> Path:
    configured = os.environ.get("RTMS_DOCTOR_KEY_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "rtms-doctor"


def _install_key() -> bytes | None:
    """This install's cache key (made on first use), or None when it cannot be kept private."""
    folder = key_dir()
    if not _private_folder(folder, create=True):
        return None
    path = folder / "cache.key"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        key = os.urandom(KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:  # another process made it first
            return _install_key()
        except OSError:
            return None
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if (hasattr(os, "getuid") and info.st_uid != os.getuid()) or info.st_mode & 0o077:
            return None
        key = handle.read(KEY_BYTES + 1)
    return key if len(key) == KEY_BYTES else None


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
    key = _install_key()
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
    try:
        with open(target, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    head = len(MAGIC) + hashlib.sha256().digest_size
    if len(data) <= head or not data.startswith(MAGIC):
        return None
    digest, payload = data[len(MAGIC):head], memoryview(data)[head:]  # no copy of ~2 MB
    if not hmac.compare_digest(digest, hmac.new(key, payload, hashlib.sha256).digest()):
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
    import tempfile  # only a cache miss writes

    name = None
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".kb-", suffix=".tmp", delete=False) as handle:
            name = handle.name
            handle.write(MAGIC + hmac.new(key, payload, hashlib.sha256).digest() + payload)
        os.replace(name, target)
        name = None
        for old in folder.iterdir():  # keep only the current cache (and no stray temporary file)
            # this KB's older caches, the pickles of earlier versions, temporary files left behind
            # (other kb/ folders sharing the cache folder keep theirs)
            stale = old.name.startswith(target.name[:len("kb-") + 12]) or old.name.endswith(".pickle")
            stray = (old.name.startswith(".kb-") or old.name.startswith("tmp")) and _older_than(old, 600)
            if old != target and ((old.name.startswith("kb-") and stale) or stray):
                try:
                    old.unlink()
                except OSError:
                    pass
    except Exception:  # a read-only home is fine: just slower
        pass
    finally:
        if name is not None:
            try:
                os.unlink(name)
            except OSError:
                pass


def _older_than(path: Path, seconds: float) -> bool:
    """A temporary file left by a write that failed (not one another process is writing now)."""
    import time

    try:
        return path.is_file() and time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False
