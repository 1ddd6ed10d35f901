"""Blocking work inside the SDK's media callbacks, read from their code (callbacks.py)."""
from __future__ import annotations

import pytest

from helpers import read_post


def _blocks(tmp_path, kb, text: str):
    resolved = read_post(tmp_path, kb, text)
    return resolved.values.get("keepalive.callbacks_block_loop")


@pytest.mark.parametrize("text", [
    "@client.onAudioData\ndef on_audio(data, size, timestamp, metadata):\n    text = model.transcribe(data)\n",
    "def on_transcript(msg):\n    requests.post(URL, json=msg)\n",
    "client.onAudioData((data) => {\n  const out = execSync(`whisper ${f}`);\n});\n",
])
def test_blocking_work_in_a_media_callback(tmp_path, kb, text):
    assert _blocks(tmp_path, kb, text) is True


@pytest.mark.parametrize("text", [
    # the callback hands the work off; the blocking call is in another function
    "def on_audio(data):\n    queue.put(data)\n\ndef save():\n    open('x.wav', 'wb').write(b)\n",
    # commented out
    "def on_audio(data):\n    # model.transcribe(data)\n    queue.put(data)\n",
])
def test_no_blocking_work_where_the_callback_does_none(tmp_path, kb, text):
    assert _blocks(tmp_path, kb, text) is None
