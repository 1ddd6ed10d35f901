"""TextReader._lines reads each distinct line once and tells the emitter again for its
repeats: the observations and shapes must be those of reading every line."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtms_doctor.ingest.emit import Emitter
from rtms_doctor.ingest.reader import text_reader
from rtms_doctor.ingest.redact import begin_case, redact_text
from rtms_doctor.ingest.text import TYPOGRAPHIC_QUOTES, straighten_quotes

ROOT = Path(__file__).resolve().parents[1]
TEXTS = sorted(ROOT.glob("devset/*/*.log")) + sorted(ROOT.glob("devset/*/*.txt"))[:20]


def observed(em: Emitter) -> tuple[list, list]:
    return [(o.path, o.value, o.source.locator) for o in em.observations], list(em.shapes)


ODD = ("clo\u017fe code 1006\nCloseStatus[code=1001, reason=going away]\nSTATUS_INVALID_SIGNATURE\n"
       "handshake failed, status 3\nstop_reason: 6\nLeft meeting with reason code 5\nonLeave 4\n"
       "onJoinConfirm 0\nJoin confirmed with reason code 0\nfailed to join\nsuccessfully joined\n"
       "rtms | 2026-11-02 10:00 | ERROR | failed to initialize rtms sdk\n\u0130\u0131 plain\nnothing here")


@pytest.mark.parametrize("path", TEXTS + [None], ids=lambda p: p.parent.name + "/" + p.name if p else "odd")
def test_repeated_lines_read_as_every_line(kb, path):
    reader = text_reader(kb)
    begin_case()
    text = redact_text(path.read_text(encoding="utf-8")) if path else ODD
    text = text + "\n" + text + "\nclosed with code 1006\n" + text  # repeats, far apart
    each = Emitter(kb.schema, "x", "log")
    for number, line in enumerate(text.splitlines(), start=1):
        reader._line(line, each, f"line {number}")
    once = Emitter(kb.schema, "x", "log")
    reader._lines(text, once)
    assert observed(once) == observed(each)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\"'\u201c\u201d\u201e\u2033\u00ab\u00bb\u2018\u2019\u201a\u2032\u2026\u00e9")),
               max_size=40))
def test_quotes_straightened_as_the_table_says(text):
    assert straighten_quotes(text) == text.translate(TYPOGRAPHIC_QUOTES)


def test_sdk_texts_are_ascii(kb):
    # _lines looks for them in the lowered line; _line in the lowered message, a part of it
    assert all(text.isascii() for text, _ in text_reader(kb).sdk_texts)
