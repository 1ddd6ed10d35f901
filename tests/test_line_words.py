"""TextReader._line tries each pattern only on a line holding the words its matches hold: what
it reads must be what trying every pattern on every line reads, on lines built to trip the
word tests (mixed case, the Kelvin sign, letters (?i) folds onto i and s, words apart)."""
from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtms_doctor.ingest import text as T
from rtms_doctor.ingest.emit import Emitter
from rtms_doctor.ingest.reader import text_reader


def _line_every_pattern(reader, line, em, loc):  # type: ignore[no-untyped-def]
    """_line as it read before the word tests: every pattern on every line."""
    match = T._PROGRESSIVE.match(line)
    if match:
        em.saw("SDK log (progressive)")
        reader.log_message(match.group(3), em, loc)
    else:
        reader.log_message(line, em, loc, bare=True)
    for pattern in T._CLOSE:
        m = pattern.search(line)
        if m and 1000 <= int(m.group(1)) <= 4999:
            em.saw("WebSocket close line")
            em.add("ws.close_codes", [int(m.group(1))], loc)
            if m.lastindex and m.lastindex >= 2 and m.group(2):
                em.add("ws.close_reason", m.group(2).strip().rstrip("]").strip(), loc)
            break
    status = T._STATUS.search(line)
    named = T._STATUS_NAME.search(line) if reader.status_names else None
    if status or named:
        side = "media" if re.search(r"\bmedia\b|\bdata hand|msg_type\W{0,3}4\b", line, re.I) else "signaling"
        if status:
            em.add(f"handshake.{side}.status_code", int(status.group(1) or status.group(2)), loc)
        reason = T._REASON.search(line)
        if reason and any(c.isalnum() for c in reason.group(1)):  # not "..." pasted for it
            em.add(f"handshake.{side}.reason", reason.group(1), loc)
        elif named and named.group(0) in reader.status_names:
            code, text = reader.status_names[named.group(0)]
            if not status:
                em.add(f"handshake.{side}.status_code", code, loc)
            em.add(f"handshake.{side}.reason", text, loc)
    for m in T._STOP.finditer(line):
        value = m.group(1) or m.group(2)
        if value and 0 <= int(value) <= 26:
            em.add("stream.stop_reasons", [int(value)], loc)
    for m in T._LEFT.finditer(line):
        if 0 <= int(m.group(1)) <= 26:
            em.add("stream.stop_reasons", [int(m.group(1))], loc)
    join = T._JOIN_CONFIRM.search(line)
    if join:
        em.add("sdk.join_confirm_reason", int(join.group(1)), loc)


PIECES = ["CloseStatus[code=", "1006", "1000", "4001", ", reason=", "going away", "]", "closed", "Closing", "close",
          "CLOSED", "clo", "se", "code", "Code=", ":", "=", " ", "  ", "|", " | ", "ERROR", "INFO", "rtms", "worker",
          "2026-11-02 10:00:00", "status", "STATUS_CODE", "status_code", "Status ", "handshake", "STATUS_INVALID_SIGNATURE",
          "reason", "Reason", '"', "'", "invalid sig", "stop_reason", "stop reason", "reason code: 5", "left",
          "Left meeting with reason code", "onLeave", "ONLEAVE", "onJoinConfirm", "Join confirmed with reason code",
          "join", "-1", "0", "3", "12", "media", "MEDIA", "data handler", "msg_type", "msg_type\": 4", "4",
          "\u212a", "\u0131", "\u017f", "\u0130", "clo\u017fed", "\u017ftatus", "j\u0131oin", "med\u0131a", "le\u017ft",
          "failed to join", "successfully joined", "é", "\t"]


def _both(kb, line):  # type: ignore[no-untyped-def]
    reader = text_reader(kb)
    out = []
    for read in (lambda em: reader._line(line, em, "l"), lambda em: _line_every_pattern(reader, line, em, "l")):
        em = Emitter(kb.schema, "x", "log")
        read(em)
        out.append(([(o.path, o.value, o.source.locator) for o in em.observations], list(em.shapes)))
    return out


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=24))
def test_line_words_read_what_every_pattern_reads(kb, pieces):
    gated, every = _both(kb, "".join(pieces))
    assert gated == every


def test_line_words_on_random_lines(kb):
    rng = random.Random(14)
    for _ in range(2000):
        line = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 16)))
        gated, every = _both(kb, line)
        assert gated == every, line


@pytest.mark.parametrize("line", [
    "CloseStatus[code=1006, reason=abnormal]", "websocket clo\u017fed code 1006", "con\u212aection closed 4001",
    "handshake failed, \u017ftatus 3", "status_code: 12 reason: \"invalid signature\" media", "STATUS_INVALID_SIGNATURE",
    "le\u017ft meeting with reason code 5", "Left meeting with reason code 5", "onLeave 4", "onJoinConfirm 0",
    "J\u0130oin confirmed with reason code 0", "stop_reason=6", "reason code: 3 and they left",
    "rtms | 2026-11-02 10:00 | ERROR | handshake status 3 msg_type 4",
])
def test_line_words_on_edges(kb, line):
    gated, every = _both(kb, line)
    assert gated == every
