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
from pathlib import Path
from typing import Any

from .errors import InputError
from .outlet import csv_cell, file_name, one_line, write_text

MANIFEST = ".rtms-doctor-manifest.json"
SUMMARIES = ("summary.md", "summary.csv", "summary.json")


class BatchOutput:
    def __init__(self, out: Path, inputs: list[str], suffix: str):
        self.out = out
        self.suffix = suffix
        out.mkdir(parents=True, exist_ok=True)
        self.inputs = {_resolved(Path(p)) for p in inputs}
        for name in SUMMARIES + (MANIFEST,):
            if _resolved(out / name) in self.inputs:
                raise InputError(f"{out / name} is one of the inputs; write the reports to another folder with --out")
        self.previous = self._manifest()
        self.written: dict[str, str] = {}  # case name -> report file name
        self.taken = {n.lower() for n in SUMMARIES + (MANIFEST,)}

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
        while name.lower() in self.taken or _resolved(self.out / name) in self.inputs:
            n += 1
            name = f"{base}-{n}{self.suffix}" if n > 2 or base.lower() != "summary" else f"{base}-case{self.suffix}"
        self.taken.add(name.lower())
        write_text(self.out / name, text)
        self.written[case] = name

    def finish(self, rows: list[dict[str, Any]], summary_md: str, summary_fmt: str, failed: list[str]) -> None:
        write_text(self.out / "summary.md", summary_md)
        if summary_fmt == "json":
            write_text(self.out / "summary.json", json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=["case", "top_cause", "confidence", "runner_up", "status"])
            writer.writeheader()
            writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
            write_text(self.out / "summary.csv", buffer.getvalue())
        manifest = dict(self.previous)
        for case in failed:  # a case that now fails: its old report is stale
            old = manifest.pop(case, None)
            if old and old not in self.written.values():
                self._remove(old)
        manifest.update(self.written)
        write_text(self.out / MANIFEST, json.dumps({"tool": "rtms-doctor", "reports": manifest}, indent=2) + "\n")

    def _remove(self, name: str) -> None:
        path = self.out / name
        if "/" in name or "\\" in name or name.startswith(".") or _resolved(path) in self.inputs:
            return  # only a plain file name the tool wrote here
        try:
            if path.is_file() and not path.is_symlink():
                path.unlink()
        except OSError:
            pass


def clean_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Summary rows whose text (case names, error messages) is made safe to show."""
    return [{k: one_line(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()
