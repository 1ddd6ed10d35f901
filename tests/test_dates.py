"""The case's date from where a pasted text dates itself (dates.py, values.yaml `dates`)."""
from __future__ import annotations

import pytest

from helpers import read_post
from rtms_doctor.ingest import read_case


def _date(tmp_path, kb, text: str):
    resolved = read_post(tmp_path, kb, text)
    return resolved.values.get("case.date")


@pytest.mark.parametrize("text, date", [
    ("Title: auto-start never happens\n\nPosted Sep 2025.\n\nWe pilot an app ...\n", "2025-09-15"),
    ("Strange one.\n\nwbolt                      Aug 29, 2026\nWe only want transcript text.\n", "2026-08-29"),
    ("From: a@example.com\nDate: Tue, 3 Mar 2026 10:14:00 +0000\nSubject: stop 18\n\nHi\n", "2026-03-03"),
    ("2026-06-02T12:00:04.551Z webhook meeting.rtms_started\n2026-06-02T12:37:19.880Z socket closed code=1006\n",
     "2026-06-02"),
    # a thread: the latest dated header counts
    ("asker   Aug 29, 2026\nIt fails.\n\nhelper   Aug 30, 2026\nTry again.\n", "2026-08-30"),
    ("someone opened this issue on Mar 3, 2026 · 2 comments\n", "2026-03-03"),
])
def test_a_text_dated_where_it_dates_itself(tmp_path, kb, text, date):
    assert _date(tmp_path, kb, text) == date


@pytest.mark.parametrize("text", [
    # prose dates are of releases and changes, not of the failure
    "Since the May 2026 release our stream stops right after the media handshake completes.\n",
    "We read the October 6, 2025 changelog twice and still cannot see which setting we missed here.\n",
    # no year RTMS existed in
    "Posted Jan 1999\n",
])
def test_no_date_from_prose(tmp_path, kb, text):
    assert _date(tmp_path, kb, text) is None


def test_a_thread_is_dated_when_it_was_opened(kb):
    from pathlib import Path

    threads = Path(__file__).parent / "fixtures" / "threads"
    resolved, _ = read_case([str(threads / "discourse-correction.json")], kb)
    assert resolved.values["case.date"] == "2026-11-01"
