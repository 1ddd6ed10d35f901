"""Same input, same bytes out: whatever the hash seed, the KB cache state or the worker count.

Set and dict iteration order depends on PYTHONHASHSEED for strings; a report that changed from
run to run would make diffs, caching and the batch summary useless. `diagnose` is run in its
three output forms for three cases (one of them made of several files) under the seeds 0, 1,
42 and a random one, each with the knowledge-base cache warm (a pickle written under another
seed, then re-hashed on load) and cold (RTMS_DOCTOR_CACHE=off: the KB loaded under this seed).
`batch` must write the same files with one worker and with two.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers import REPO

SEEDS = ["0", "1", "42", "random"]
FORMATS = {"markdown": [], "json": ["--format", "json"], "reply": ["--reply"]}

FORUM_POST = """\
Hi all, our General app (user-managed, not published yet) calls
PATCH https://api.zoom.us/v2/live_meetings/84512345678/rtms_app/status and gets HTTP 400:
[400/13262]: "The app 'Xy7AbCdEfGh' is not authorized to access meeting content."
We subscribed to meeting.rtms_started, meeting.rtms_stopped and webinar.rtms_started, and our
handler listens for meeting.rtms_started. We never receive meeting.rtms_started but we do
receive meeting.started. Scopes: meeting:read:meeting_audio, meeting:read:meeting_transcript,
meeting:read:meeting_chat. Share realtime meeting content with apps is on; auto-start is off.
Node v20.11.1 with @zoom/rtms 1.0.2. Signaling: status_code: 3, reason: 'invalid signature'
Signaling socket closed: CloseStatus[code=1000, reason=Normal close]
We are on a Pro plan without a developer pack. Contact: dev@example.com
"""

MULTI = {
    "hooks.json": json.dumps([
        {"event": "meeting.rtms_started", "event_ts": 1700000000000,
         "payload": {"meeting_uuid": "u1==", "rtms_stream_id": "s1", "server_urls": "wss://a.zoom.us"}},
        {"event": "meeting.rtms_started", "event_ts": 1700000300000,
         "payload": {"meeting_uuid": "u1==", "rtms_stream_id": "s1", "server_urls": "wss://b.zoom.us"}},
        {"event": "meeting.rtms_stopped", "event_ts": 1700000301000,
         "payload": {"object": {"meeting_uuid": "u1==", "rtms_stream_id": "s1", "stop_reason": 6}}},
        {"event": "webinar.rtms_started", "event_ts": 1700000400000,
         "payload": {"webinar_uuid": "w1==", "rtms_stream_id": "s2", "server_urls": "wss://c.zoom.us"}},
    ], indent=2),
    "manifest.json": json.dumps({"manifest": {
        "display_information": {"display_name": "Acme Notetaker (dev)"},
        "oauth_information": {"usage": "ADMIN_MANAGEMENT", "scopes": [
            {"scope": "meeting:read:meeting_audio", "optional": False},
            {"scope": "meeting:read:meeting_video", "optional": True},
            {"scope": "meeting:update:participant_rtms_app_status", "optional": False}]},
        "features": {"products": ["ZOOM_MEETING", "ZOOM_WEBINAR"],
                     "in_client_feature": {"zoom_app_api": {"enable": True, "zoom_app_apis": ["startRTMS", "getMeetingContext"]}},
                     "event_subscription": {"enable": True, "events": [{
                         "event_types": ["meeting.rtms_started", "meeting.rtms_stopped", "rtms.concurrency_limited"],
                         "development_webhook_url": "http://localhost:3000/zoom",
                         "development_event_custom_header": {"custom_header_type": 1}}]}}}}, indent=2),
    "error.json": json.dumps({"code": 4711, "message": "Invalid access token, does not contain scopes:"
                                                      "[meeting:update:participant_rtms_app_status, meeting:read:meeting_audio]."}),
    "sdk.log": "\n".join([
        "client   | 2026-03-01T10:00:00.000Z | INFO  | Joining meeting: u1==",
        "client   | 2026-03-01T10:00:00.200Z | ERROR | Failed to join: u1==",
        "rtms     | 2026-03-01T10:00:00.300Z | WARN  | No CA certificate found, operation may fail",
        '{"timestamp": "2026-03-01T10:00:01Z", "level": "error", "component": "client", "message": "Error joining: Invalid status"}',
        "Signaling Message: {\"msg_type\": 2, \"status_code\": 8, \"reason\": \"duplicate signal request\"}",
    ]) + "\n",
    "case.json": json.dumps({"case_version": 1, "case": {"product": "meeting"},
                             "app": {"management": "user", "scopes": ["zoomapp:inmeeting"]},
                             "runtime": {"node_version": "22.3.0"}}),
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, list[str]]:
    folder = tmp_path_factory.mktemp("determinism")
    (folder / "post.txt").write_text(FORUM_POST, encoding="utf-8")
    multi = folder / "multi"
    multi.mkdir()
    for name, content in MULTI.items():
        (multi / name).write_text(content, encoding="utf-8")
    return {
        "example": [str(REPO / "examples" / "forum-13262.json")],
        "forum_post": [str(folder / "post.txt")],
        "multi_file": [str(multi / name) for name in MULTI],
    }


def _run(args: list[str], seed: str, cache: str) -> tuple[int, bytes, bytes]:
    env = dict(os.environ, PYTHONHASHSEED=seed, RTMS_DOCTOR_CACHE=cache)
    proc = subprocess.run([sys.executable, "-m", "rtms_doctor.cli", *args], capture_output=True,
                          env=env, cwd=REPO, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def outputs(inputs, tmp_path_factory) -> dict[tuple[str, str, str, str], tuple[int, bytes, bytes]]:
    """(case, format, seed, cache) -> (exit, stdout, stderr). The warm cache is written under
    seed 0 first, so the other seeds load a pickle hashed differently from their own."""
    cache = str(tmp_path_factory.mktemp("kbcache"))
    _run(["diagnose", *inputs["example"]], "0", cache)
    jobs = [(case, fmt, seed, mode) for case in inputs for fmt in FORMATS for seed in SEEDS
            for mode in ("warm", "cold") if mode == "warm" or fmt == "json"]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {job: pool.submit(_run, ["diagnose", *inputs[job[0]], *FORMATS[job[1]]], job[2],
                                    cache if job[3] == "warm" else "off") for job in jobs}
        return {job: future.result() for job, future in futures.items()}


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("case", ["example", "forum_post", "multi_file"])
def test_diagnose_is_byte_identical_across_hash_seeds(outputs, case, fmt):
    runs = {(seed, mode): out for (c, f, seed, mode), out in outputs.items() if c == case and f == fmt}
    reference = runs[("0", "warm")]
    assert reference[0] == 0, reference[2].decode()
    assert len(reference[1]) > 200
    for key, run in runs.items():
        assert run[0] == 0, (key, run[2].decode())
        assert run[1] == reference[1], f"{case} {fmt}: output differs under PYTHONHASHSEED={key[0]} ({key[1]} KB cache)"
        assert run[2] == reference[2]


def test_the_cases_exercise_sets_and_conflicts(outputs):
    """The inputs are worth comparing: several list facts, conflicts, ruled-out causes and
    follow-up questions, where an unordered collection would show."""
    report = json.loads(outputs[("multi_file", "json", "0", "warm")][1])
    facts = {f["path"]: f["value"] for f in report["facts"]}
    assert report["conflicts"], "no conflicting facts"
    assert sum(1 for v in facts.values() if isinstance(v, str) and ", " in v) >= 3, "few list facts"
    assert any(c["status"] == "ruled_out" for c in report["causes"])
    assert report["questions"]
    post = json.loads(outputs[("forum_post", "json", "0", "warm")][1])
    assert len(post["facts"]) >= 10


# --- batch: one worker or two, the same files -------------------------------------------------

def _batch_corpus(folder: Path, inputs: dict[str, list[str]]) -> Path:
    corpus = folder / "corpus"
    corpus.mkdir()
    (corpus / "forum-13262.json").write_bytes(Path(inputs["example"][0]).read_bytes())
    (corpus / "post.txt").write_text(FORUM_POST, encoding="utf-8")
    multi = corpus / "multi"
    multi.mkdir()
    for name, content in MULTI.items():
        (multi / name).write_text(content, encoding="utf-8")
    for i, (name, content) in enumerate(MULTI.items()):
        (corpus / f"single-{i}-{name}").write_text(content, encoding="utf-8")
    (corpus / "broken.json").write_text('{"case_version": 1, "app": ', encoding="utf-8")
    (corpus / "empty.txt").write_text("   \n", encoding="utf-8")
    (corpus / "hostile @admin {{ 7*7 }}.txt").write_text("HTTP 400 error 13262 <script>", encoding="utf-8")
    return corpus


@pytest.mark.parametrize("fmt,summary", [("markdown", "csv"), ("json", "json"), ("reply", "csv")])
def test_batch_writes_the_same_files_with_one_or_two_workers(inputs, tmp_path, fmt, summary):
    corpus = _batch_corpus(tmp_path, inputs)
    runs = {}
    for name, jobs, seed in (("serial", "1", "0"), ("parallel", "2", "0"), ("parallel_seed", "2", "42")):
        out = tmp_path / name
        runs[name] = _run(["batch", str(corpus), "--out", str(out), "--format", fmt, "--summary", summary,
                           "--jobs", jobs], seed, "off" if name == "parallel_seed" else "")
        assert runs[name][0] == 2, runs[name][2].decode()  # two cases fail: exit 2, naming them
    serial = {p.relative_to(tmp_path / "serial"): p.read_bytes() for p in (tmp_path / "serial").rglob("*") if p.is_file()}
    # 11 cases, 2 of them unreadable (no report, an error row): 9 reports, the two summaries and
    # the manifest of the files batch wrote
    assert len(serial) == 12 and Path("summary.md") in serial, sorted(map(str, serial))
    for name in ("parallel", "parallel_seed"):
        other = {p.relative_to(tmp_path / name): p.read_bytes() for p in (tmp_path / name).rglob("*") if p.is_file()}
        assert sorted(other) == sorted(serial), f"{name}: different files"
        for path, data in serial.items():
            assert other[path] == data, f"{name}: {path} differs"
    # stderr names the output folder, which differs; the counts must not
    messages = {name: run[2].decode().replace(str(tmp_path / name), "OUT") for name, run in runs.items()}
    assert len(set(messages.values())) == 1, messages
