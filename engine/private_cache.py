"""The private cache folder and its signed files, shared by the KB cache (knowledge/cache.py),
the compiled regular expressions (regex_cache.py) and the compiled templates (output/render.py).

- the cache folder is used only when it is a real folder (not a symlink) owned by this user and
  writable by no one else; it is created 0700;
- each file is `MAGIC + HMAC-SHA256(key, payload) + payload`, and the payload is used only after
  the HMAC checks out. The key is 32 random bytes made once per install, kept *outside* the
  cache folder, in $RTMS_DOCTOR_KEY_DIR, else $XDG_CONFIG_HOME/rtms-doctor, else
  ~/.config/rtms-doctor (file cache.key, 0600, in a 0700 folder, both owned by this user and
  checked on every read): whoever can write a shared cache folder still cannot forge a file;
- files are written atomically (a temporary file in the same folder, then os.replace); a failed
  write removes its temporary file, and the files a write replaces are removed.

This module imports only the standard library: regex_cache.py loads it while other modules
are still being imported.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

KEY_BYTES = 32


def private_folder(folder: Path, create: bool) -> bool:
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
    return folder if private_folder(folder, create=True) else None


def key_dir() -> Path:
    configured = os.environ.get("RTMS_DOCTOR_KEY_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "rtms-doctor"


def install_key() -> bytes | None:
    """This install's cache key (made on first use), or None when it cannot be kept private."""
    folder = key_dir()
    if not private_folder(folder, create=True):
        return None
    path = folder / "cache.key"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        key = os.urandom(KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:  # another process made it first
            return install_key()
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


def read_signed(target: Path, key: bytes, magic: bytes) -> memoryview | None:
    """The payload of a cache file whose HMAC checks out, else None (missing, forged, torn)."""
    try:
        with open(target, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    head = len(magic) + hashlib.sha256().digest_size
    if len(data) <= head or not data.startswith(magic):
        return None
    digest, payload = data[len(magic):head], memoryview(data)[head:]  # no copy of ~2 MB
    if not hmac.compare_digest(digest, hmac.new(key, payload, hashlib.sha256).digest()):
        return None
    return payload


def signature(key: bytes, *pieces: bytes | memoryview) -> bytes:
    """HMAC-SHA256 of the pieces, as one message, with the install key."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for piece in pieces:
        mac.update(piece)
    return mac.digest()


def write_signed(target: Path, key: bytes, magic: bytes, payload: bytes, stale_prefix: str) -> None:
    """Write MAGIC + HMAC + payload atomically (write_private)."""
    write_private(target, magic + hmac.new(key, payload, hashlib.sha256).digest() + payload, stale_prefix)


def write_private(target: Path, content: bytes, stale_prefix: str) -> None:
    """Write CONTENT atomically; then remove the files it replaces: those whose name starts
    with stale_prefix, the pickles of earlier versions, and temporary files left behind by
    failed writes. Never raises: a read-only home is fine, just slower."""
    import tempfile  # only a cache miss writes

    folder = target.parent
    name = None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".kb-", suffix=".tmp", delete=False) as handle:
            name = handle.name
            handle.write(content)
        os.replace(name, target)
        name = None
        for old in folder.iterdir():  # keep only the current file (and no stray temporary file)
            stale = old.name.startswith(stale_prefix) or (old.name.startswith("kb-") and old.name.endswith(".pickle"))
            stray = (old.name.startswith(".kb-") or old.name.startswith("tmp")) and _older_than(old, 600)
            if old != target and (stale or stray):
                try:
                    old.unlink()
                except OSError:
                    pass
    except Exception:
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


def load_marshalled(name: str, magic: bytes) -> dict:  # type: ignore[type-arg]
    """The dict kept by save_marshalled in the cache folder's file NAME, or {} when there is
    none, or it is forged, foreign or unreadable (marshal reads data, and code objects)."""
    try:
        import marshal

        folder = cache_dir()
        key = install_key() if folder is not None else None
        payload = read_signed(folder / name, key, magic) if folder is not None and key is not None else None
        stored = marshal.loads(payload) if payload is not None else None
        return stored if isinstance(stored, dict) else {}
    except Exception:  # unreadable or foreign: start afresh
        return {}


def save_marshalled(name: str, magic: bytes, data: dict, stale_prefix: str) -> None:  # type: ignore[type-arg]
    """Keep DATA (marshal-able) signed in the cache folder's file NAME. Never raises: a
    read-only cache folder is fine, just slower."""
    try:
        import marshal

        folder = cache_dir()
        key = install_key() if folder is not None else None
        if folder is not None and key is not None and data:
            write_signed(folder / name, key, magic, marshal.dumps(data), stale_prefix=stale_prefix)
    except Exception:
        pass

