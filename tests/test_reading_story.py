"""Reading a post as its story goes: template sections that are wishes, answers given by the
names logs print, stage rule-outs, thin and off-topic posts."""
from __future__ import annotations

import json

from helpers import rtms_doctor
from rtms_doctor.ingest import read_case
from rtms_doctor.reasoning.questionnaire import code_names, parse_answer


def _read(tmp_path, kb, text: str):
    post = tmp_path / "issue.md"
    post.write_text(text, encoding="utf-8")
    return read_case([str(post)], kb)[0]


def test_expected_behavior_is_not_something_that_happened(tmp_path, kb):
    facts = _read(tmp_path, kb, "### Describe the bug\nAudio never arrives.\n\n### Expected behavior\n"
                                "The REST start returns 2310 only without a Developer Pack.\n\n"
                                "### Environment\nnode 22.1.0\n")
    assert "api.error_codes" not in facts.values
    assert facts.values["runtime.node_version"] == "22.1.0"  # the next section is read again
    assert all(m.line != 5 for m in facts.signs)


def test_answers_take_the_names_logs_print(kb):
    status = "handshake.signaling.status_code"
    assert parse_answer(kb.schema[status], "STATUS_INVALID_SIGNATURE", code_names(kb, status)) == 3
    media = "handshake.media.status_code"
    assert parse_answer(kb.schema[media], "invalid_signature", code_names(kb, media)) == 3
    stops = "stream.stop_reasons"
    assert parse_answer(kb.schema[stops], "STOP_BC_AUTHENTICATION_FAILURE, 1", code_names(kb, stops)) == [18, 1]


def test_no_entitlement_question_once_media_arrived(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"case_version": 1, "stream": {"data_received": True}}), encoding="utf-8")
    run = rtms_doctor("diagnose", "--format", "json", str(case))
    out = json.loads(run.out)
    status = {c["id"]: c["status"] for c in out["causes"]}
    assert status["no_developer_pack"] == "ruled_out"
    assert all(q["path"] != "account.developer_pack.status" for q in out["questions"])


