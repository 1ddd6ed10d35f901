"""key = value pairs read wherever they stand (kb/ingest/values.yaml, engine/ingest/values.py)."""
from __future__ import annotations

import pytest

from rtms_doctor.ingest import read_case


def _facts(tmp_path, kb, text: str) -> dict:
    post = tmp_path / "post.txt"
    post.write_text(text, encoding="utf-8")
    resolved, _ = read_case([str(post)], kb)
    return resolved.values


@pytest.mark.parametrize("text, path, value", [
    ("MEDIA = AUDIO | TRANSCRIPT  # 9\n", "handshake.media_type", 9),
    ("media_types=rtms.MediaType.AUDIO + rtms.MediaType.CHAT\n", "handshake.media_type", 17),
    ('const params = { "media_type": 32 }\n', "handshake.media_type", 32),
    ("audio: {sampleRate: AudioSampleRate.SR_48K}\n", "handshake.audio.sample_rate", 3),
    ('{"sample_rate": 16000}\n', "handshake.audio.sample_rate", 16000),  # kept as written
    ("codec = OPUS\n", "handshake.audio.codec", 4),
    ("SEND_RATE=25\n", "handshake.audio.send_rate", 25),
    ("frameSize: 640, duration: 20\n", "sdk.audio_frame_size", 640),
    ("rtms==1.0.2\nrequests==2.31.0\n", "sdk.version", "1.0.2"),
    ('  "@zoom/rtms": "^1.0.3",\n', "sdk.version", "1.0.3"),
    ("FROM python:3.9-slim\n", "runtime.python_version", "3.9"),
    ("FROM node:20-alpine\n", "runtime.node_version", "20"),
    # the value leads, prose follows
    ("i put media_type = 16 in the data handshake\n", "handshake.media_type", 16),
    ("media_type: audio and video, nothing else\n", "handshake.media_type", 3),
    ("sample_rate: 3 but I hear noise\n", "handshake.audio.sample_rate", 3),
    ("Our handshake asks for audio+video+transcript (media_type 11).\n", "handshake.media_type", 11),
])
def test_a_pair_becomes_its_fact(tmp_path, kb, text, path, value):
    assert _facts(tmp_path, kb, text).get(path) == value


@pytest.mark.parametrize("text, path", [
    ("media = await fetch(url)\n", "handshake.media_type"),  # not a media type value
    ("rtms = RTMSClient()\n", "sdk.version"),  # an assignment, not a pin
    ("codec = pick_codec(stream)\n", "handshake.audio.codec"),
    ("FROM python\n", "runtime.python_version"),
    ("media: we get nothing at all\n", "handshake.media_type"),
    ("codec: whatever the SDK picks\n", "handshake.audio.codec"),
    ("rtms = 1.0.2 crashes\n", "sdk.version"),  # `rtms = ...` is an assignment, not a pin
    ("the media type 16 arrives\n", "handshake.media_type"),
])
def test_a_pair_that_is_no_value_gives_nothing(tmp_path, kb, text, path):
    assert path not in _facts(tmp_path, kb, text)


def test_a_less_precise_pair_does_not_contradict_the_post(tmp_path, kb):
    facts = _facts(tmp_path, kb, "We run python 3.12.4 in the image python:3.12-alpine.\n")
    assert facts["runtime.python_version"] == "3.12.4"


@pytest.mark.parametrize("text, present, absent", [
    ("client.setVideoParams({\n  contentType: rtms.VideoContentType.RAW_VIDEO,\n  codec: rtms.VideoCodec.H264,\n"
     "  dataOpt: rtms.VideoDataOption.VIDEO_SINGLE_ACTIVE_STREAM,\n  fps: 30,\n});\n",
     {"handshake.video.codec": 7, "handshake.video.data_opt": 3, "handshake.video.fps": 30},
     ["handshake.audio.content_type", "handshake.audio.codec", "handshake.audio.data_opt"]),
    ("media >> data handshake media_type=11 video={content_type:3,codec:7,data_opt:3,fps:25}\n",
     {"handshake.video.codec": 7, "handshake.media_type": 11}, ["handshake.audio.codec", "handshake.audio.content_type"]),
    ('params = {"audio": {"codec": 1, "content_type": 2}, "video": {"codec": 7}}\n',
     {"handshake.audio.codec": 1, "handshake.audio.content_type": 2, "handshake.video.codec": 7}, []),
    ("codec = OPUS\ndata_opt = 2\n", {"handshake.audio.codec": 4, "handshake.audio.data_opt": 2}, ["handshake.video.codec"]),
    # the transcript's parameters are no medium's audio
    ('"media_params": {\n  "transcript": { "content_type": 5 }\n}\n', {}, ["handshake.audio.content_type"]),
])
def test_a_pair_is_read_for_the_medium_whose_parameters_it_sets(tmp_path, kb, text, present, absent):
    """Audio and video share key names (codec, content_type, data_opt): a pair inside video's
    parameters, or naming a Video enum, is never read as audio's."""
    facts = _facts(tmp_path, kb, text)
    assert {path: facts.get(path) for path in present} == present
    assert not set(absent) & set(facts)
