"""The handshake request an app logs as it sends it: ids that went out undefined, and a
response whose reason was pasted as "..." (shapes/_message)."""
from __future__ import annotations

import pytest

from helpers import read_post


def _facts(tmp_path, kb, text: str) -> dict:
    resolved = read_post(tmp_path, kb, text)
    return resolved.values


@pytest.mark.parametrize("sent", [
    '{"msg_type":1,"protocol_version":1,"sequence":0,"signature":"9f2c"}',
    '{"msg_type":1,"protocol_version":1,"meeting_uuid":null,"rtms_stream_id":"41b2e0","signature":"6fd1"}',
    '{"msg_type":3,"protocol_version":1,"meeting_uuid":"abc==","signature":"6fd1","media_type":1}',
])
def test_a_signed_request_without_its_ids_has_fields_missing(tmp_path, kb, sent):
    assert _facts(tmp_path, kb, f"SIG -> {sent}\n")["handshake.fields_missing"] is True


def test_a_complete_request_says_nothing_about_missing_fields(tmp_path, kb):
    sent = '{"msg_type":1,"protocol_version":1,"meeting_uuid":"abc==","rtms_stream_id":"41b2e0","signature":"6fd1"}'
    assert "handshake.fields_missing" not in _facts(tmp_path, kb, f"SIG -> {sent}\n")


def test_a_reason_pasted_as_dots_is_no_reason(tmp_path, kb):
    facts = _facts(tmp_path, kb, 'SIG <- {"msg_type":2,"protocol_version":1,"status_code":4,"reason":"..."}\n')
    assert facts["handshake.signaling.status_code"] == 4
    assert "handshake.signaling.reason" not in facts
