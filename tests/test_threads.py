"""Whole threads as input (engine/ingest/threads.py, fetch.py): a Discourse topic and a GitHub
issue read as staff read them. The asker's posts are the case (newer wins), other people's
words are context and never facts, quotes are not read twice, usernames never shown, and
`--url` fetches either from a server (here a local one on 127.0.0.1 serving the fixtures)."""
from __future__ import annotations

import copy
import http.server
import json
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from rtms_doctor.errors import InputError
from rtms_doctor.ingest import fetch as fetch_module
from rtms_doctor.ingest import read_case
from rtms_doctor.ingest.threads import html_to_text, parse_thread, thread_kind, _People

from helpers import rtms_doctor

THREADS = Path(__file__).resolve().parent / "fixtures" / "threads"
USERNAMES = ("maria_builds", "hank_helps", "ava_zoom", "Maria B.", "priya-codes", "someone-else", "dan_dev", "otto_ops")


def _top(doctor, names) -> str:  # type: ignore[no-untyped-def]
    diagnosis = doctor.diagnose(read_case(names, doctor.kb)[0])
    shown = [r for r in diagnosis.causes if r.status in ("likely", "possible")]
    return shown[0].cause.id if shown else ""


def _write(tmp_path: Path, name: str, value: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


def _files(resolved, path: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {obs.source.file for obs in resolved.sources.get(path, [])}


# -- Discourse ---------------------------------------------------------------------------------

def test_a_topics_first_post_reads_like_the_same_text_pasted(kb, doctor, tmp_path):
    topic = json.loads((THREADS / "discourse-stop18.json").read_text())
    topic["post_stream"]["posts"] = topic["post_stream"]["posts"][:1]
    only_first = _write(tmp_path, "first.json", topic)
    from_json = read_case([only_first], kb)[0]
    from_text = read_case([str(THREADS / "discourse-stop18.txt")], kb)[0]
    # the HTML became the text a person pastes; the JSON also knows when the topic was opened
    assert {k: v for k, v in from_json.values.items() if k != "case.date"} == from_text.values
    assert from_json.values["case.date"] == topic["post_stream"]["posts"][0]["created_at"][:10]
    assert sorted((m.sign.owner, m.sign.text) for m in from_json.signs) == \
        sorted((m.sign.owner, m.sign.text) for m in from_text.signs)
    assert _top(doctor, [only_first]) == _top(doctor, [str(THREADS / "discourse-stop18.txt")])


def test_the_authors_follow_up_adds_facts_and_others_guesses_do_not(kb, doctor):
    resolved, reports = read_case([str(THREADS / "discourse-stop18.json")], kb)
    # post 3 (the author, answering a guess) says what decides the case
    assert resolved.values["signature.credentials_env"] == "development"
    assert resolved.values["app.installed_environment"] == "production"
    assert _files(resolved, "signature.credentials_env") == {"discourse-stop18.json#post 3"}
    assert _top(doctor, [str(THREADS / "discourse-stop18.json")]) == "signature_credentials_mismatch"
    assert _top(doctor, [str(THREADS / "discourse-stop18.txt")]) != "signature_credentials_mismatch"
    # post 2 (another user) guessed base64, an expired trial, 2310 and close 1006: none is a fact
    for path in ("account.developer_pack", "api.error_codes"):
        assert path not in resolved.values, path
    # the encoding is the asker's own signing code's (post 1, .digest('hex')), not the guess
    assert resolved.values["signature.encoding"] == "hex"
    assert _files(resolved, "signature.encoding") == {"discourse-stop18.json#post 1"}
    assert resolved.values["ws.close_codes"] == [1000]
    # ... nor a sign match: text evidence comes from the author's posts only
    assert {m.file for m in resolved.signs} <= {"discourse-stop18.json#post 1", "discourse-stop18.json#post 3"}
    assert any(m.file.endswith("#post 3") for m in resolved.signs)
    thread = reports[0].thread
    assert thread["asker_posts"] == ["post 1", "post 3"]
    assert thread["context_posts"] == [{"post": "post 2", "by": "other participant #1"},
                                       {"post": "post 4", "by": "other participant #2"}]  # post 5: a small action


def test_a_quote_of_another_post_is_not_read_again(kb):
    topic = json.loads((THREADS / "discourse-stop18.json").read_text())
    thread = parse_thread(topic, thread_kind(topic))
    post3 = next(p for p in thread.posts if p.locator == "post 3")
    assert "base64" not in post3.text and "hex already" in post3.text
    assert "@other participant #1" in post3.text  # a mention, pseudonymised


def test_newer_post_wins_and_the_conflict_is_shown(kb, doctor):
    resolved, _ = read_case([str(THREADS / "discourse-correction.json")], kb)
    assert resolved.values["runtime.node_version"] == "22.3.0"
    [conflict] = [c for c in resolved.conflicts if c.path == "runtime.node_version"]
    assert str(conflict.chosen.source).startswith("discourse-correction.json#post 3")
    assert [(o.value, o.source.file) for o in conflict.others] == [("16.20.2", "discourse-correction.json#post 1")]
    # the other participant's "Node 16 ... upgrade to Node 20" ([quote] and words) is not read
    assert all("#post 2" not in str(o.source) for o in resolved.observations())
    # with Node 16 the old-Node cause led; the correction takes it off the top
    topic = json.loads((THREADS / "discourse-correction.json").read_text())
    first = copy.deepcopy(topic)
    first["post_stream"]["posts"] = first["post_stream"]["posts"][:1]
    before = doctor.diagnose(read_case([("first.json", json.dumps(first))], kb)[0])
    after = doctor.diagnose(resolved)
    status = lambda d: next(r.status for r in d.causes if r.cause.id == "node_version_too_old")  # noqa: E731
    assert status(before) in ("likely", "possible") and status(after) not in ("likely", "possible")


def test_html_becomes_text_with_code_fenced_and_quotes_dropped():
    people = _People()
    people.of("asker")
    html = ('<aside class="quote" data-username="bob"><blockquote><p>use base64</p></blockquote></aside>'
            '<p>We get <code>stop_reason</code> 18.<br>Second line</p>'
            '<pre><code class="lang-json">{"stop_reason": 18}\n</code></pre>'
            '<ul><li>Node 20</li><li>Linux</li></ul><blockquote><p>Zoom says: failed</p></blockquote>'
            '<p><a class="mention" href="/u/bob">@bob</a> thanks <img src="x.png" alt="smile"></p>')
    text = html_to_text(html, people)
    assert "base64" not in text
    assert "We get `stop_reason` 18.\nSecond line" in text
    assert '```\n{"stop_reason": 18}\n```' in text
    assert "- Node 20\n" in text and "- Linux" in text
    assert "> Zoom says: failed" in text
    assert "@other participant #1 thanks" in text and "bob" not in text


def test_deeply_nested_or_odd_html_is_read_without_error(kb):
    deep = "<div>" * 5000 + "stop_reason 18" + "</div>" * 5000
    people = _People()
    assert "stop_reason 18" in html_to_text(deep, people)
    odd = {"post_stream": {"posts": [{"post_number": 1, "username": 7, "cooked": 5},
                                     {"post_number": "x"}, "junk", {"post_number": 2, "cooked": None}]}}
    resolved, reports = read_case([("odd.json", json.dumps(odd))], kb)
    assert reports[0].kind == "Discourse topic" and resolved.values == {}
    link_only = {"post_stream": {"posts": [{"post_number": 1, "username": "a", "cooked": "https://example.com/x"}]}}
    assert read_case([("link.json", json.dumps(link_only))], kb)[0].values == {}  # no warning (errors here)
    actions = {"post_stream": {"posts": [{"post_number": 1, "post_type": 3, "cooked": "<p>closed</p>"}]}}
    with pytest.raises(InputError, match="actions.json: the thread has no posts to read"):
        read_case([("actions.json", json.dumps(actions))], kb)


def test_usernames_are_never_shown(tmp_path):
    for name in ("discourse-stop18.json", "github-2310.json", "discourse-correction.json"):
        for args in (("facts",), ("facts", "--format", "json"), ("diagnose",), ("diagnose", "--format", "json")):
            run = rtms_doctor(*args, str(THREADS / name), env={"RTMS_DOCTOR_CASEBOOK": "off"})
            assert run.code == 0, run.err
            for username in USERNAMES:
                assert username not in run.out, (name, args, username)


def test_the_facts_view_names_the_thread_and_the_posts_read(tmp_path):
    run = rtms_doctor("facts", str(THREADS / "discourse-stop18.json"))
    assert "thread: RTMS stream stops right after it starts, stop\\_reason 18" in run.out
    assert "facts read from the author's post 1, post 3" in run.out
    assert "context, not read as facts: post 2 (other participant #1), post 4 (other participant #2)" in run.out
    assert "`discourse-stop18.json#post 3:line 1`" in run.out
    data = json.loads(rtms_doctor("facts", "--format", "json", str(THREADS / "github-2310.json")).out)
    thread = data["inputs"][0]["thread"]
    assert thread == {"kind": "GitHub issue", "title": "Start call fails with 2310 since this morning",
                      "author": "author", "asker_posts": ["body", "comment 2"],
                      "context_posts": [{"post": "comment 1", "by": "other participant #1"}]}
    # plain inputs keep their facts view exactly as before (no thread key)
    plain = json.loads(rtms_doctor("facts", "--format", "json", str(THREADS / "github-2310.txt")).out)
    assert "thread" not in plain["inputs"][0]


# -- GitHub ------------------------------------------------------------------------------------

def test_a_github_issue_diagnoses_as_its_body_pasted(kb, doctor):
    assert _top(doctor, [str(THREADS / "github-2310.json")]) == _top(doctor, [str(THREADS / "github-2310.txt")]) \
        == "no_developer_pack"
    resolved, _ = read_case([str(THREADS / "github-2310.json")], kb)
    # the author's comment adds facts; the template's instruction comment and the Expected
    # behavior section ("we receive meeting.rtms_started") are not read as what happened
    assert resolved.values["app.type"] == "general"
    assert _files(resolved, "app.type") == {"github-2310.json#comment 2"}
    assert "stream.started_received" not in resolved.values
    assert "meeting.rtms_started" not in resolved.values.get("webhook.received_events", [])
    # another user's outage guess (close 1006, stop_reason 6), quoted again by the author: no fact
    assert "ws.close_codes" not in resolved.values and "stream.stop_reasons" not in resolved.values
    assert {m.file for m in resolved.signs} <= {"github-2310.json#body", "github-2310.json#comment 2"}


def test_recognition_is_strict():
    assert thread_kind({"title": "x", "body": "y", "user": {"login": "u"}, "number": 3}) == "GitHub issue"
    assert thread_kind({"title": "x", "body": "y", "user": {"id": 1}, "number": 3}) is None  # no login
    assert thread_kind({"post_stream": {"posts": []}}) is None
    assert thread_kind([{"post_number": 1}]) is None


# -- --url -------------------------------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes, dict[str, str]]] = {}
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append(self.path)
        status, body, headers = self.routes.get(self.path, (404, b'{"message": "Not Found"}', {}))
        if headers.get("slow"):
            time.sleep(float(headers["slow"]))
        self.send_response(status)
        for key, value in headers.items():
            if key != "slow":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[str]:
    issue = json.loads((THREADS / "github-2310.json").read_text())
    comments = issue["comments"]
    issue["comments"] = len(comments)  # the REST issue carries a count; the comments come apart
    _Handler.routes = {
        "/t/rtms-stream-stops/131313.json": (200, (THREADS / "discourse-stop18.json").read_bytes(), {}),
        "/repos/example-org/rtms-notetaker/issues/57": (200, json.dumps(issue).encode(), {}),
        "/repos/example-org/rtms-notetaker/issues/57/comments?per_page=100": (200, json.dumps(comments).encode(), {}),
        "/t/not-json/1.json": (200, b"<html>login</html>", {}),
        "/t/away/2.json": (302, b"", {"Location": "http://example.com/t/x/2.json"}),
        "/t/huge/3.json": (200, b" " * (fetch_module.MAX_BYTES + 10), {}),
        "/t/slow/4.json": (200, b"{}", {"slow": "1.5"}),
        "/t/other/5.json": (200, b'{"event": "meeting.rtms_started"}', {}),
    }
    _Handler.seen = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_url_fetches_a_topic_and_an_issue_like_the_files(server):
    for url, fixture in ((f"{server}/t/rtms-stream-stops/131313/3", "discourse-stop18.json"),
                         (f"{server}/repos/example-org/rtms-notetaker/issues/57", "github-2310.json")):
        fetched = rtms_doctor("diagnose", "--format", "json", "--url", url, env={"RTMS_DOCTOR_CASEBOOK": "off"})
        from_file = rtms_doctor("diagnose", "--format", "json", str(THREADS / fixture), env={"RTMS_DOCTOR_CASEBOOK": "off"})
        assert fetched.code == 0, fetched.err
        a, b = json.loads(fetched.out), json.loads(from_file.out)
        assert [c["id"] for c in a["causes"][:5]] == [c["id"] for c in b["causes"][:5]]
        assert {f["path"]: f["value"] for f in a["facts"]} == {f["path"]: f["value"] for f in b["facts"]}
    assert "/repos/example-org/rtms-notetaker/issues/57/comments?per_page=100" in _Handler.seen
    facts = rtms_doctor("facts", "--url", f"{server}/t/rtms-stream-stops/131313")
    assert facts.code == 0 and f"127.0.0.1:{server.rsplit(':', 1)[1]}/t/rtms-stream-stops/131313.json#post 3" in facts.out


@pytest.mark.parametrize("path, message", [
    ("/t/missing/9", "HTTP 404"),
    ("/t/not-json/1", "the answer is not JSON"),
    ("/t/away/2", "only https:// addresses are fetched"),
    ("/t/huge/3", "larger than 5 MB"),
    ("/t/other/5", "not a Discourse topic or a GitHub issue"),
    ("/some/page", "not a Discourse topic (/t/...) or a GitHub issue address"),
])
def test_url_failures_are_one_clear_line(server, path, message):
    run = rtms_doctor("diagnose", "--url", server + path)
    assert run.code == 2 and message in run.err, run.err
    assert len(run.err.strip().splitlines()) == 1 and "Traceback" not in run.err


def test_url_offline_plain_http_and_timeouts(server, monkeypatch):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = rtms_doctor("diagnose", "--url", f"http://127.0.0.1:{port}/t/x/1")
    assert run.code == 2 and "cannot reach the server (offline?)" in run.err, run.err
    # plain http leaves this machine never (checked before any connection is made)
    run = rtms_doctor("facts", "--url", "http://devforum.example.com/t/some-topic/123")
    assert run.code == 2 and "only https://" in run.err
    run = rtms_doctor("diagnose", "--url", "https://github.com/o/r/pull/3")
    assert run.code == 2 and "not a GitHub issue address" in run.err
    monkeypatch.setattr(fetch_module, "TIMEOUT_S", 0.5)
    started = time.monotonic()
    with pytest.raises(InputError, match="within"):
        fetch_module.fetch_thread(f"{server}/t/slow/4")
    assert time.monotonic() - started < 1.4


def test_thread_addresses_map_to_their_json():
    assert fetch_module.thread_urls("https://devforum.zoom.us/t/rtms-fails/131313/4?u=x") == \
        ("https://devforum.zoom.us/t/rtms-fails/131313.json", None)
    assert fetch_module.thread_urls("https://github.com/zoom/rtms/issues/92") == \
        ("https://api.github.com/repos/zoom/rtms/issues/92", "https://api.github.com/repos/zoom/rtms/issues/92/comments?per_page=100")
    with pytest.raises(InputError, match="only https"):
        fetch_module.thread_urls("ftp://devforum.zoom.us/t/x/1")
