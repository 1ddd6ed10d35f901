"""`batch` keeps what grows with the number of cases on disk and writes its summaries a piece
at a time (issue 14): what it writes must be byte for byte what the whole-text writers wrote."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtms_doctor import outlet
from rtms_doctor.batch import discover, iter_cases
from rtms_doctor.batch_files import BatchStore, _json_list
from rtms_doctor.ingest.redact import begin_case

# line pieces that come near what clean() matches: across a line break too
PIECES = ["bearer", "Bearer:", "basic", "digest", " ", "\n", "\r\n", "\r", "|", "abc12345678", "Xy9+/=",
          "user", " at ", "at", " dot ", "dot", "[at]", "(dot)", "example", ".com", "com", "-----BEGIN KEY-----",
          "-----END KEY-----", "\x1b[31m", "\x9b", "eyJhbGciOi", "eyJ0eXAiOiJKV1Q.eyJzdWIiOjEyMzQ1.c2lnbmF0dXJl",
          "https://u:p4ss@h.example/x?token=abc", "+1 415 555 0134", "v0=0123456789abcdef0123", "a" * 64,
          "0123456789abcdef" * 4, "x@y.io", "    ", "  \n  ", "\u202e", "\x00", "ｂｅａｒｅｒ", "\t", "…", "\ud800", "status"]


def whole_and_pieces(tmp_path: Path, pieces: list[str], run: int) -> tuple[bytes, bytes]:
    begin_case()
    outlet.write_text(tmp_path / "whole", "".join(pieces))
    begin_case()
    old = outlet._RUN
    outlet._RUN = run
    try:
        outlet.write_pieces(tmp_path / "pieces", lambda: iter(pieces))
    finally:
        outlet._RUN = old
    return (tmp_path / "whole").read_bytes(), (tmp_path / "pieces").read_bytes()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60), st.sampled_from([1, 4, 16, 1 << 16]))
def test_pieces_write_what_the_whole_text_writes(tmp_path_factory, pieces, run):
    tmp_path = tmp_path_factory.mktemp("pieces")
    whole, streamed = whole_and_pieces(tmp_path, pieces, run)
    assert streamed == whole


@pytest.mark.parametrize("text", [
    "case,status\r\nx,error: header bearer\r\nabc12345678xyz,likely\r\n",  # a credential after a break
    "| a | user |\n| at example dot com |\n",
    "| -----BEGIN KEY----- |\n| x |\n| -----END KEY----- |\n",  # PEM across lines: whole text
    "| a |\n| \x1b]0;title |\n| b \x07 |\n",  # a terminal sequence across lines: whole text
    "| abcdef123456789 |\n| later: Bearer abcdef123456789 |\n| x |\n",  # masked later, scrubbed before
    "",
    "no line break at all token=abc",
])
def test_pieces_on_texts_that_reach_across_lines(tmp_path, text):
    lines = text.splitlines(keepends=True)
    whole, streamed = whole_and_pieces(tmp_path, lines, 1)
    assert streamed == whole


@pytest.mark.parametrize("rows", [[], [{"case": "a", "top_cause": "", "confidence": "", "runner_up": "", "status": "x"}],
                                  [{"case": "ü\"\n", "top_cause": "c", "confidence": 0.1234, "runner_up": "d",
                                    "status": "likely"}] * 3])
def test_json_summary_in_pieces(rows):
    assert "".join(_json_list(iter(rows))) == json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def test_cases_in_the_order_discover_gave(tmp_path):
    names = ["b.txt", "a.txt", "A.txt", "é.txt", "z.expect.yaml", ".hidden", "10.txt", "9.txt", "ß.txt", "\u3042.txt"]
    for name in names:
        (tmp_path / name).write_text("RTMS fails with 13262", encoding="utf-8")
    raw = os.fsencode(str(tmp_path)) + b"/\xff\xfe.txt"  # a name that is not UTF-8
    with open(raw, "w", encoding="utf-8") as handle:
        handle.write("x")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "post.txt").write_text("x", encoding="utf-8")
    old = [c for c in _old_discover(tmp_path)]
    store = BatchStore()
    try:
        assert store.add_cases(iter_cases([str(tmp_path)], store.sorted_names)) == len(old)
        assert list(store.cases()) == old
    finally:
        store.close()
    assert discover([str(tmp_path)]) == old


def _old_discover(path: Path):
    from rtms_doctor.batch import CaseInput, _case_files, _expected

    for child in sorted(path.iterdir()):
        if child.name.startswith(".") or child.name.endswith("expect.yaml"):
            continue
        if child.is_dir():
            yield CaseInput(child.name, _case_files(child), *_expected(child))
        else:
            yield CaseInput(child.stem, (str(child),), *_expected(path, child.stem))


def test_store_refuses_two_cases_of_one_name(tmp_path):
    from rtms_doctor.errors import InputError

    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_text("x", encoding="utf-8")
    store = BatchStore()
    try:
        with pytest.raises(InputError, match="two cases share the name same"):
            store.add_cases(iter_cases([str(tmp_path / "x"), str(tmp_path / "y")], store.sorted_names))
    finally:
        store.close()


@pytest.mark.parametrize("text", [
    "x\nAuthorization: Bearer   \n\n      abc123XYZ789\n",  # white space on both sides of the breaks
    "  a Basic:\n\n   \n  abc123XYZ789+/=\n",
    "  write to x  \n   at  \n  example   \n  dot com\n",
    "{\n  \"reports\": {\n    \"a\": \"a.md\",\n    \"b\": \"b.md\"\n  }\n}\n",
    "line" + " " * 60 + "\n" + " " * 60 + "at example dot com\n",
])
def test_pieces_around_indented_lines(tmp_path, text):
    lines = text.splitlines(keepends=True)
    whole, streamed = whole_and_pieces(tmp_path, lines, 1)
    assert streamed == whole


def test_indented_lines_are_written_a_run_at_a_time():
    # a manifest or summary.json: every line indented; runs must still end (memory stays flat)
    lines = ["{\n", '  "reports": {\n'] + [f'    "c{i:06d}": "c{i:06d}.md",\n' for i in range(20000)] + ["  }\n", "}\n"]
    old = outlet._RUN
    outlet._RUN = 4096
    try:
        runs = list(outlet._clean_runs(iter(lines)))
    finally:
        outlet._RUN = old
    assert len(runs) > 50 and max(map(len, runs)) < 3 * 4096


def test_cleaning_many_summary_rows_keeps_memory_bounded():
    """batch cleans its summary rows as one case: the redactor's per-case memo of short texts
    must stop growing long before a 100k-case run's distinct case names fill it."""
    from rtms_doctor.batch_files import clean_rows
    from rtms_doctor.ingest import redact

    begin_case()
    rows = [{"case": f"forum-post-{i:06d}", "top_cause": "no_developer_pack", "confidence": 0.5,
             "runner_up": "", "status": "likely"} for i in range(12_000)]
    cleaned = clean_rows(rows)
    assert cleaned[-1]["case"] == "forum-post-011999"
    memo = redact._MEMO.get()
    held = sum(len(text) + len(out) for (text, _), (out, _, _) in memo[1].items())
    assert len(memo[1]) <= 5_000 and held < 250_000
