"""Every route of `rtms-doctor serve`, in process (Starlette's TestClient on the real app).

The page must show what the CLI computes (the API answers exactly `diagnose --format json`),
answer questions with the questionnaire's Session, keep nothing, and be safe: security
headers, no inline script, 400/413 with a clear message (never a traceback), the token off
loopback, the injection corpus inert and the planted secrets absent from every answer.
"""
from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from helpers import REPO, rtms_doctor
from test_injection import INJECTIONS, MARK, _vehicles, assert_reply_clean
from test_redaction import INPUTS as SECRET_INPUTS
from test_redaction import PLANTED, SECRETS, _probe

from rtms_doctor.ingest import read_case
from rtms_doctor.output.render import Renderer
from rtms_doctor.reasoning.questionnaire import Session
from rtms_doctor.web.app import create_app
from rtms_doctor.web.security import MAX_BODY_BYTES

EXAMPLE = REPO / "examples" / "forum-13262.json"
POST = REPO / "devset" / "001-flagship-13262-toggles-on" / "post.txt"
LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client(kb, doctor):
    with TestClient(create_app(kb, doctor), base_url=LOCAL) as c:
        yield c


# -- reading pages as a browser would ------------------------------------------------------------
class Page(HTMLParser):
    """Tags, attributes, text by element id, the hidden state and the questions of a page."""

    def __init__(self, body: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self.feed(body)

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag not in ("input", "meta", "link", "br", "img"):
            self._open.append((tag, attributes.get("id")))
            if attributes.get("id"):
                self.text_by_id.setdefault(attributes["id"], "")

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        while self._open:
            name, _ = self._open.pop()
            if name == tag:
                break

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        for _, element_id in self._open:
            if element_id:
                self.text_by_id[element_id] += data

    def values(self, name: str) -> list[str]:
        return [a.get("value", "") for t, a in self.tags if t in ("input", "button") and a.get("name") == name]

    @property
    def state(self) -> str:
        return self.values("state")[0]

    @property
    def question_paths(self) -> list[str]:
        return [a["data-path"] for t, a in self.tags if t == "form" and "data-path" in a]

    def differential(self) -> list[str]:
        return [a["data-cause"] for t, a in self.tags if t == "tr" and "data-cause" in a]


ALLOWED_TAGS = {"html", "head", "meta", "title", "link", "script", "body", "header", "nav", "a", "main", "footer",
                "section", "form", "input", "label", "textarea", "div", "ul", "ol", "li", "button", "p", "strong",
                "span", "h1", "h2", "h3", "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "em",
                "details", "summary", "aside", "select", "option"}


def assert_page_safe(body: str) -> Page:
    """Only the page's own markup: known tags, no event handler or inline style, scripts only
    from /static, links only to this server or the KB's references."""
    page = Page(body)
    for tag, attrs in page.tags:
        assert tag in ALLOWED_TAGS, f"unexpected <{tag}> in the page"
        assert not [a for a in attrs if a.startswith("on") or a in ("style", "srcdoc", "formaction") and
                    not (a == "formaction" and attrs[a] == "/download/case.json")], (tag, attrs)
        if tag == "script":
            assert attrs.get("src") == "/static/page.js"
        for attr in ("href", "action", "src"):
            if attr in attrs:
                assert not re.search(r"(?i)javascript:|evil", attrs[attr]), (tag, attrs)
    assert not re.search(r"<script(?![^>]*\bsrc=)", body), "inline script"
    return page


def assert_templates_not_evaluated(text: str) -> None:
    """What evaluating the corpus's templates would print (test_injection's own check also
    wants `__mro__` only as written, but an upload's name has its braces made safe)."""
    assert not re.search(MARK + r"\d\d\W{0,3}49\b", text), "{{ 7*7 }} was evaluated"
    assert "xxxxxxxxxx" not in text, "{% for %} was evaluated"
    assert "<class '" not in text, "{{ ''.__class__ }} was evaluated"


def diagnose_form(client: TestClient, text: str = "", files: list[tuple[str, bytes]] = ()):  # type: ignore[no-untyped-def]
    data = {"action": "diagnose", "text": text}
    upload = [("files", (name, content)) for name, content in files] or [("files", ("", b""))]
    return client.post("/", data=data, files=upload)


# -- the page --------------------------------------------------------------------------------------
def test_index_has_the_form_and_the_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    page = assert_page_safe(response.text)
    assert ("textarea", {"id": "text", "name": "text", "rows": "10", "spellcheck": "false",
                         "placeholder": "Title: RTMS Error 13262 ..."}) in page.tags
    assert any(t == "input" and a.get("type") == "file" and "multiple" in a for t, a in page.tags)
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert "server" not in headers


def test_static_files(client):
    js = client.get("/static/page.js")
    css = client.get("/static/page.css")
    assert js.status_code == css.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript") and "clipboard" in js.text
    assert css.headers["content-type"].startswith("text/css")
    assert "innerHTML" not in js.text and "eval(" not in js.text
    assert "http" not in css.text  # no external asset
    assert client.get("/static/other.js").status_code == 404
    assert client.get("/favicon.ico").status_code == 204


def test_pasted_example_gives_the_cli_diagnosis(client, kb, doctor):
    response = diagnose_form(client, EXAMPLE.read_text(encoding="utf-8"))
    assert response.status_code == 200
    page = assert_page_safe(response.text)
    facts, _ = read_case([str(EXAMPLE)], kb)
    diagnosis = doctor.diagnose(facts)
    cli = json.loads(Renderer(kb).json(diagnosis))
    top = cli["causes"][0]
    assert top["title"] in page.text_by_id["leading"]
    shown = [c["id"] for c in cli["causes"] if c["status"] != "ruled_out"][:len(page.differential())]
    assert page.differential() == shown
    assert page.text_by_id["reply"] == Renderer(kb).reply(diagnosis)
    for section in ("ruled-out", "unchecked", "questions", "downloads", f"cause-{top['id']}"):
        assert section in page.text_by_id, section
    assert "settings.app_in_allow_list" in page.text_by_id["ruled-out"]
    assert page.question_paths, "follow-up questions as forms"


def test_a_pasted_post_reads_like_the_cli(client, kb, doctor):
    """Text evidence (the post's words) is kept on the page, and through an answer."""
    response = diagnose_form(client, POST.read_text(encoding="utf-8"))
    page = Page(response.text)
    facts, _ = read_case([str(POST)], kb)
    expected = [r.cause.id for r in doctor.diagnose(facts).causes if r.status != "ruled_out"]
    assert page.differential() == expected[:len(page.differential())]
    assert "text_signs" in response.text


def _answer(client, page: Page, path: str, answer: str):  # type: ignore[no-untyped-def]
    return client.post("/", data={"state": page.state, "action": "answer", "path": path, "answer": answer})


def test_answering_a_question_reranks_as_the_questionnaire_does(client, kb, doctor):
    first = Page(diagnose_form(client, EXAMPLE.read_text(encoding="utf-8")).text)
    path = first.question_paths[0]
    assert path == "account.developer_pack"
    answered = _answer(client, first, path, "paid_active")
    assert answered.status_code == 200
    second = assert_page_safe(answered.text)
    assert second.differential() != first.differential(), "the answer changed nothing"
    assert first.differential()[0] == "no_developer_pack"
    assert "no_developer_pack" not in second.differential()[:3]
    # the same as the CLI's questionnaire given the same answer
    session = Session(doctor, read_case([str(EXAMPLE)], kb)[0].observations())
    session.answer(path, "paid_active")
    expected = [r.cause.id for r in session.diagnosis().causes if r.status != "ruled_out"]
    assert second.differential() == expected[:len(second.differential())]
    assert "paid_active" in second.text_by_id["questions"]
    assert path not in second.question_paths
    # don't know: never asked again; back: as before
    third = Page(_answer(client, second, second.question_paths[0], "?").text)
    assert second.question_paths[0] not in third.question_paths
    back = Page(client.post("/", data={"state": third.state, "action": "back"}).text)
    back_again = Page(client.post("/", data={"state": back.state, "action": "back"}).text)
    assert back.differential() == second.differential()
    assert back_again.differential() == first.differential()


def test_free_text_answer(client):
    first = Page(diagnose_form(client, EXAMPLE.read_text(encoding="utf-8")).text)
    response = client.post("/", data={"state": first.state, "action": "answer", "path": "sdk.version",
                                      "answer_text": "1.2.3"})
    assert response.status_code == 200
    assert "1.2.3" in Page(response.text).text_by_id["questions"]


def test_a_wrong_answer_is_a_clear_400_that_keeps_the_case(client):
    first = Page(diagnose_form(client, EXAMPLE.read_text(encoding="utf-8")).text)
    response = _answer(client, first, "account.developer_pack", "lots")
    assert response.status_code == 400
    page = Page(response.text)
    assert "choose one of" in page.text_by_id["error"]
    assert page.differential() == first.differential()


@pytest.mark.parametrize("state", ["", "{", "[]", '{"v": 1, "observations": [["no.such.fact", 1, "f", "", "case"]]}',
                                   '{"v": 1, "observations": [["account.developer_pack", "lots", "f", "", "case"]]}',
                                   '{"v": 1, "signs": [["x", "say", "made up", "f", 1]]}',
                                   '{"v": 1, "answers": [["account.developer_pack", "lots"]]}',
                                   '{"v": 1, "observations": [["app.name", "x", "f", "", "admin"]]}'])
def test_a_damaged_carried_case_is_a_clear_400(client, state):
    for action in ("answer", "back"):
        response = client.post("/", data={"state": state, "action": action, "path": "account.plan", "answer": "pro"})
        assert response.status_code == 400
        assert "carried case" in Page(response.text).text_by_id["error"]
        assert "Traceback" not in response.text
    response = client.post("/download/case.json", data={"state": state})
    assert response.status_code == 400


def test_bad_input_is_a_clear_400(client):
    empty = diagnose_form(client, "   ")
    assert empty.status_code == 400 and "paste a post" in Page(empty.text).text_by_id["error"]
    broken = diagnose_form(client, files=[("app.json", b'{"app": [1, 2')])
    assert broken.status_code == 400
    assert "app.json: malformed JSON" in Page(broken.text).text_by_id["error"]
    unknown = client.post("/", data={"state": "{}", "action": "launch"})
    assert unknown.status_code == 400
    api = client.post("/api/diagnose", content=b"")
    assert api.status_code == 400 and "error" in api.json()
    assert client.post("/api/diagnose", content=b'{"case_version": 1, "nope": 1}').status_code == 400
    for response in (empty, broken, unknown, api):
        assert "Traceback" not in response.text


def test_more_than_ten_megabytes_is_413(client):
    big = b"x" * (MAX_BODY_BYTES + 1)
    response = client.post("/api/diagnose", content=big)
    assert response.status_code == 413 and "10 MB" in response.json()["error"]
    page = diagnose_form(client, files=[("big.log", big)])
    assert page.status_code == 413 and "10 MB" in page.text
    assert "content-security-policy" in page.headers

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(11):
            yield b"y" * (1024 * 1024)

    assert client.post("/api/diagnose", content=chunks()).status_code == 413


def test_files_merge_into_one_case_as_on_the_cli(client, tmp_path):
    case = REPO / "devset" / "002-2310-trial-expired-email"
    files = sorted(p for p in case.iterdir() if p.name != "expect.yaml")
    if len(files) < 2:
        files = [POST, EXAMPLE]
    cli = rtms_doctor("diagnose", *map(str, files), "--format", "json")
    assert cli.code == 0, cli.err
    api = client.post("/api/diagnose", files=[("files", (p.name, p.read_bytes())) for p in files])
    assert api.status_code == 200 and api.headers["content-type"].startswith("application/json")
    assert api.text == cli.out, "the API answers exactly `diagnose --format json`"
    page = Page(diagnose_form(client, files=[(p.name, p.read_bytes()) for p in files]).text)
    expected = [c["id"] for c in json.loads(cli.out)["causes"] if c["status"] != "ruled_out"]
    assert page.differential() == expected[:len(page.differential())]
    for p in files:
        assert p.name in page.text_by_id["facts"]


def test_api_diagnose_raw_body_and_facts(client, tmp_path):
    body = tmp_path / "body"
    body.write_bytes(POST.read_bytes())
    cli = rtms_doctor("diagnose", str(body), "--format", "json")
    api = client.post("/api/diagnose", content=POST.read_bytes(), headers={"content-type": "text/plain"})
    assert api.text == cli.out
    facts_cli = rtms_doctor("facts", str(body), "--format", "json")
    facts_api = client.post("/api/facts", content=POST.read_bytes())
    assert facts_api.text == facts_cli.out


def test_downloads(client, kb, doctor, tmp_path):
    first = Page(diagnose_form(client, EXAMPLE.read_text(encoding="utf-8")).text)
    page = Page(_answer(client, first, "account.developer_pack", "paid_active").text)
    report = client.post("/download/report.json", data={"state": page.state})
    assert report.status_code == 200
    assert report.headers["content-disposition"] == 'attachment; filename="rtms-doctor-report.json"'
    data = report.json()
    assert data["schema"] == "rtms-doctor/diagnosis/v1"
    assert [c["id"] for c in data["causes"] if c["status"] != "ruled_out"][:5] == page.differential()[:5]
    case = client.post("/download/case.json", data={"state": page.state})
    assert case.headers["content-disposition"] == 'attachment; filename="rtms-doctor-case.json"'
    saved = tmp_path / "case.json"
    saved.write_text(case.text, encoding="utf-8")
    assert case.json()["account"]["developer_pack"] == "paid_active"
    again = rtms_doctor("diagnose", str(saved), "--format", "json")  # `ask --save` output reads back
    assert again.code == 0, again.err
    assert [c["id"] for c in json.loads(again.out)["causes"]][:3] == [c["id"] for c in data["causes"]][:3]
    assert client.post("/download/other.json", data={"state": page.state}).status_code == 404


def test_explain(client):
    page = client.get("/explain", params={"code": "stop_reason 18"})
    assert page.status_code == 200
    parsed = assert_page_safe(page.text)
    assert "STOP_BC_AUTHENTICATION_FAILURE" in parsed.text_by_id["readings"]
    assert "signature" in parsed.text_by_id["causes"]
    assert client.get("/explain").status_code == 200
    bad = client.get("/explain", params={"code": "<script>alert(1)</script>"})
    assert bad.status_code == 400 and "<script>alert" not in bad.text
    assert "no code" in Page(bad.text).text_by_id["error"]
    api = client.get("/api/explain", params={"code": "2310"})
    assert api.status_code == 200 and api.json()["readings"] and api.json()["causes"]
    assert client.post("/api/explain", json={"code": "status 3"}).json()["readings"][0]["name"]
    assert client.post("/api/explain", data={"code": "close 1000"}).status_code == 200
    assert client.post("/api/explain", json={"code": "zz 99"}).status_code == 400
    assert client.post("/api/explain", content=b"not json").status_code == 400


def test_kb_pages(client, kb):
    listing = client.get("/kb")
    assert listing.status_code == 200
    assert_page_safe(listing.text)
    for cause in kb.causes.values():
        assert f'href="/kb/{cause.id}"' in listing.text
    cause_id = "no_developer_pack"
    page = client.get(f"/kb/{cause_id}")
    parsed = assert_page_safe(page.text)
    assert kb.causes[cause_id].title in parsed.text_by_id["cause-title"]
    for rule in kb.rules_for(cause_id):
        assert rule.id in parsed.text_by_id["rules"]
    assert kb.causes[cause_id].references[0].title in parsed.text_by_id["references"]
    missing = client.get("/kb/no_such_cause")
    assert missing.status_code == 404 and "no cause" in missing.text and "Traceback" not in missing.text
    cli = rtms_doctor("kb", "list", "--format", "json")
    assert client.get("/api/kb").json() == json.loads(cli.out)
    assert client.get(f"/api/kb/{cause_id}").json()["cause"]["id"] == cause_id
    assert client.get("/api/kb/nope").status_code == 404


def test_lint(client):
    page = client.get("/lint")
    assert page.status_code == 200
    assert Page(page.text).text_by_id["lint-state"].startswith("lint: ok")
    assert client.get("/api/lint").json()["ok"] is True


def test_unknown_route_and_method(client):
    for response in (client.get("/nope"), client.put("/"), client.get("/api/diagnose")):
        assert response.status_code in (404, 405)
        assert "Traceback" not in response.text
        assert "content-security-policy" in response.headers


# -- who may ask -----------------------------------------------------------------------------------
def test_loopback_app_answers_loopback_names_only(client):
    assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200
    assert client.get("/", headers={"host": "[::1]:8765"}).status_code == 200
    rebound = client.get("/", headers={"host": "attacker.example:8765"})
    assert rebound.status_code == 400


def test_token_is_required_off_loopback(kb, doctor):
    app = create_app(kb, doctor, token="s3cr3t-token", loopback_only=False)
    with TestClient(app, base_url="http://192.0.2.10:8765") as c:
        assert c.get("/").status_code == 401
        assert c.get("/api/kb").status_code == 401 and "token" in c.get("/api/kb").json()["error"]
        assert c.get("/static/page.js").status_code == 401
        assert c.get("/", headers={"x-rtms-doctor-token": "wrong"}).status_code == 401
        assert c.get("/", headers={"x-rtms-doctor-token": "s3cr3t-token"}).status_code == 200
        assert c.get("/api/kb", headers={"authorization": "Bearer s3cr3t-token"}).status_code == 200
        first = c.get("/explain?code=2310&token=s3cr3t-token", follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/explain?code=2310"
        assert "HttpOnly" in first.headers["set-cookie"] and "SameSite=Strict" in first.headers["set-cookie"]
        assert c.get("/explain?code=2310").status_code == 200  # the cookie now
        assert c.get("/", headers={"host": "attacker.example"}).status_code == 200  # the token decides
    with TestClient(app, base_url="http://192.0.2.10:8765") as fresh:
        assert fresh.get("/?token=nope").status_code == 401


# -- hostile input ---------------------------------------------------------------------------------
def _hostile_case(payload: str) -> list[tuple[str, bytes]]:
    return [(name, content.encode("utf-8")) for name, content in _vehicles(payload).values()]


@pytest.mark.parametrize("name", sorted(INJECTIONS))
def test_injection_corpus_is_inert_in_the_page_and_the_api(client, name):
    payload = INJECTIONS[name]
    files = _hostile_case(payload)
    post = f"Signaling handshake failed with error 13262. {payload} reason: '{MARK}98 {payload}'"
    response = diagnose_form(client, post, files)
    assert response.status_code == 200, response.text[-500:]
    page = assert_page_safe(response.text)
    assert MARK in response.text, "the payloads never reached the page (a vacuous pass)"
    shown = html.unescape(response.text)
    assert_templates_not_evaluated(shown)
    assert_reply_clean(page.text_by_id["reply"])
    # answering keeps it inert
    answered = _answer(client, page, page.question_paths[0], "?")
    assert answered.status_code == 200
    assert_page_safe(answered.text)
    assert_templates_not_evaluated(html.unescape(answered.text))
    api = client.post("/api/diagnose", data={"text": post}, files=[("files", f) for f in files])
    assert api.status_code == 200
    data = api.json()  # valid JSON, payloads only as strings
    assert_templates_not_evaluated(json.dumps(data, ensure_ascii=False))
    assert MARK in api.text


def test_control_characters_never_reach_the_page(client):
    post = ("Error 13262 from PATCH /v2/live_meetings/1/rtms_app/status.\n"
            "reason: 'bell\x07 escape\x1b[31m red \u202eevil\u202c back\x7f'\n"
            '{"code": 13262, "message": "ctl\\u001b[2J \\u0007 \\u202e x"}\n')
    response = diagnose_form(client, post)
    assert response.status_code == 200
    body = response.text
    assert "13262" in body
    for ch in ("\x07", "\x1b", "\x7f", "\u202e", "\u202c"):
        assert ch not in body, repr(ch)
    assert not re.search(r"&#(x0*1b|0*27|x0*7|0*7);", body, re.I)


def _leaks(text: str, files: tuple[str, ...]) -> list[str]:
    shown = html.unescape(text)
    return [e["what"] for e in PLANTED if e["file"] in files and (e["value"] in shown or _probe(e) in shown)]


@pytest.mark.parametrize("files", [(f,) for f in SECRET_INPUTS] + [tuple(SECRET_INPUTS)],
                         ids=SECRET_INPUTS + ["all-together"])
def test_planted_secrets_leak_nowhere(client, files):
    if any(e.get("known_gap") for e in PLANTED if e["file"] in files):
        pytest.skip("a known redaction gap of the CLI (test_redaction tracks it)")
    uploads = [(f, (SECRETS / f).read_bytes()) for f in files]
    page = diagnose_form(client, files=uploads)
    assert page.status_code == 200, page.text[-300:]
    parsed = Page(page.text)
    answered = _answer(client, parsed, parsed.question_paths[0], "?") if parsed.question_paths else page
    outputs = {
        "page": page.text, "answered page": answered.text,
        "report.json": client.post("/download/report.json", data={"state": parsed.state}).text,
        "case.json": client.post("/download/case.json", data={"state": parsed.state}).text,
        "api diagnose": client.post("/api/diagnose", files=[("files", u) for u in uploads]).text,
        "api facts": client.post("/api/facts", files=[("files", u) for u in uploads]).text,
    }
    if len(files) == 1:  # pasted in the text area rather than dropped as a file
        text = (SECRETS / files[0]).read_text(encoding="utf-8")
        outputs["pasted"] = diagnose_form(client, text).text
    for where, text in outputs.items():
        assert not _leaks(text, files), f"{where} leaks: {_leaks(text, files)}"
    # not vacuous: the inputs were read, not thrown away
    read = json.loads(outputs["api facts"])
    assert read["facts"] and all(i["facts"] for i in read["inputs"])
    if len(files) > 1:
        assert "[redacted]" in outputs["api facts"]


def test_uploads_are_not_kept(client, tmp_path, monkeypatch):
    """Uploads go to a temporary folder that is gone once the case is read."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    response = diagnose_form(client, "error 13262", [("a.txt", b"HTTP 400"), ("b.json", EXAMPLE.read_bytes())])
    assert response.status_code == 200
    assert list(Path(tmp_path).iterdir()) == []


def test_warm_up_leaves_nothing_behind(kb, doctor, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with TestClient(create_app(kb, doctor, warm_up=True), base_url=LOCAL) as c:
        assert c.get("/").status_code == 200
    assert list(tmp_path.iterdir()) == []


def test_serve_refuses_a_port_in_use_with_one_line():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        run = rtms_doctor("serve", "--port", str(taken.getsockname()[1]))
    assert run.code == 2
    assert run.err.startswith("rtms-doctor: error: cannot listen on http://127.0.0.1:") and "Traceback" not in run.err


def test_confirm_cause_keeps_the_case_in_the_casebook(client, tmp_path, monkeypatch):
    book = tmp_path / "casebook.sqlite3"
    monkeypatch.setenv("RTMS_DOCTOR_CASEBOOK", str(book))
    page = Page(diagnose_form(client, EXAMPLE.read_text(encoding="utf-8")).text)
    confirmed = client.post("/confirm", data={"state": page.state, "cause": "no_developer_pack",
                                              "note": "pack bought, works now"})
    assert confirmed.status_code == 200
    assert "Kept in the casebook as case #1" in Page(confirmed.text).text_by_id["confirmed"]
    listed = rtms_doctor("casebook", "list", "--format", "json", "--casebook", str(book))
    assert listed.code == 0, listed.err
    assert [c["cause"] for c in json.loads(listed.out)] == ["no_developer_pack"]
    bad = client.post("/confirm", data={"state": page.state, "cause": "no_such_cause"})
    assert bad.status_code == 400