def test_a_thin_post_says_so_and_asks_where_it_goes_wrong(tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("my rtms integration does not work, any idea?\n", encoding="utf-8")
    run = rtms_doctor("diagnose", "--reply", str(post))
    assert "can't tell yet" in run.out
    assert "Where does it go wrong first?" in run.out.split("Could you tell us:", 1)[1].split("\n2.", 1)[0]
    report = json.loads(rtms_doctor("diagnose", "--format", "json", str(post)).out)
    assert report["reading"]["thin"] is True
    assert report["questions"][0]["path"] == "case.symptom"


def test_an_off_topic_post_is_called_so(tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("Zoom Phone: the invoice bills our call queue numbers twice this month.\n", encoding="utf-8")
    report = json.loads(rtms_doctor("diagnose", "--format", "json", str(post)).out)
    assert report["reading"]["off_topic"] is True
    reply = rtms_doctor("diagnose", "--reply", str(post)).out
    assert "rather than Realtime Media Streams" in reply and "Could you tell us" not in reply


def test_off_topic_signs_that_outnumber_the_rtms_words_call_a_post_off_topic(tmp_path):
    """A passing mention of an RTMS word ("our Developer Pack credits are for another project")
    does not keep a Phone billing question on topic when its own signs outnumber it; one
    off-topic word beside two RTMS words does not make an RTMS post off-topic."""
    post = tmp_path / "post.txt"
    post.write_text("Our Zoom Phone invoice shows metered minutes for the call queue overflow. We also "
                    "have Developer Pack credits for another project, unrelated I assume.\n", encoding="utf-8")
    assert json.loads(rtms_doctor("diagnose", "--format", "json", str(post)).out)["reading"]["off_topic"] is True
    post.write_text("Our RTMS app streams fine, but on the invoice the Developer Pack credits drop twice "
                    "as fast as meetings run.\n", encoding="utf-8")
    assert json.loads(rtms_doctor("diagnose", "--format", "json", str(post)).out)["reading"]["off_topic"] is False


def test_structured_input_has_no_reading(tmp_path):
    from helpers import REPO

    report = json.loads(rtms_doctor("diagnose", "--format", "json", str(REPO / "examples" / "forum-13262.json")).out)
    assert "reading" not in report


def test_text_evidence_is_shown_with_the_words_that_matched(tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("pip install rtms fails: No prebuilt binary available for your platform (aarch64).\n",
                    encoding="utf-8")
    report = json.loads(rtms_doctor("diagnose", "--format", "json", str(post)).out)
    top = report["causes"][0]
    assert top["id"] == "unsupported_platform"
    rows = [e for e in top["evidence"] if e["rule"].endswith(".text_signs")]
    assert rows and any("prebuilt" in f["value"] for f in rows[0]["facts"])
    assert all(f["source"].startswith("post.txt:line ") for f in rows[0]["facts"])


def test_words_shared_with_a_cause_description_count_without_a_sign(kb):
    # BM25 over the causes' own descriptions: the words that weighed most are shown
    from rtms_doctor.ingest.signs import match_signs
    from rtms_doctor.reasoning.text_evidence import read_text_evidence

    text = "After our deploy the pod restarted and the replacement worker had no server URLs to reconnect to."
    reading = read_text_evidence(match_signs(text, kb.signs, "post.txt"), kb)
    ranked = sorted(reading.causes.items(), key=lambda kv: -kv[1].similarity_weight)
    leader, said = ranked[0]
    assert said.similarity_weight == kb.signs.policy.similarity.weight  # the best match gains it all
    assert said.similar_words and all(w in text.lower() for w in said.similar_words)
    assert all(c.similarity_weight >= 0 for c in reading.causes.values())


def test_the_reply_fits_a_forum_thread(tmp_path):
    from helpers import REPO

    example = str(REPO / "examples" / "forum-13262.json")
    reply = rtms_doctor("diagnose", "--reply", example).out
    assert "What I understood from your post" in reply and "- Error code: `13262`" in reply
    assert reply.count("**Most likely:") == 1 and reply.count("**Also possible:") <= 1
    assert "First step:" in reply and '[details="More steps for:' in reply
    questions = reply.split("could you tell us:", 1)[1]
    assert "\n3. " in questions and "\n4. " not in questions  # at most three questions
    assert "Hope this helps" not in reply and "Hi, " not in reply
    plain = rtms_doctor("diagnose", "--reply", "--reply-style", "plain", example).out
    assert "[details" not in plain and "**More steps for:" in plain
    report = json.loads(rtms_doctor("diagnose", "--format", "json", "--reply", example).out)
    assert report["reply"] == reply
    assert "reply" not in json.loads(rtms_doctor("diagnose", "--format", "json", example).out)


def test_the_reply_shows_snippets_in_the_askers_language(tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("Python SDK (pip install rtms): audio we write to a wav file sounds like static noise.\n",
                    encoding="utf-8")
    reply = rtms_doctor("diagnose", "--reply", str(post)).out
    assert "```js" not in reply


def test_the_reply_links_only_zooms_own_material():
    from helpers import REPO

    reply = rtms_doctor("diagnose", "--reply", str(REPO / "examples" / "forum-13262.json")).out
    assert "devforum.zoom.us" not in reply  # forum threads stay in the staff report


def test_a_post_with_secrets_asks_to_rotate_them_and_staff_get_a_clean_copy(tmp_path):
    secret = "Zx9kQ2mN7pLwR4tYvB8cJ1hD"
    post = tmp_path / "post.txt"
    post.write_text(f"Our webhook check fails. .env:\nZOOM_SECRET_TOKEN={secret}\nit logs {secret} as the key.\n",
                    encoding="utf-8")
    reply = rtms_doctor("diagnose", "--reply", str(post)).out
    assert "rotate the credentials" in reply and secret not in reply
    report = rtms_doctor("diagnose", str(post)).out
    copy = report.split("## The post held secrets", 1)[1].split("## Facts used", 1)[0]
    assert "ZOOM_SECRET_TOKEN=[redacted]" in copy and secret not in report
    clean = tmp_path / "clean.txt"
    clean.write_text("rtms_started never arrives for our General app.\n", encoding="utf-8")
    assert "rotate" not in rtms_doctor("diagnose", "--reply", str(clean)).out


def test_words_of_one_class_meet(kb):
    """kb/ingest/signs.yaml word_classes: a post's "frames" meets a sign written with "packets",
    and the words shown are the post's own."""
    from rtms_doctor.ingest.signs import match_signs
    from rtms_doctor.knowledge.signs import word_classes

    classes = word_classes(kb.signs.policy)
    assert classes and all(head not in classes for head in classes.values())  # one step to the head
    sign = next(s for s in kb.signs.signs if s.text == "flood of packets at connect")
    found = {m.sign.text for m in match_signs("We get a flood of frames at connect.", kb.signs, "post.txt")}
    assert sign.text in found
    words = [m.sign.text for m in match_signs("Thousands of frames arrive.", kb.signs, "post.txt") if m.sign.kind == "word"]
    assert "frames" in words and "packets" not in words
