"""What `batch` writes into --out, and nothing else: one report per case, the summaries, and
a manifest of the files the tool wrote there.

- Every file goes through the outlet (engine/outlet.py): redacted, no control characters,
  written atomically.
- Report names are case names made safe (redacted, no separators, no control characters); a
  name that would collide with a summary file, the manifest, another case's report or one of
  the inputs gets a suffix, so an input named summary.txt keeps its report and no input is
  ever overwritten. A summary that would land on an input stops the run before anything is
  written.
- The manifest (.rtms-doctor-manifest.json) maps each case to the report written for it. A case
  that now fails has its report from an earlier run removed, but only a file the manifest
  says the tool wrote.
- CSV cells that a spreadsheet would run as a formula (= + - @) are quoted as text.
"""
from __future__ import annotations

import csv
import io
import json
import pickle
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from .errors import InputError
from .outlet import csv_cell, file_name, one_line, write_pieces, write_text

if TYPE_CHECKING:
    from .batch import CaseInput

MANIFEST = ".rtms-doctor-manifest.json"
SUMMARIES = ("summary.md", "summary.csv", "summary.json")
FIELDS = ["case", "top_cause", "confidence", "runner_up", "status"]


class BatchStore:
    """What a batch run keeps about its cases, on disk rather than in memory, so that memory
    stays flat however many cases there are: the cases found (in order), the inputs (resolved,
    so that none is written over), the report names taken, the reports written, the cases that
    failed and the summary rows. A private temporary SQLite database, deleted when closed.
    Text is stored as UTF-8 with surrogates kept (file names that are not UTF-8), whose byte
    order is the order of Python's strings. The cases are read by a parallel run's pool from
    another thread: every use takes the lock."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self.lock = threading.Lock()
        self.db.executescript("""
            CREATE TABLE cases (seq INTEGER PRIMARY KEY, name BLOB NOT NULL, data BLOB NOT NULL);
            CREATE TABLE inputs (path BLOB PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE listing (name BLOB NOT NULL);
            CREATE TABLE taken (name BLOB PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE written (seq INTEGER PRIMARY KEY, name BLOB NOT NULL UNIQUE, report BLOB NOT NULL);
            CREATE INDEX written_report ON written (report);
            CREATE TABLE failed (seq INTEGER PRIMARY KEY, name BLOB NOT NULL);
            CREATE TABLE rows (seq INTEGER PRIMARY KEY, data BLOB NOT NULL);
            CREATE TABLE clean_rows (seq INTEGER PRIMARY KEY, data BLOB NOT NULL);
            CREATE TABLE csv_lines (seq INTEGER PRIMARY KEY, line BLOB NOT NULL);
            BEGIN;
        """)

    def close(self) -> None:
        self.db.close()

    def _do(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        with self.lock:
            self.db.execute(sql, args)

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        with self.lock:
            return self.db.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        with self.lock:
            return self.db.execute(sql, args).fetchall()

    # -- the cases ----------------------------------------------------------------------------

    def add_cases(self, cases: Iterable[CaseInput]) -> int:
        """Keep CASES in order with their input files; refuse two cases of one name (as
        `discover` does). Returns how many there are."""
        count = 0
        for case in cases:
            self.db.execute("INSERT INTO cases (name, data) VALUES (?, ?)",
                            (_b(case.name), pickle.dumps(case, protocol=pickle.HIGHEST_PROTOCOL)))
            for file in case.files:
                self.db.execute("INSERT OR IGNORE INTO inputs VALUES (?)", (_b(str(_resolved(Path(file)))),))
            count += 1
        duplicate = self.db.execute("SELECT name FROM cases GROUP BY name HAVING count(*) > 1 "
                                    "ORDER BY name LIMIT 1").fetchone()
        if duplicate:
            raise InputError(f"two cases share the name {_s(duplicate[0])}; rename one")
        return count

    def cases(self) -> Iterator[CaseInput]:
        last = 0
        while True:
            page = self._all("SELECT seq, data FROM cases WHERE seq > ? ORDER BY seq LIMIT 256", (last,))
            if not page:
                return
            for _, data in page:
                yield pickle.loads(data)
            last = page[-1][0]

    def sorted_names(self, names: Iterable[str]) -> Iterator[str]:
        """NAMES in the order of sorted(), sorted on disk (a folder of 100k case files)."""
        self.db.execute("DELETE FROM listing")
        self.db.executemany("INSERT INTO listing VALUES (?)", ((_b(n),) for n in names))
        for (name,) in self.db.execute("SELECT name FROM listing ORDER BY name"):
            yield _s(name)

    def is_input(self, path: Path) -> bool:
        return self._one("SELECT 1 FROM inputs WHERE path = ?", (_b(str(path)),)) is not None

    # -- what was written -----------------------------------------------------------------------

    def is_taken(self, name: str) -> bool:
        return self._one("SELECT 1 FROM taken WHERE name = ?", (_b(name),)) is not None

    def take(self, name: str) -> None:
        self._do("INSERT OR IGNORE INTO taken VALUES (?)", (_b(name),))

    def wrote(self, case: str, report: str) -> None:
        self._do("INSERT OR REPLACE INTO written (name, report) VALUES (?, ?)", (_b(case), _b(report)))

    def report_of(self, case: str) -> str | None:
        found = self._one("SELECT report FROM written WHERE name = ?", (_b(case),))
        return _s(found[0]) if found else None

    def report_written(self, report: str) -> bool:
        return self._one("SELECT 1 FROM written WHERE report = ?", (_b(report),)) is not None

    def written(self) -> Iterator[tuple[str, str]]:
        for case, report in self.db.execute("SELECT name, report FROM written ORDER BY seq"):
            yield _s(case), _s(report)

    def fail(self, case: str) -> None:
        self._do("INSERT INTO failed (name) VALUES (?)", (_b(case),))

    def failed(self) -> Iterator[str]:
        for (case,) in self.db.execute("SELECT name FROM failed ORDER BY seq"):
            yield _s(case)

    def failures(self) -> int:
        return self.db.execute("SELECT count(*) FROM failed").fetchone()[0]

    # -- the summary rows -----------------------------------------------------------------------

    def add_row(self, row: dict[str, Any]) -> None:
        self._do("INSERT INTO rows (data) VALUES (?)", (pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL),))

    def rows(self, table: str = "rows") -> Iterator[dict[str, Any]]:
        for (data,) in self.db.execute(f"SELECT data FROM {table} ORDER BY seq"):
            yield pickle.loads(data)

    def row_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM rows").fetchone()[0]

    def clean_rows(self) -> None:
        """The rows made safe to show (`clean_rows`), in order: the case-wide secret set
        grows as they are cleaned, as it does over a list."""
        for row in self.rows():
            self.db.execute("INSERT INTO clean_rows (data) VALUES (?)",
                            (pickle.dumps(clean_rows([row])[0], protocol=pickle.HIGHEST_PROTOCOL),))


class BatchOutput:
    def __init__(self, out: Path, store: BatchStore, suffix: str):
        self.out = out
        self.suffix = suffix
        self.store = store
        out.mkdir(parents=True, exist_ok=True)
        for name in SUMMARIES + (MANIFEST,):
            if store.is_input(_resolved(out / name)):
                raise InputError(f"{out / name} is one of the inputs; write the reports to another folder with --out")
        self.previous = self._manifest()
        for name in SUMMARIES + (MANIFEST,):
            store.take(name.lower())

    def _manifest(self) -> dict[str, str]:
        try:
            data = json.loads((self.out / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        reports = data.get("reports") if isinstance(data, dict) else None
        if not isinstance(reports, dict):
            return {}
        return {str(k): str(v) for k, v in reports.items() if isinstance(v, str)}

    def report(self, case: str, text: str) -> None:
        base = file_name(case)
        name, n = base + self.suffix, 1
        while self.store.is_taken(name.lower()) or self.store.is_input(_resolved(self.out / name)):
            n += 1
            name = f"{base}-{n}{self.suffix}" if n > 2 or base.lower() != "summary" else f"{base}-case{self.suffix}"
        self.store.take(name.lower())
        write_text(self.out / name, text)
        self.store.wrote(case, name)

    def finish(self, summary_md: Callable[[Iterable[dict[str, Any]]], Iterable[str]], summary_fmt: str) -> None:
        """The summaries (summary.md rendered by SUMMARY_MD from the rows) and the manifest,
        written from the store a row at a time, as they would be from lists in memory."""
        store = self.store
        store.clean_rows()
        write_pieces(self.out / "summary.md", lambda: summary_md(store.rows("clean_rows")))
        if summary_fmt == "json":
            write_pieces(self.out / "summary.json", lambda: _json_list(store.rows("clean_rows")))
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=FIELDS)
            writer.writeheader()
            header = buffer.getvalue()
            for row in store.rows("clean_rows"):  # every cell cleaned first, in order, as writerows does
                buffer.seek(0)
                buffer.truncate()
                writer.writerow({k: csv_cell(v) for k, v in row.items()})
                store.db.execute("INSERT INTO csv_lines (line) VALUES (?)", (_b(buffer.getvalue()),))
            write_pieces(self.out / "summary.csv",
                         lambda: _chain([header], (_s(line) for (line,) in
                                                    store.db.execute("SELECT line FROM csv_lines ORDER BY seq"))))
        previous = self.previous
        dropped = set()
        for case in store.failed():  # a case that now fails: its old report is stale
            old = previous.get(case) if case not in dropped else None
            dropped.add(case)
            if case in previous and old and not store.report_written(old):
                self._remove(old)
        write_pieces(self.out / MANIFEST, lambda: self._manifest_pieces(dropped))

    def _manifest_pieces(self, dropped: set[str]) -> Iterator[str]:
        """json.dumps({"tool": "rtms-doctor", "reports": manifest}, indent=2) + newline, where
        the manifest is the previous one less the cases that now fail, updated with the reports
        written (new cases last, in order)."""
        def entries() -> Iterator[tuple[str, str]]:
            for case, report in self.previous.items():
                if case not in dropped:
                    yield case, self.store.report_of(case) or report
            for case, report in self.store.written():
                if case not in self.previous:
                    yield case, report

        yield '{\n  "tool": "rtms-doctor",\n  "reports": {'
        first = True
        for case, report in entries():
            yield ("\n" if first else ",\n") + "    " + json.dumps(case) + ": " + json.dumps(report)
            first = False
        yield "}\n}\n" if first else "\n  }\n}\n"

    def _remove(self, name: str) -> None:
        path = self.out / name
        if "/" in name or "\\" in name or name.startswith(".") or self.store.is_input(_resolved(path)):
            return  # only a plain file name the tool wrote here
        try:
            if path.is_file() and not path.is_symlink():
                path.unlink()
        except OSError:
            pass


def _json_list(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """json.dumps(list(rows), indent=2, ensure_ascii=False) + newline, a row at a time."""
    first = True
    for row in rows:
        item = json.dumps(row, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        yield ("[\n  " if first else ",\n  ") + item
        first = False
    yield "[]\n" if first else "\n]\n"


def _chain(*parts: Iterable[str]) -> Iterator[str]:
    for part in parts:
        yield from part


def _b(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _s(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def clean_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Summary rows whose text (case names, error messages) is made safe to show."""
    return [{k: one_line(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()
