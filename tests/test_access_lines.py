"""The endpoint's answers to Zoom's event POSTs from its access log (access_lines.py), and a
repeated body with the same event_ts (aggregate.py)."""
from __future__ import annotations

import json

import pytest

from helpers import read_post


def _facts(tmp_path, kb, text: str) -> dict:
    resolved = read_post(tmp_path, kb, text)
    return resolved.values


@pytest.mark.parametrize("text, ms, status", [
    ("10:02:16.533 POST /webhook 200 5131ms\n10:07:19.455 POST /webhook 200 5335ms\n", 5335, 200),
    ('::ffff:10.0.0.1 - - "POST /zoom/events HTTP/1.1" 200 2 "-" "Zoom Marketplace/1.0" 48.213 ms\n', None, None),
    ("POST /zoom/events 200 48.213 ms - 2\n", 48, 200),
    ("POST /webhook 500 12ms\nPOST /webhook 200 9ms\n", 12, None),
])
def test_the_slowest_answer_and_the_one_status(tmp_path, kb, text, ms, status):
    facts = _facts(tmp_path, kb, text)
    assert facts.get("webhook.response_ms") == ms
    assert facts.get("webhook.response_status") == status


def test_a_body_delivered_again_has_no_interval_of_zero(tmp_path, kb):
    body = {"event": "meeting.rtms_started", "event_ts": 1795600931380,
            "payload": {"meeting_uuid": "b3FAKE==", "rtms_stream_id": "77aa88", "server_urls": "wss://a.example"}}
    text = f"10:02:11 received {json.dumps(body)}\n10:07:14 received {json.dumps(body)}\n"
    facts = _facts(tmp_path, kb, text)
    assert facts["webhook.duplicate_started"] == 1
    assert "webhook.duplicate_interval_s" not in facts
