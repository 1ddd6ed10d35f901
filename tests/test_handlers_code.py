"""What the app's own msg_type dispatch handles (handlers.py, values.yaml `handlers`)."""
from __future__ import annotations

import pytest

from helpers import read_post


def _facts(tmp_path, kb, text: str) -> dict:
    resolved = read_post(tmp_path, kb, text)
    return resolved.values


NO_KEEPALIVE = """\
ws.on('message', (raw) => {
  const msg = JSON.parse(raw);
  switch (msg.msg_type) {
    case 2: onHandshake(msg); break;
    case 6: onEvent(msg); break;
    case 14: onAudio(msg); break;
  }
});
"""

KEEPALIVE = """\
if msg["msg_type"] == 12:
    ws.send(json.dumps({"msg_type": 13, "timestamp": msg["timestamp"]}))
elif msg["msg_type"] == 14:
    on_audio(msg)
"""

NO_ACK = """\
mediaWs.on('message', (data) => {
  const msg = JSON.parse(data);
  if (msg.msg_type === 4 && msg.status_code === 0) console.log('media handshake ok');
});
"""


def test_a_dispatch_without_a_keepalive_case_does_not_answer(tmp_path, kb):
    assert _facts(tmp_path, kb, NO_KEEPALIVE)["keepalive.answered"] is False


def test_a_keepalive_case_that_sends_13_answers(tmp_path, kb):
    assert _facts(tmp_path, kb, KEEPALIVE)["keepalive.answered"] is True


def test_named_message_types_count_as_their_numbers(tmp_path, kb):
    text = NO_KEEPALIVE.replace("case 6:", "case MsgType.KEEP_ALIVE_REQ: ws.send(resp(MsgType.KEEP_ALIVE_RESP)); break;\n    case 6:")
    assert _facts(tmp_path, kb, text)["keepalive.answered"] is True


def test_acting_on_the_media_answer_without_a_ready_ack_never_sends_it(tmp_path, kb):
    assert _facts(tmp_path, kb, NO_ACK)["handshake.client_ready_ack"] == "not_sent"


@pytest.mark.parametrize("text", [
    NO_ACK + "\nsignalingWs.send(JSON.stringify({ msg_type: 7, rtms_stream_id }));\n",
    NO_ACK + "\nthen we send CLIENT_READY_ACK on the signaling socket\n",
])
def test_a_ready_ack_anywhere_in_the_text_counts(tmp_path, kb, text):
    assert "handshake.client_ready_ack" not in _facts(tmp_path, kb, text) or \
        _facts(tmp_path, kb, text)["handshake.client_ready_ack"] != "not_sent"


def test_one_comparison_is_no_handler(tmp_path, kb):
    assert "keepalive.answered" not in _facts(tmp_path, kb, "if (msg.msg_type === 2) onHandshake(msg);\n")
