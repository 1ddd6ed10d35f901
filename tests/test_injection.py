"""Input is data, never markup or code: staff paste the tool's output into a public forum.

An injection corpus is planted in every place where input text reaches an output: forum
prose (the handshake reason, the close reason, a JSON block inside the post), Zoom JSON string
values (REST error message, app id and name, handshake reason, meeting uuid, portal app
lists), JSON keys (they become source locators), file names (source labels) and the tool's
case JSON. Each vehicle carries a unique marker, so the tests also prove the payload really
reached the output (a test that plants nothing would pass vacuously).

Then, in the Markdown report and the `facts` view: templates were not evaluated ({{ 7*7 }}
never became 49), and outside code spans no link, image, bare link, HTML tag, @mention or
heading from the input survives; tables keep their columns and fences stay balanced. Inside a
code span everything is literal in CommonMark/GFM (and in Discourse), which is how the `code`
filter makes values inert. The reply contains nothing from the input at all. The JSON output
is valid JSON and carries the payloads only as JSON strings, verbatim.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import rtms_doctor

from rtms_doctor.ingest import read_case
from rtms_doctor.output.render import Renderer

INJECTIONS = {
    "jinja_expr": "{{ 7*7 }}",
    "jinja_loop": "{% for x in range(10) %}x{% endfor %}",
    "jinja_mro": "{{ ''.__class__.__mro__ }}",
    "script": "<script>alert(1)</script>",
    "img_onerror": "<img src=x onerror=alert(1)>",
    "md_link": "[click](https://evil.example)",
    "md_image": "![x](https://evil.example/p.png)",
    "md_ref_image": "![x][e] [e]: https://evil.example/p.png",
    "autolink": "<https://evil.example/a> https://evil.example/bare",
    "backticks": "`rm -rf /` `` x `` \\`",
    "fence": "``` ~~~ ```js",
    "table_pipes": "| a | b | c\\|d \\\\| e",
    "mention_admin": "@admin please look",
    "mention_here": "@here @everyone",
    "heading": "# X",
    "html_comment": "<!-- x --> <details open>",
    "emphasis": "**bold** _it_ ~~s~~ <b>b</b>",
    "all_at_once": "{{ 7*7 }} <script>alert(1)</script> ![x](https://evil.example/p.png) @admin | # X ```",
}

MARK = "ZQJX"  # + two digits: one per vehicle


def _vehicles(payload: str) -> dict[str, tuple[str, str]]:
    """marker -> (file name, content). Every file plants `<marker> <payload>` somewhere."""
    def m(i: int) -> str:
        return f"{MARK}{i:02d} {payload}"

    safe_name = payload.replace("/", "\u2215")  # a file name cannot hold '/'
    return {
        f"{MARK}01": ("post.txt", f"Signaling handshake failed: status_code: 3, reason: '{m(1)}'\n"
                                  f"Signaling socket closed: CloseStatus[code=1000, reason={m(2)}]\n"
                                  f"The API said:\n{json.dumps({'code': 124, 'message': m(3)})}\n"
                                  f"Thanks, {payload}\n"),
        f"{MARK}04": ("error.json", json.dumps({"code": 13262, "message": m(4)})),
        f"{MARK}05": ("app.json", json.dumps({"app_id": m(5), "app_name": m(6), "app_status": "unpublished"})),
        f"{MARK}07": ("hello.json", json.dumps({"msg_type": 4, "status_code": 3, "reason": m(7)})),
        f"{MARK}08": ("key.json", json.dumps({m(8): {"event": "meeting.rtms_started",
                                                     "payload": {"rtms_stream_id": "s", "meeting_uuid": m(9)}}})),
        f"{MARK}10": (f"{MARK}10 {safe_name}.txt"[:200], "We get HTTP 400 from the API."),
        f"{MARK}11": ("case.json", json.dumps({"case_version": 1, "app": {"name": m(11)},
                                                "api": {"error_messages": [m(12)]}, "ws": {"close_reason": m(13)}})),
        f"{MARK}14": ("portal.json", json.dumps({"portal_settings": {
            "allow_apps_to_access_meeting_content": [m(14)],
            "auto_start_meeting_apps": [{"app_name": m(15), "auto_start": True}]}})),
    }


def _plant(folder: Path, payload: str) -> tuple[list[str], dict[str, str]]:
    """Writes the case; returns the paths and, per marker that must reach the outputs, the
    exact text it carries."""
    paths = []
    for i, (name, content) in enumerate(_vehicles(payload).values()):
        slot = folder / f"v{i}"
        slot.mkdir(parents=True, exist_ok=True)
        (slot / name).write_text(content, encoding="utf-8")
        paths.append(str(slot / name))
    carried = {f"{MARK}{i:02d}": f"{MARK}{i:02d} {payload}" for i in (3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15)}
    carried[f"{MARK}10"] = f"{MARK}10 {payload.replace('/', chr(0x2215))}"  # the file name
    # the text vehicles read a reason only when it has no quote and at most 60 characters
    # (handshake), or no ']' (close)
    if not re.search(r"['\"]", payload) and len(f"{MARK}01 {payload}") <= 60:
        carried[f"{MARK}01"] = f"{MARK}01 {payload}"
    if "]" not in payload:
        carried[f"{MARK}02"] = f"{MARK}02 {payload}"
    return paths, carried


# markers of scalar facts and sources: shown whole in the report (list facts are joined and may
# be cut at 160 characters)
IN_REPORT = [f"{MARK}{i:02d}" for i in (5, 6, 7, 8, 9, 10, 11, 13)]


# =============================================================================================
# What a Markdown renderer would interpret
# =============================================================================================

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def _strip_code_spans(line: str) -> str:
    """The line with its CommonMark code spans replaced by a placeholder: a run of n
    backticks opens a span that the next run of exactly n backticks closes."""
    out, i = [], 0
    while i < len(line):
        if line[i] != "`":
            out.append(line[i])
            i += 1
            continue
        j = i
        while j < len(line) and line[j] == "`":
            j += 1
        run = line[i:j]
        close = re.compile(r"(?<!`)" + re.escape(run) + r"(?!`)").search(line, j)
        if close and not (i > 0 and line[i - 1] == "\\"):
            out.append("\u2400")
            i = close.end()
        else:
            out.append(run)
            i = j
    return "".join(out)


def visible_markdown(markdown: str) -> str:
    """Everything a renderer would interpret: the text outside fenced blocks and code spans."""
    lines, fence = [], None
    for line in markdown.split("\n"):
        opener = _FENCE.match(line)
        if fence:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        if opener:
            fence = opener.group(1)
            continue
        lines.append(_strip_code_spans(line))
    assert fence is None, "a fenced block is left open: everything after it changes meaning"
    return "\n".join(lines)


def _unescaped_pipes(line: str) -> int:
    # GFM tables (cmark-gfm, markdown-it) split cells at every pipe not right after a backslash,
    # inside code spans too
    return len(re.findall(r"(?<!\\)\|", line))


def assert_tables_intact(markdown: str) -> None:
    block: list[str] = []
    for line in markdown.split("\n") + [""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if block:
            header = _unescaped_pipes(block[0])
            for row in block[1:]:
                assert _unescaped_pipes(row) == header, f"a table row gained or lost a column: {row[:300]}"
        block = []


def assert_templates_not_evaluated(text: str) -> None:
    assert not re.search(MARK + r"\d\d\W{0,3}49\b", text), "{{ 7*7 }} was evaluated"
    assert "xxxxxxxxxx" not in text, "{% for %} was evaluated"
    assert "<class " not in text and "__mro__" not in text.replace("__mro__ }}", ""), "{{ ''.__class__ }} was evaluated"


def assert_markdown_inert(markdown: str, escaped_text_allowed: bool = False) -> None:
    """Input may appear in code spans; with `escaped_text_allowed`, also as text passed through
    the `inert` filter (every Markdown character backslash-escaped, mentions broken)."""
    assert_templates_not_evaluated(markdown)
    assert_tables_intact(markdown)
    visible = visible_markdown(markdown)
    if not escaped_text_allowed:
        assert MARK not in visible, "input text outside a code span: " + \
            next(line for line in visible.split("\n") if MARK in line)[:300]
    # a backslash-escaped character is literal text: drop it before looking for live syntax
    visible = re.sub(r"\\[!-/:-@\[-`{-~]", "\u2400", visible)
    for planted in ("![x](https://evil", "](https://evil", "![x][e]", "[e]: https://evil",
                    "<script", "<img", "<!--", "<details", "<b>", "{{", "{%"):
        assert planted not in visible, f"{planted!r} is live Markdown/HTML"
    # a bare URL is a link too (GFM autolinks, Discourse's linkify)
    assert not re.search(r"(?i)(https?|ftp)://\S*evil|www\.evil", visible), "a live link from the input"
    if not escaped_text_allowed:
        assert "evil.example" not in visible, "input text outside a code span"
    assert not re.search(r"(?<![\w\\`\u200b\u200d])@(admin|here|everyone)\b", visible), "an @mention would ping"
    assert not re.search(r"^\s{0,3}#{1,6}\s+X\b", visible, re.M), "a heading from the input"


def assert_reply_clean(reply: str) -> None:
    """The forum reply is knowledge-base text only: nothing from the input, in any form."""
    assert_templates_not_evaluated(reply)
    for planted in (MARK, "evil", "<script", "<img", "@admin", "@here", "@everyone", "{{", "{%", "__class__",
                    "onerror", "rm -rf", "# X"):
        assert planted not in reply, f"{planted!r} from the input is in the reply"
    visible_markdown(reply)  # fences balanced


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def assert_json_carries_strings(raw: str, carried: dict[str, str]) -> None:
    """Valid JSON; outside its string tokens only JSON syntax; each payload verbatim as data."""
    data = json.loads(raw, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    outside = _JSON_STRING.sub('""', raw)
    assert re.fullmatch(r'[\s\[\]{}:,"0-9eE.+\-truefalsn]*', outside), "input text outside JSON strings"
    strings: list[str] = []

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        if isinstance(node, dict):
            for key, value in node.items():
                strings.append(key)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            strings.append(node)

    walk(data)
    text = "\n".join(strings)
    assert_templates_not_evaluated(text)
    for marker, expected in carried.items():
        assert expected in text, f"{marker}: the payload is not carried verbatim"


# =============================================================================================
# The tests
# =============================================================================================

@pytest.fixture(scope="module")
def renderer(kb):
    return Renderer(kb)


@pytest.fixture(scope="module")
def planted(kb, doctor, renderer, tmp_path_factory):
    """payload name -> (payload, carried, outputs), one multi-file case per payload."""
    cases = {}
    for name, payload in INJECTIONS.items():
        paths, carried = _plant(tmp_path_factory.mktemp(name), payload)
        facts, reports = read_case(paths, kb)
        diagnosis = doctor.diagnose(facts)
        cases[name] = (payload, carried, {
            "markdown": renderer.markdown(diagnosis), "reply": renderer.reply(diagnosis),
            "json": renderer.json(diagnosis), "facts": renderer.facts(facts, reports),
            "facts_json": json.dumps(renderer.facts_view(facts, reports), indent=2, ensure_ascii=False)})
    return cases


NAMES = sorted(INJECTIONS)


@pytest.mark.parametrize("name", NAMES)
def test_payload_reaches_the_report_as_code(planted, name):
    """Guards against a vacuous pass: the payloads are in the report (the tests below check
    they are inert there) and every one of them in the JSON."""
    payload, carried, out = planted[name]
    for marker in IN_REPORT:
        assert marker in out["markdown"], f"{marker} never reached the report"
        assert marker in out["facts"], f"{marker} never reached the facts view"
    for marker in carried:
        assert marker in out["json"] and marker in out["facts_json"], f"{marker} never reached the JSON"


@pytest.mark.parametrize("name", NAMES)
def test_markdown_report_is_inert(planted, name):
    assert_markdown_inert(planted[name][2]["markdown"])


@pytest.mark.parametrize("name", NAMES)
def test_facts_view_is_inert(planted, name):
    assert_markdown_inert(planted[name][2]["facts"])


@pytest.mark.parametrize("name", NAMES)
def test_reply_holds_nothing_from_the_input(planted, name):
    assert_reply_clean(planted[name][2]["reply"])


@pytest.mark.parametrize("name", NAMES)
def test_json_output_carries_payloads_as_strings(planted, name):
    payload, carried, out = planted[name]
    assert_json_carries_strings(out["json"], carried)
    assert_json_carries_strings(out["facts_json"], carried)


def test_the_checks_catch_live_markup():
    """The checkers themselves: each rejects the thing it is meant to find."""
    for bad in ("x ![x](https://evil.example/p.png)", "<script>alert(1)</script>", "hi @admin",
                "# X", f"{MARK}01 49", "``` open fence", "xxxxxxxxxx", f"`ok` {MARK}02 outside"):
        with pytest.raises(AssertionError):
            assert_markdown_inert(bad)
    with pytest.raises(AssertionError):
        assert_tables_intact("| a | b |\n|---|---|\n| `x|y` | z |")
    assert_markdown_inert(f"| a | b |\n|---|---|\n| `{MARK}01 ![x](https://evil.example/p.png) @admin \\| <script>` | z |")


# --- the real CLI, end to end ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["all_at_once", "jinja_mro", "table_pipes", "fence"])
def test_cli_outputs_are_inert(tmp_path, name):
    payload = INJECTIONS[name]
    paths, carried = _plant(tmp_path, payload)
    report = rtms_doctor("diagnose", *paths)
    reply = rtms_doctor("diagnose", *paths, "--reply")
    as_json = rtms_doctor("diagnose", *paths, "--format", "json")
    for run in (report, reply, as_json):
        assert run.code == 0, run.err
    assert_markdown_inert(report.out)
    assert_reply_clean(reply.out)
    assert_json_carries_strings(as_json.out, carried)


def test_forum_post_full_of_injections(tmp_path):
    """A post that is nothing but hostile text: no fact may carry it anywhere unescaped."""
    post = tmp_path / "post.txt"
    post.write_text("\n".join(f"{v} error 13262 HTTP 400 reason: '{MARK}99 {v}'" for v in INJECTIONS.values()),
                    encoding="utf-8")
    report = rtms_doctor("diagnose", str(post))
    reply = rtms_doctor("diagnose", str(post), "--reply")
    assert report.code == 0 and reply.code == 0, report.err + reply.err
    assert_markdown_inert(report.out)
    assert_reply_clean(reply.out)


def test_batch_outputs_are_inert(tmp_path):
    """batch: hostile file names become case names (summary table) and error statuses."""
    cases = tmp_path / "cases"
    cases.mkdir()
    for i, payload in enumerate(["@admin {{ 7*7 }}", "![x](https:\u2215\u2215evil.example\u2215p.png)",
                                 "<script>alert(1)<\u2215script> | # X", "`code` ``` [click](x)"]):
        (cases / f"{MARK}{i:02d} {payload}.txt").write_text("We get HTTP 400 and error 13262.", encoding="utf-8")
        (cases / f"{MARK}{i + 10:02d} {payload}.json").write_text("{ broken", encoding="utf-8")  # an error row
    out = tmp_path / "out"
    for fmt in ("markdown", "reply"):
        run = rtms_doctor("batch", str(cases), "--out", str(out / fmt), "--format", fmt, "--jobs", "1")
        assert run.code == 2 and "4 case(s) failed" in run.err, run.err  # some cases failed: exit 2
    summary = (out / "markdown" / "summary.md").read_text(encoding="utf-8")
    assert MARK in summary
    assert_markdown_inert(summary, escaped_text_allowed=True)  # error statuses go through `inert`
    reports = [r for r in (out / "markdown").glob("*.md") if r.name != "summary.md"]
    assert len(reports) == 4
    for report in reports:
        assert_markdown_inert(report.read_text(encoding="utf-8"))
    replies = list((out / "reply").glob("*.reply.md"))
    assert len(replies) == 4
    for reply in replies:
        assert_reply_clean(reply.read_text(encoding="utf-8"))


def test_bug_batch_summary_keeps_bare_urls(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "case1.json").write_text(json.dumps({"case_version": 1, "app": {"see https://evil.example/p.png": True}}))
    run = rtms_doctor("batch", str(cases), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert run.code == 2, run.err  # the case failed
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "error:" in summary
    assert "https://evil" not in visible_markdown(summary)
