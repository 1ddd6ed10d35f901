"""Which id the handler takes from the webhook payload, read from its code (payload_reads.py,
kb/ingest/values.yaml `payload_reads`)."""
from __future__ import annotations

import pytest

from helpers import read_post


def _read(tmp_path, kb, text: str):
    resolved = read_post(tmp_path, kb, text)
    return resolved.values.get("webhook.id_field_read")


@pytest.mark.parametrize("text, field", [
    ("const p = body.payload;\nreturn { instanceId: p.meeting_uuid ?? p.object?.meeting_uuid };\n", "meeting_uuid"),
    ("uuid = data['payload']['webinar_uuid']\n", "webinar_uuid"),
    ("sid = event.payload.get('session_id')\n", "session_id"),
    ("const { meeting_id, rtms_stream_id } = req.body.payload;\n", "meeting_id"),
    ("join(payload.object.engagement_id, payload.object.rtms_stream_id)\n", "engagement_id"),
])
def test_the_id_the_code_takes_from_the_payload(tmp_path, kb, text, field):
    assert _read(tmp_path, kb, text) == field


@pytest.mark.parametrize("text", [
    # two ids: the code handles two products, which one failed cannot be told
    "const id = payload.meeting_uuid || payload.webinar_uuid;\n",
    # a pasted body names its fields; it does not read them
    '{"event": "meeting.rtms_started", "payload": {"meeting_uuid": "abc==", "rtms_stream_id": "x1"}}\n',
    # another object's field of the same name
    "const id = meeting.meeting_id;\n",
])
def test_no_id_read_where_the_code_does_not_say_one(tmp_path, kb, text):
    assert _read(tmp_path, kb, text) is None
