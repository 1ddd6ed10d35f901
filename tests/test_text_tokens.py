"""Structured tokens read from prose and logs by engine/ingest/text.py."""
from __future__ import annotations

import pytest

from rtms_doctor.ingest import read_case


@pytest.mark.parametrize(("text", "path", "value"), [
    ("we ran `pip install rtms` on the server", "sdk.language", "python"),
    ("$ python3 -m pip install -U rtms", "sdk.language", "python"),
    ("import rtms\nclient = rtms.Client()", "sdk.language", "python"),
    ("npm install @zoom/rtms --save", "sdk.language", "node"),
    ("const rtms = require('@zoom/rtms');", "sdk.language", "node"),
    ("ERROR: No matching distribution found for rtms", "sdk.install_failed", True),
    ("npm ERR! notsup Unsupported platform for @zoom/rtms@1.1.0", "sdk.install_failed", True),
    ("$ node --version\nv18.19.0", "runtime.node_version", "18.19.0"),
    # the Python SDK's version as pip prints it, and as prose writes it
    ("Successfully installed rtms-1.0.2 websockets-12.0", "sdk.version", "1.0.2"),
    ("Processing ./rtms-1.0.4-cp312-cp312-manylinux_2_28_x86_64.whl", "sdk.version", "1.0.4"),
    ("We use the Python SDK (rtms 1.1.0, Python 3.12 on Ubuntu).", "sdk.version", "1.1.0"),
    ("the REST call gives 2308.", "api.error_codes", [2308]),
    # \d is any Unicode digit: the digit prefilter of TextReader._tokens must let this clause through
    ("the API returns HTTP \u0664\u0660\u0663 every time", "api.http_statuses", [403]),
    ("we never receive meeting.rtms_started, no matter what", "stream.started_received", False),
    ("auto-start is not disabled", "settings.auto_start_on", True),
    ("auto-start is disabled", "settings.auto_start_on", False),
    # events listed as subscribed: the subscription is on, unless the text says otherwise
    ("We subscribed to meeting.rtms_started and meeting.rtms_stopped.", "app.events.enabled", True),
    ("App A is subscribed to meeting.rtms_started.\nApp B has no Event Subscription configured at all, the toggle is off.",
     "app.events.enabled", False),
])
def test_token(kb, tmp_path, text, path, value):
    post = tmp_path / "post.txt"
    post.write_text(text, encoding="utf-8")
    facts, _ = read_case([str(post)], kb)
    assert facts.values.get(path) == value


@pytest.mark.parametrize(("text", "path"), [
    ("Server listening on port 3000", "api.error_codes"),
    ("Acme Inc., 2310 Example Avenue, Springfield", "api.error_codes"),
    ("> do you receive meeting.rtms_started?\nNo reply yet.", "stream.started_received"),
    ('[400/13262]: "The app is not authorized. Please add it in the Allow apps to access meeting content setting"',
     "settings.app_in_allow_list"),
])
def test_not_read(kb, tmp_path, text, path):
    post = tmp_path / "post.txt"
    post.write_text(text, encoding="utf-8")
    facts, _ = read_case([str(post)], kb)
    assert path not in facts.values


def test_the_kb_stem_table_is_what_the_stemmer_gives():
    """CompiledSigns.stems (built with the KB, so a cold start stems few words itself) holds
    exactly the stemmer's answer for each word: tokens read the same with or without it."""
    from rtms_doctor.knowledge import tokens as T
    from rtms_doctor.knowledge.load import load_knowledge

    table = load_knowledge().signs.stems
    assert len(table) > 1000
    assert all(T._stem(word) == stemmed for word, stemmed in table.items())
    text = "The webhooks arrived, but nothing was streaming after reconnecting; signatures failed."
    T._KNOWN_STEMS.clear()
    T._KNOWN_FROM.clear()
    without = T.tokens(text)
    T.know_stems(table)
    assert T.tokens(text) == without and "arriv" in {t for t, _, _ in without}


def test_a_quoted_name_reads_as_the_name(kb, tmp_path):
    """Quotes around a short name ("meeting_audio" scope) do not hide it from the phrases; the
    fact's place stays the place written (its negated comma part, its line)."""
    post = tmp_path / "post.txt"
    post.write_text('Auto-start is "on" for our app, but there is not any "rtms" or "meeting_audio" scope.\n',
                    encoding="utf-8")
    facts, _ = read_case([str(post)], kb)
    assert facts.values.get("settings.auto_start_on") is True
    assert facts.values.get("app.rtms_scopes_visible") is False


def test_a_package_manifest_beside_a_post_is_read_for_its_versions(kb, tmp_path):
    """A package.json is no Zoom shape and no case, but its versions are facts of the case."""
    manifest = tmp_path / "package.json"
    manifest.write_text('{"name": "bot", "engines": {"node": ">=22"},\n "dependencies": {"@zoom/rtms": "1.0.2"}}\n',
                        encoding="utf-8")
    facts, reports = read_case([str(manifest)], kb)
    assert facts.values["sdk.version"] == "1.0.2" and facts.values["runtime.node_version"] == "22"
    assert reports[0].kind == "package manifest"
