"""Start events told in log lines (event_lines.py) and the handler's de-duplication read from
its code (dedupe.py), both from kb/ingest/values.yaml."""
from __future__ import annotations

import pytest

from helpers import read_post


def _facts(tmp_path, kb, text: str) -> dict:
    resolved = read_post(tmp_path, kb, text)
    return resolved.values


FAILOVER_LOG = """\
2026-06-02T12:00:04.551Z webhook meeting.rtms_started stream=9e4a71 server_urls=wss://rtms-a.zoom.example:443
2026-06-02T12:37:19.880Z signaling socket closed code=1006
2026-06-02T12:37:21.402Z webhook meeting.rtms_started stream=9e4a71 server_urls=wss://rtms-b.zoom.example:443
"""

RETRY_LOG = """\
14:10:03 rtms_started 9c1fe2 urls=wss://rtms-a.zoom.example -> connected
14:15:04 duplicate rtms_started for 9c1fe2, ignoring (urls=wss://rtms-a.zoom.example)
"""


def test_two_start_lines_for_one_stream_with_new_urls_are_a_failover(tmp_path, kb):
    facts = _facts(tmp_path, kb, FAILOVER_LOG)
    assert facts["webhook.duplicate_started"] == 1
    assert facts["webhook.duplicates_have_new_server_urls"] is True
    assert facts["webhook.duplicate_interval_s"] == 2236


def test_a_repeat_with_the_same_urls_five_minutes_later_reads_as_a_retry(tmp_path, kb):
    facts = _facts(tmp_path, kb, RETRY_LOG)
    assert facts["webhook.duplicate_started"] == 1
    assert facts["webhook.duplicates_have_new_server_urls"] is False
    assert facts["webhook.duplicate_interval_s"] == 301


@pytest.mark.parametrize("text", [
    # one start line says nothing several bodies would
    "12:00:04 webhook meeting.rtms_started stream=9e4a71 server_urls=wss://rtms-a.zoom.example\n",
    # two streams, one start each
    "12:00:04 meeting.rtms_started stream=aaaa11 server_urls=wss://a.example\n"
    "12:00:09 meeting.rtms_started stream=bbbb22 server_urls=wss://b.example\n",
    # code that handles the event is not a log of it
    "if (event === 'meeting.rtms_started') {\n  log(`rtms_started ${payload.rtms_stream_id} urls=${payload.server_urls}`);\n}\n"
    "if (event === 'meeting.rtms_started') { start(payload) }\n",
])
def test_no_repeat_is_read_where_the_lines_show_none(tmp_path, kb, text):
    assert "webhook.duplicate_started" not in _facts(tmp_path, kb, text)


def test_a_start_line_quoting_a_pasted_body_is_not_counted_twice(tmp_path, kb):
    text = ('{"event": "meeting.rtms_started", "event_ts": 1765011200456, "payload": {"rtms_stream_id": "9e4a71",'
            ' "server_urls": "wss://rtms-a.zoom.example"}}\n'
            "12:00:04 received meeting.rtms_started stream=9e4a71 server_urls=wss://rtms-a.zoom.example\n")
    assert "webhook.duplicate_started" not in _facts(tmp_path, kb, text)


JS_DEDUPE = """\
Our rtms_started handler:
```js
const seen = new Set();
export function onWebhook(body) {
  if (body.event === "meeting.rtms_started") {
    const id = body.payload.rtms_stream_id;
    if (seen.has(id)) { return; }
    seen.add(id);
  }
}
```
"""

PY_DEDUPE_WITH_TIME = """\
on rtms_started:
    key = (payload["rtms_stream_id"], body["event_ts"])
    if key in processed:
        return
"""


@pytest.mark.parametrize("text, key", [
    (JS_DEDUPE, "stream_id"),
    ("rtms_started arrives, then:\n  if (activeStreams.has(payload.rtms_stream_id)) return;\n", "stream_id"),
    ("rtms_started:\n    if stream_id in active_streams:\n        return\n", "stream_id"),
    (PY_DEDUPE_WITH_TIME, "stream_id_and_ts"),
])
def test_the_dedupe_key_is_read_from_the_membership_test(tmp_path, kb, text, key):
    assert _facts(tmp_path, kb, text)["webhook.dedupe_key"] == key


@pytest.mark.parametrize("text", [
    # not about start events
    "if (cache.has(payload.rtms_stream_id)) return cache.get(payload.rtms_stream_id);\n",
    # a membership test on something else
    "rtms_started handler:\n  if (allowed.includes(payload.operator_id)) start();\n",
])
def test_no_dedupe_key_where_no_stream_id_is_tested(tmp_path, kb, text):
    assert "webhook.dedupe_key" not in _facts(tmp_path, kb, text)


def test_an_impossible_date_on_a_start_line_is_no_time(tmp_path, kb):
    text = ("2026-02-30T10:00:00Z meeting.rtms_started stream=ab12cd server_urls=wss://a.example\n"
            "2026-02-30T10:05:00Z meeting.rtms_started stream=ab12cd server_urls=wss://b.example\n")
    facts = _facts(tmp_path, kb, text)
    assert facts["webhook.duplicate_started"] == 1 and "webhook.duplicate_interval_s" not in facts
