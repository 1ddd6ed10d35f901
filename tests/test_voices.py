"""A thread pasted as text (engine/ingest/voices.py): the asker's posts are read, everyone
else's lines are blanked, line numbers kept; prose that merely starts like a header is kept."""
from __future__ import annotations

import pytest

from rtms_doctor.ingest import read_case
from rtms_doctor.ingest.voices import blank_other_voices

THREAD = """Title: Failover or not?
Posted by nils_h · Oct 2, 2026
Our first socket is closed five minutes in.

Reply from rtms_tinkerer · Oct 2, 2026
Failovers come with a different server_urls.

Reply from nils_h · Oct 2, 2026
Checked: identical server_urls in all three deliveries."""


@pytest.fixture
def headers(kb):
    policy = kb.signs.policy
    return tuple(policy.thread_opening_headers), tuple(policy.thread_reply_headers)


def test_other_voices_are_blanked_and_the_askers_kept(headers):
    out = blank_other_voices(THREAD, *headers)
    assert len(out.split("\n")) == len(THREAD.split("\n"))  # line numbers kept
    assert "Our first socket is closed" in out and "identical server_urls" in out
    assert "Failovers come with" not in out and "rtms_tinkerer" not in out


@pytest.mark.parametrize("thread,kept,blanked", [
    ("[Thread] 204 but no webhook\n--- original post (dev_kw) ---\nWe call PATCH and get 204.\n"
     "--- reply (someone_else) ---\nAre you sure the host is in the meeting?\n--- reply (dev_kw) ---\n"
     "App 2 has no event subscription.", ["We call PATCH", "App 2 has no event"], ["host is in the meeting"]),
    ("kaito opened this issue on Sep 22, 2026\nThe SDK crashes on join.\nrtms-maintainer commented on Sep 23, 2026\n"
     "Try Node 22.\nkaito commented on Sep 23, 2026\nStill crashes on Node 20.", ["crashes on join", "Still crashes"],
     ["Try Node 22"]),
])
def test_thread_formats(headers, thread, kept, blanked):
    out = blank_other_voices(thread, *headers)
    assert all(k in out for k in kept) and not any(b in out for b in blanked)


@pytest.mark.parametrize("text", [
    "The start call fails.\nResponse (204) comes back at once.\nThen nothing arrives.",
    "We opened a ticket.\nReply from Zoom support was no help.\nOur webhook never fires.",
    "Zoom replied that it is a known bug in 1.0.3.\nWe still see it on 1.0.4.",
    "Single post, no replies.\nPosted by nils_h · Oct 2, 2026",
])
def test_prose_that_looks_like_a_header_is_kept(headers, text):
    assert blank_other_voices(text, *headers) == text


def test_a_repliers_own_setup_is_no_fact_of_the_case(kb, tmp_path):
    post = tmp_path / "thread.txt"
    advice = "Same here: we subscribed to meeting.rtms_started and added the meeting:read:meeting_audio scope."
    post.write_text(advice + "\n", encoding="utf-8")
    assert {"app.events.types", "app.scopes"} <= set(read_case([str(post)], kb)[0].values)  # read alone
    post.write_text(THREAD.replace("Failovers come with a different server_urls.", advice) + "\n", encoding="utf-8")
    values = read_case([str(post)], kb)[0].values
    assert not {"app.events.types", "app.scopes"} & set(values)


def test_headers_are_looked_for_in_the_first_mb_only(headers):
    """Bounded work on a huge paste: a header past MAX_THREAD_CHARS starts no post."""
    from rtms_doctor.ingest.voices import MAX_THREAD_CHARS

    filler = ("log line without any header words\n" * (MAX_THREAD_CHARS // 34 + 10))
    late = THREAD.split("\n", 1)[1]  # the posts, after the title
    text = "Title\n" + filler + late
    assert blank_other_voices(text, *headers) == text
    assert "Failovers come with" not in blank_other_voices("Title\n" + late, *headers)
