"""The casebook's SQLite file: schema, migrations, and the only code that writes it.

One file per user. The schema version lives in PRAGMA user_version; MIGRATIONS[i] upgrades
version i to i + 1, each step in its own transaction together with the version bump, so an
interrupted upgrade leaves the previous version intact. Version 0 is a file with no casebook
tables (a new file, or one made by hand): step 0 lays out version 1. WAL lets readers (a
`diagnose` looking for similar cases) run beside a writer; every write is one
BEGIN IMMEDIATE transaction and waits (busy timeout) for a concurrent `confirm` to finish.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import InputError

BUSY_TIMEOUT_S = 15.0


def _to_v1(conn: sqlite3.Connection) -> None:
    conn.execute("""
        CREATE TABLE IF NOT EXISTS cases (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            confirmed_at TEXT NOT NULL,            -- UTC, ISO 8601
            kb_version TEXT NOT NULL,              -- the knowledge base that gave the ranking
            cause TEXT NOT NULL,                   -- the confirmed cause id (or catalog alias)
            first_answer TEXT NOT NULL DEFAULT '', -- the tool's top likely/possible cause, '' if none
            note TEXT NOT NULL DEFAULT '',         -- redacted
            case_json TEXT NOT NULL,               -- redacted facts, the `ask --save` case JSON
            signs_json TEXT NOT NULL,              -- [[owner, sign text], ...]: no words of the post
            ranking_json TEXT NOT NULL             -- [{id, status, confidence}, ...] best first
        )""")
    conn.execute("CREATE INDEX IF NOT EXISTS cases_by_cause ON cases (cause)")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_to_v1]


def schema_version() -> int:
    return len(MIGRATIONS)


@dataclass(frozen=True)
class StoredCase:
    id: int
    confirmed_at: str
    kb_version: str
    cause: str
    first_answer: str
    note: str
    case: dict[str, Any]
    signs: list[tuple[str, str]]
    ranking: list[dict[str, Any]]


class Casebook:
    """An open casebook file (use as a context manager)."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    def __enter__(self) -> "Casebook":
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def add(self, record: dict[str, Any]) -> int:
        try:
            with self._write() as conn:
                cursor = conn.execute(
                    "INSERT INTO cases (confirmed_at, kb_version, cause, first_answer, note, case_json,"
                    " signs_json, ranking_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (record["confirmed_at"], record["kb_version"], record["cause"], record["first_answer"],
                     record["note"], _dump(record["case"]), _dump(record["signs"]), _dump(record["ranking"])))
                return int(cursor.lastrowid or 0)
        except sqlite3.Error as exc:
            raise InputError(f"casebook {self.path}: cannot write: {exc}") from None

    def cases(self) -> list[StoredCase]:
        return [_stored(row) for row in self._read("SELECT * FROM cases ORDER BY id")]

    def get(self, case_id: int) -> StoredCase | None:
        rows = self._read("SELECT * FROM cases WHERE id = ?", (case_id,))
        return _stored(rows[0]) if rows else None

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        try:
            return list(self.conn.execute(sql, args))
        except sqlite3.Error as exc:
            raise InputError(f"casebook {self.path}: cannot read: {exc}") from None


def open_casebook(path: Path, create: bool) -> Casebook | None:
    """The casebook at PATH, migrated to the current schema; None when it does not exist and
    CREATE is false (a `diagnose` never creates one)."""
    if not path.exists():
        if not create:
            return None
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # private from the start
        except OSError as exc:
            raise InputError(f"casebook {path}: cannot create: {exc.strerror}") from None
    if path.is_dir():
        raise InputError(f"casebook {path}: is a folder, not a file")
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=rw"  # never creates a file
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise InputError(f"casebook {path}: cannot open: {exc}") from None
    conn.row_factory = sqlite3.Row
    try:
        _wal(conn)
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise InputError(f"casebook {path}: not a casebook ({exc})") from None
    except BaseException:
        conn.close()
        raise
    return Casebook(conn, path)


def _wal(conn: sqlite3.Connection) -> None:
    """WAL mode (persistent in the file). Switching needs a moment alone with the file, which
    two first `confirm`s race for: retry within the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def migrate(conn: sqlite3.Connection) -> int:
    """Upgrade to the current schema, one transaction per step; returns the version reached."""
    target = schema_version()
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > target:
        raise InputError(f"casebook schema v{version} is newer than this rtms-doctor knows (v{target}); upgrade it")
    while version < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # another process may have upgraded while we waited for the lock
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current == version:
                MIGRATIONS[version](conn)
                conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _stored(row: sqlite3.Row) -> StoredCase:
    return StoredCase(row["id"], row["confirmed_at"], row["kb_version"], row["cause"], row["first_answer"],
                      row["note"], json.loads(row["case_json"]), [tuple(s) for s in json.loads(row["signs_json"])],
                      json.loads(row["ranking_json"]))
