"""`rtms-doctor ask`, the adaptive questionnaire, through three drivers:

1. click's CliRunner with --interactive and typed input: answers, choice numbers, '?', 'back',
   'why', 'done', invalid answers, end of input.
2. An answers file (YAML or JSON), run as a real process: the forum question, whole scenarios
   from tests/scenarios answered from their facts, --save round trips, and the errors.
3. A real terminal (a pty): a person reading the prompts and typing, for the forum question
   and several scenarios.
"""
from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from helpers import REPO, rtms_doctor
from rtms_doctor.cli import cli

EXAMPLE = str(REPO / "examples" / "forum-13262.json")
SCENARIOS = REPO / "tests" / "scenarios"
DEV_PACK_Q = "Does the account have Zoom Developer Pack credits"
RTMS_ENABLED_Q = "Has Zoom confirmed that RTMS is enabled for this account"
SYMPTOM_Q = "Where does it go wrong first?"
# A case that says only where it fails (setting up the app): the questions then begin with the
# Developer Pack and whether Zoom enabled RTMS.
TRIAGED = {"case_version": 1, "case": {"symptom": "app_setup"}}
DONE = re.compile(r"Done after (\d+) question\(s\): ([^\n]*)\.")


# -- shared helpers ------------------------------------------------------------------------
def scenario(relpath: str) -> dict[str, Any]:
    return yaml.safe_load((SCENARIOS / relpath).read_text(encoding="utf-8"))


def flat_facts(kb, relpath: str) -> dict[str, Any]:
    """The scenario's facts as {fact path: value}."""
    return kb.schema.validate_case(scenario(relpath)["facts"])


def expected_cause(relpath: str) -> str:
    expect = scenario(relpath)["expect"]
    return expect.get("top1") or expect["top3"][0]


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """{fact path: value} as the tool's case JSON."""
    out: dict[str, Any] = {"case_version": 1}
    for path, value in flat.items():
        node = out
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def split(facts: dict[str, Any], start_sections: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the developer reported up front (these sections) and what only answers reveal."""
    start = {k: v for k, v in facts.items() if k.split(".")[0] in start_sections}
    return start, {k: v for k, v in facts.items() if k not in start}


def questions_asked(err: str) -> int:
    match = DONE.search(err)
    assert match, err
    return int(match.group(1))


def stop_reason(err: str) -> str:
    match = DONE.search(err)
    assert match, err
    return match.group(2)


def top3(report: dict[str, Any]) -> list[str]:
    return [c["id"] for c in report["causes"] if c["status"] != "ruled_out"][:3]


def write_answers(tmp_path: Path, answers: dict[str, Any], kind: str) -> Path:
    path = tmp_path / f"answers.{kind}"
    if kind == "yaml":
        path.write_text(yaml.safe_dump(answers, sort_keys=False, allow_unicode=True), encoding="utf-8")
    else:
        path.write_text(json.dumps(answers, indent=2), encoding="utf-8")
    return path


def write_case(tmp_path: Path, flat: dict[str, Any], name: str = "start.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(nest(flat), indent=2), encoding="utf-8")
    return path


def one_clear_line(err: str, progress: bool = False) -> str:
    """The single error line (after the questions already answered, when progress is allowed)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert lines and lines[-1].startswith("rtms-doctor: error: "), err
    assert sum(line.startswith("rtms-doctor") for line in lines) == 1, err
    if not progress:
        assert len(lines) == 1, err
    return lines[-1]


# == 1. CliRunner, --interactive, typed input ====================================================
def ask_typed(*args: str, typed: str):
    result = CliRunner().invoke(cli, ["ask", *args, "--interactive"], input=typed)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def saved(tmp_path: Path) -> dict[str, Any]:
    return json.loads((tmp_path / "saved.json").read_text(encoding="utf-8"))


def test_typed_choice_number_makes_the_leader_clear(tmp_path):
    result = ask_typed(EXAMPLE, "--save", str(tmp_path / "saved.json"), typed="3\n")
    err = result.stderr
    assert f"Q1. {DEV_PACK_Q}" in err
    assert "[1] none  [2] trial_active  [3] trial_expired  [4] paid_active  [5] paid_exhausted" in err
    assert "(or ? = don't know, back, why, done)" in err
    assert "Where to look: " in err
    assert "Now: 1. RTMS is not enabled for the account" in err and "(likely, " in err
    assert stop_reason(err) == "the leading cause is clear" and questions_asked(err) == 1
    assert saved(tmp_path)["account"]["developer_pack"] == "trial_expired"
    # the report goes to stdout, the questions do not
    assert result.stdout.startswith("# RTMS diagnosis")
    assert "**Most likely:** RTMS is not enabled for the account" in result.stdout
    assert "Q1." not in result.stdout and "Now:" not in result.stdout


def test_typed_value_words_are_folded(tmp_path):
    result = ask_typed(EXAMPLE, "--save", str(tmp_path / "saved.json"), "--format", "json", typed="Trial Expired\n")
    assert saved(tmp_path)["account"]["developer_pack"] == "trial_expired"
    assert json.loads(result.stdout)["causes"][0]["id"] == "no_developer_pack"


def triaged(tmp_path: Path) -> str:
    path = tmp_path / "triaged.json"
    path.write_text(json.dumps(TRIAGED), encoding="utf-8")
    return str(path)


def test_typed_from_nothing_asks_where_it_fails_first(tmp_path):
    result = ask_typed("--save", str(tmp_path / "saved.json"), typed="3\ndone\n")
    err = result.stderr
    assert f"Q1. {SYMPTOM_Q}" in err
    assert ("[1] app_setup  [2] no_start_event  [3] start_api_error  [4] webhook_problems  "
            "[5] connect_fails  [6] media_wrong  [7] stream_stops  [8] sdk_fails") in err
    assert f"Q2. {DEV_PACK_Q}" in err  # a failing start call: the account's entitlement next
    assert saved(tmp_path)["case"] == {"symptom": "start_api_error"}


def test_typed_dont_know_then_yes_no_by_number(tmp_path):
    # Q1 the Developer Pack (don't know), Q2 whether RTMS is enabled (a yes/no)
    result = ask_typed(triaged(tmp_path), "--save", str(tmp_path / "saved.json"), typed="?\n2\ndone\n")
    err = result.stderr
    assert f"Q1. {DEV_PACK_Q}" in err
    assert f"Q2. {RTMS_ENABLED_Q}" in err
    assert "[1] yes  [2] no" in err
    assert err.count("    Now: ") == 2  # the top three after every answer, '?' included
    assert questions_asked(err) == 2 and stop_reason(err) == "stopped on request"
    facts = saved(tmp_path)
    assert facts["account"] == {"rtms_enabled": False}  # '?' records nothing


@pytest.mark.parametrize("word, value", [("yes", True), ("n", False), ("1", True)])
def test_typed_yes_no_words(tmp_path, word, value):
    ask_typed(triaged(tmp_path), "--save", str(tmp_path / "saved.json"), typed=f"?\n{word}\ndone\n")
    assert saved(tmp_path)["account"]["rtms_enabled"] is value


def test_typed_back_takes_the_answer_back_and_asks_again(tmp_path):
    # Q1 paid_active (4) moves on to Q2; 'back' at Q2 takes paid_active back and asks Q1 again;
    # then trial_expired (3) settles it.
    result = ask_typed(triaged(tmp_path), "--save", str(tmp_path / "saved.json"), typed="4\nback\n3\n")
    err = result.stderr
    assert "(took back the answer about account.developer_pack)" in err
    assert err.count(f"Q1. {DEV_PACK_Q}") == 2
    assert err.index("Q2. ") < err.index("took back") < err.rindex(f"Q1. {DEV_PACK_Q}")
    assert questions_asked(err) == 1 and stop_reason(err) == "the leading cause is clear"
    assert saved(tmp_path)["account"] == {"developer_pack": "trial_expired"}  # paid_active is gone


def test_typed_back_after_dont_know(tmp_path):
    result = ask_typed(triaged(tmp_path), "--save", str(tmp_path / "saved.json"), typed="?\nback\n1\n")
    err = result.stderr
    assert "(took back the answer about account.developer_pack)" in err
    assert err.count(f"Q1. {DEV_PACK_Q}") == 2
    assert saved(tmp_path)["account"] == {"developer_pack": "none"}


def test_typed_back_with_nothing_to_take_back():
    result = ask_typed(EXAMPLE, typed="back\n3\n")
    err = result.stderr
    assert "(nothing to take back)" in err
    assert err.count(f"Q1. {DEV_PACK_Q}") == 2
    assert questions_asked(err) == 1


def test_typed_why_explains_then_asks_the_same_question(tmp_path):
    result = ask_typed(EXAMPLE, "--save", str(tmp_path / "saved.json"), typed="why\n3\n")
    err = result.stderr
    why = err[err.index("answer: why"):err.rindex(f"Q1. {DEV_PACK_Q}")]
    assert "decides RTMS is not enabled for the account" in why and "(no_developer_pack):" in why
    assert "- no_developer_pack.pack_missing_or_expired: " in why
    assert err.count(f"Q1. {DEV_PACK_Q}") == 2
    assert "Q2." not in err  # 'why' is not an answer
    assert questions_asked(err) == 1
    assert saved(tmp_path)["account"] == {"developer_pack": "trial_expired"}


def test_typed_why_on_a_later_question(tmp_path):
    err = ask_typed(triaged(tmp_path), typed="?\nwhy\ndone\n").stderr
    why = err[err.index("answer: why"):]
    assert "- no_developer_pack.entitled: " in why
    assert err.count(f"Q2. {RTMS_ENABLED_Q}") == 2
    assert questions_asked(err) == 1  # the '?' only; 'why' and 'done' are not answers


def test_typed_why_on_the_triage_question_stays_short():
    # case.symptom decides nearly every cause: 'why' names the leading ones and counts the rest
    err = ask_typed(typed="why\ndone\n").stderr
    why = err[err.index("answer: why"):]
    assert why.count("    decides ") == 6
    assert re.search(r"\.\.\. and \d+ more of the candidates, down the ranking", why)


@pytest.mark.parametrize("start", [
    pytest.param([], id="from-nothing"),
    pytest.param([EXAMPLE], id="forum"),  # why() once looked at fewer causes than the questions
])
def test_typed_why_always_names_what_the_answer_decides(kb, start):
    """'why' at every question, answering '?' each time: each 'why' names a cause and a rule."""
    limit = kb.policy.ask_max_questions
    err = ask_typed(*start, typed="why\n?\n" * limit).stderr
    chunks = err.split("answer: why")[1:]
    assert len(chunks) == questions_asked(err)
    silent = [i + 1 for i, chunk in enumerate(chunks) if "    decides " not in chunk.split("\nQ")[0]]
    assert not silent, f"'why' printed nothing at question(s) {silent}"


def test_typed_done_stops_and_reports():
    result = ask_typed(EXAMPLE, "--format", "json", typed="done\n")
    assert questions_asked(result.stderr) == 0 and stop_reason(result.stderr) == "stopped on request"
    report = json.loads(result.stdout)
    assert report["schema"] == "rtms-doctor/diagnosis/v1"
    assert report["questions"], "the report still lists the follow-up questions"


@pytest.mark.parametrize("typed, hint", [
    ("platinum", "choose one of: none, trial_active, trial_expired, paid_active, paid_exhausted (or its number)"),
    ("9", "choose one of: none, trial_active"),
    ("0", "choose one of: none, trial_active"),
])
def test_typed_invalid_choice_gets_a_hint_and_the_question_again(tmp_path, typed, hint):
    result = ask_typed(EXAMPLE, "--save", str(tmp_path / "saved.json"), typed=f"{typed}\n3\n")
    err = result.stderr
    assert hint in err
    assert err.count(f"Q1. {DEV_PACK_Q}") == 2
    assert questions_asked(err) == 1
    assert saved(tmp_path)["account"]["developer_pack"] == "trial_expired"


def test_typed_invalid_yes_no_gets_a_hint(tmp_path):
    err = ask_typed(triaged(tmp_path), typed="?\nmaybe\n3\nno\ndone\n").stderr
    assert "answer yes or no (or ? if you don't know)" in err
    assert err.count(f"Q2. {RTMS_ENABLED_Q}") == 3
    assert questions_asked(err) == 2


@pytest.mark.parametrize("typed", ["", "?\n", "?\n2\n", "4\nback\n"], ids=["nothing", "one", "two", "after-back"])
def test_end_of_input_ends_with_a_report(typed):
    started = time.monotonic()
    result = ask_typed(EXAMPLE, typed=typed)
    assert time.monotonic() - started < 20
    assert stop_reason(result.stderr) == "stopped on request"
    assert result.stdout.startswith("# RTMS diagnosis")
    assert "## Differential" in result.stdout


def test_typed_reply_and_markdown_are_the_diagnose_reports(tmp_path):
    reply = ask_typed(EXAMPLE, "--reply", typed="3\n").stdout
    assert reply.startswith("Thanks for the details!")
    assert "**Most likely: RTMS is not enabled for the account" in reply
    # after the questions, the report is exactly `diagnose` of the gathered facts
    asked = json.loads(ask_typed(EXAMPLE, "--save", str(tmp_path / "saved.json"), "--format", "json", typed="3\n").stdout)
    diagnosed = json.loads(CliRunner().invoke(cli, ["diagnose", str(tmp_path / "saved.json"), "--format", "json"]).stdout)
    assert [(c["id"], c["confidence"], c["status"]) for c in asked["causes"]] == \
        [(c["id"], c["confidence"], c["status"]) for c in diagnosed["causes"]]


def test_piped_answers_in_a_real_process():
    """--interactive with a pipe: the real entry point, the same questions, and it ends."""
    proc = subprocess.run([sys.executable, "-m", "rtms_doctor.cli", "ask", EXAMPLE, "--interactive", "--format", "json"],
                          input="why\nzzz\n3\n", capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "decides RTMS is not enabled" in proc.stderr and "choose one of:" in proc.stderr
    assert json.loads(proc.stdout)["causes"][0]["id"] == "no_developer_pack"


# == 2. Answers files ============================================================================
def ask_answers(*args: str) -> tuple[dict[str, Any], str]:
    run = rtms_doctor("ask", *args, "--format", "json")
    assert run.code == 0, run.err
    return json.loads(run.out), run.err


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_forum_question_stops_early_on_an_expired_trial(tmp_path, kind):
    answers = write_answers(tmp_path, {"account.developer_pack": "trial_expired", "account.plan": "pro",
                                       "app.publish_status": "?"}, kind)
    report, err = ask_answers(EXAMPLE, "--answers", str(answers))
    leader = report["causes"][0]
    assert leader["id"] == "no_developer_pack" and leader["status"] == "likely"
    assert report["causes"][1]["confidence"] <= leader["confidence"] - 0.25
    assert questions_asked(err) == 1 and stop_reason(err) == "the leading cause is clear"
    assert f"Q1. {DEV_PACK_Q}" in err and "-> trial_expired" in err
    assert "Now: 1. RTMS is not enabled for the account" in err
    assert {"rule": "no_developer_pack.pack_missing_or_expired"}.items() <= leader["evidence"][0].items()
    sources = [f["source"] for e in leader["evidence"] for f in e["facts"]]
    assert "questionnaire:answer 1" in sources


def test_forum_question_literal_yaml_with_dont_know(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("# what the developer answered\n"
                       "account.developer_pack: '?'\n"
                       "account.rtms_enabled: no\n", encoding="utf-8")
    report, err = ask_answers(EXAMPLE, "--answers", str(answers))
    assert f"Q1. {DEV_PACK_Q}" in err
    assert re.search(rf"Q2\. {RTMS_ENABLED_Q}[^\n]*\n    -> False\n", err), err
    assert "-> (not known)" in err  # facts the file does not give are not known
    assert report["causes"][0]["id"] == "no_developer_pack"
    assert report["causes"][0]["status"] in ("likely", "possible")
    facts = {f["path"]: f for f in report["facts"]}
    assert "account.developer_pack" not in facts  # '?' records nothing
    assert facts["account.rtms_enabled"]["source"] == "questionnaire:answer 2"


# (scenario, sections the developer reported up front; () = start from nothing)
ANSWERED = [
    ("account/trial_expired_2310.yaml", ()),
    ("portal_settings/admin_disabled_stop_23.yaml", ()),
    ("upkeep/deploy_stops_15_16.yaml", ()),
    ("handshake/internal_exception_retry.yaml", ()),
    ("start_context/participant_by_link_2308.yaml", ()),
    ("app_config/transcript_scope_missing_status_12.yaml", ()),
    ("portal_settings/allow_list_missing_13262.yaml", ("case", "api", "start")),
    ("handshake/server_urls_comma_enotfound.yaml", ("case", "stream")),
    ("account/trial_concurrency_cap.yaml", ("case", "api", "stream")),
    ("webhook/ngrok_tunnel_url_changed.yaml", ("case", "api", "stream")),
    ("start_context/colleague_never_added_app.yaml", ("case", "api")),
    ("account/zcc_queue_stop_26.yaml", ("case", "stream")),
]


@pytest.mark.parametrize("relpath, sections", ANSWERED, ids=[p.split("/")[1][:-5] for p, _ in ANSWERED])
def test_scenario_answered_from_its_facts(kb, tmp_path, relpath, sections):
    facts = flat_facts(kb, relpath)
    start, rest = split(facts, sections)
    kind = "yaml" if len(relpath) % 2 else "json"
    args = ["--answers", str(write_answers(tmp_path, rest, kind))]
    if start:
        args.insert(0, str(write_case(tmp_path, start)))
    report, err = ask_answers(*args)
    want = expected_cause(relpath)
    assert want in top3(report), (want, top3(report), err)
    status = {c["id"]: c["status"] for c in report["causes"]}
    assert status[want] in ("likely", "possible")
    asked = questions_asked(err)
    assert asked < len(facts), err
    if start:
        assert 1 <= asked < len(rest), err
    assert err.count("    Now: 1. ") == asked


def test_scenario_from_nothing_reaches_an_sdk_install_failure(kb, tmp_path):
    # once a strict xfail: without the triage question the run followed the priors (Developer
    # Pack, handshake codes...) and never reached the SDK and runtime facts
    relpath = "sdk/python_3_8_no_matching_distribution.yaml"
    facts = flat_facts(kb, relpath)
    report, err = ask_answers("--answers", str(write_answers(tmp_path, facts, "yaml")))
    assert expected_cause(relpath) in top3(report), (top3(report), err)


def test_no_answers_at_all_stops_at_the_question_limit(kb, tmp_path):
    report, err = ask_answers("--answers", str(write_answers(tmp_path, {}, "json")))
    limit = kb.policy.ask_max_questions
    assert questions_asked(err) == limit and stop_reason(err) == f"{limit} questions asked"
    assert err.count("-> (not known)") == limit
    assert not [c for c in report["causes"] if c["status"] == "likely"]


def test_answers_for_known_facts_are_not_asked(tmp_path):
    # the start file already says the pack expired: nothing is left to ask
    start = write_case(tmp_path, {"account.developer_pack": "trial_expired", "api.error_codes": [2310],
                                  "api.endpoint": "rtms_app_status", "api.action": "start"})
    answers = write_answers(tmp_path, {"account.developer_pack": "paid_active"}, "yaml")
    report, err = ask_answers(str(start), "--answers", str(answers))
    assert questions_asked(err) == 0
    assert report["causes"][0]["id"] == "no_developer_pack"


def test_conflicts_in_the_start_files_reach_the_final_report(tmp_path):
    # two files disagree on the plan: diagnose lists the conflict, and so must ask
    first = write_case(tmp_path, {"account.plan": "pro", "api.error_codes": [13262]}, "first.json")
    second = write_case(tmp_path, {"account.plan": "basic"}, "second.json")
    answers = write_answers(tmp_path, {}, "yaml")
    report, _ = ask_answers(str(first), str(second), "--answers", str(answers))
    diagnosed = rtms_doctor("diagnose", str(first), str(second), "--format", "json")
    assert diagnosed.code == 0, diagnosed.err
    expected = json.loads(diagnosed.out)["conflicts"]
    assert [c["path"] for c in expected] == ["account.plan"]
    assert report["conflicts"] == expected


def test_reply_with_answers(tmp_path):
    answers = write_answers(tmp_path, {"account.developer_pack": "trial_expired"}, "yaml")
    run = rtms_doctor("ask", EXAMPLE, "--answers", str(answers), "--reply")
    assert run.code == 0, run.err
    assert run.out.startswith("Thanks for the details!")
    assert "RTMS is not enabled for the account" in run.out
    assert "Q1." not in run.out


@pytest.mark.parametrize("relpath, sections", [
    ("examples/forum-13262.json", None),
    ("start_context/participant_by_link_2308.yaml", ()),
    ("handshake/server_urls_comma_enotfound.yaml", ("case", "stream")),
], ids=["forum", "participant_by_link_2308", "server_urls_comma_enotfound"])
def test_save_writes_a_case_that_diagnose_reproduces(kb, tmp_path, relpath, sections):
    if sections is None:
        args, answers = [EXAMPLE], {"account.developer_pack": "trial_expired"}
        known = {}
    else:
        known = flat_facts(kb, relpath)
        start, answers = split(known, sections)
        args = [str(write_case(tmp_path, start))] if start else []
    out = tmp_path / "saved.json"
    args += ["--answers", str(write_answers(tmp_path, answers, "yaml")), "--save", str(out)]
    report, err = ask_answers(*args)
    assert f"Facts saved to {out}" in err
    case = json.loads(out.read_text(encoding="utf-8"))
    assert case["case_version"] == 1
    saved_facts = kb.schema.validate_case(case)  # valid case JSON
    for path, value in saved_facts.items():  # nothing invented: every saved fact was given
        if known:
            assert known[path] == value, path
    if sections is None:
        assert saved_facts["account.developer_pack"] == "trial_expired"
        assert saved_facts["api.error_codes"] == [13262]
    run = rtms_doctor("diagnose", str(out), "--format", "json")
    assert run.code == 0, run.err
    again = json.loads(run.out)
    assert again["causes"][0]["id"] == report["causes"][0]["id"]
    assert again["causes"][0]["confidence"] == report["causes"][0]["confidence"]
    assert top3(again) == top3(report)


def test_answers_unknown_fact_path(tmp_path):
    answers = write_answers(tmp_path, {"account.developer_pack": "trial_expired", "account.nope": 1}, "yaml")
    run = rtms_doctor("ask", EXAMPLE, "--answers", str(answers))
    assert run.code == 2 and run.out == ""
    line = one_clear_line(run.err)
    assert "unknown fact 'account.nope'" in line and "rtms-doctor schema" in line


@pytest.mark.parametrize("answers, path, hint", [
    ({"account.developer_pack": "platinum"}, "account.developer_pack", "choose one of: none, trial_active"),
    ({"account.developer_pack": 7}, "account.developer_pack", "choose one of:"),
    ({"account.developer_pack": ["trial_expired"]}, "account.developer_pack", "choose one of:"),
], ids=["bad-enum", "out-of-range-number", "list-for-scalar"])
def test_answers_ill_typed(tmp_path, answers, path, hint):
    run = rtms_doctor("ask", EXAMPLE, "--answers", str(write_answers(tmp_path, answers, "json")))
    assert run.code == 2 and run.out == ""
    line = one_clear_line(run.err)
    assert f"answer for {path}: " in line and hint in line


def test_answers_ill_typed_yes_no(tmp_path):
    answers = write_answers(tmp_path, {"account.developer_pack": "?", "account.rtms_enabled": "maybe"}, "yaml")
    run = rtms_doctor("ask", "--answers", str(answers))
    assert run.code == 2 and run.out == ""
    line = one_clear_line(run.err, progress=True)
    assert "answer for account.rtms_enabled: answer yes or no" in line
    assert "-> maybe" not in run.err


def test_answers_ill_typed_but_never_asked(tmp_path):
    answers = write_answers(tmp_path, {"account.developer_pack": "trial_expired", "account.plan": "platinum"}, "json")
    run = rtms_doctor("ask", EXAMPLE, "--answers", str(answers))
    assert run.code == 2
    assert "account.plan" in one_clear_line(run.err)


def test_answers_yaml_bare_question_mark(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("account.developer_pack: ?\naccount.rtms_enabled: no\n", encoding="utf-8")
    run = rtms_doctor("ask", EXAMPLE, "--answers", str(answers))
    assert run.code == 0, run.err


@pytest.mark.parametrize("text", ["- account.developer_pack\n- trial_expired\n", "{not: [valid\n", "42\n"],
                         ids=["list", "broken", "scalar"])
def test_answers_file_not_a_mapping(tmp_path, text):
    answers = tmp_path / "answers.yaml"
    answers.write_text(text, encoding="utf-8")
    run = rtms_doctor("ask", EXAMPLE, "--answers", str(answers))
    assert run.code == 2 and run.out == ""
    assert "answers.yaml" in one_clear_line(run.err)


def test_answers_file_missing(tmp_path):
    run = rtms_doctor("ask", EXAMPLE, "--answers", str(tmp_path / "absent.yaml"))
    assert run.code == 2 and "Traceback" not in run.err


@pytest.mark.parametrize("args", [[EXAMPLE], []], ids=["with-file", "from-nothing"])
def test_no_terminal_and_no_answers_exits_2(args):
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "rtms_doctor.cli", "ask", *args], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, cwd=REPO, timeout=30)
    assert time.monotonic() - started < 15
    assert proc.returncode == 2 and proc.stdout == ""
    line = one_clear_line(proc.stderr)
    assert "terminal" in line and "--answers FILE" in line and "--interactive" in line


# == 3. A real terminal ==========================================================================
def _pty_available() -> bool:
    if sys.platform.startswith("win"):
        return False
    try:
        import pty  # noqa: F401
        import termios  # noqa: F401

        master, slave = os.openpty()
    except (ImportError, OSError):
        return False
    os.close(master)
    os.close(slave)
    return True


needs_pty = pytest.mark.skipif(not _pty_available(), reason="no pseudo-terminal on this platform")
PROMPT = re.compile(r"(?m)^answer: ")
QUESTION = re.compile(r"Q(\d+)\. (.*?)\n    Where to look: ", re.S)
READ_TIMEOUT = 20.0


class Terminal:
    """`rtms-doctor` on a pseudo-terminal: stdin, stdout and stderr are all the pty."""

    def __init__(self, *args: str) -> None:
        master, slave = os.openpty()
        env = dict(os.environ, TERM="dumb", NO_COLOR="1", PYTHONUNBUFFERED="1")
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "rtms_doctor.cli", *args], stdin=slave,
                                         stdout=slave, stderr=slave, cwd=REPO, env=env, start_new_session=True)
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self.fd = master
        self.text = ""
        self.pos = 0
        self.eof = False

    def _read(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no answer from the terminal; last output:\n{self.text[-2000:]}")
        ready, _, _ = select.select([self.fd], [], [], remaining)
        if not ready:
            return
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            data = b""
        if not data:
            self.eof = True
            return
        self.text += data.decode("utf-8", "replace").replace("\r\n", "\n")

    def expect(self, *patterns: re.Pattern[str]) -> tuple[int, re.Match[str], str]:
        """The first of the patterns to appear after what was already read: (index, match, text before)."""
        deadline = time.monotonic() + READ_TIMEOUT
        while True:
            found = [(m.start(), i, m) for i, p in enumerate(patterns) if (m := p.search(self.text, self.pos))]
            if found:
                _, index, match = min(found, key=lambda f: f[:2])
                before = self.text[self.pos:match.start()]
                self.pos = match.end()
                return index, match, before
            if self.eof:
                raise AssertionError(f"the program ended without {[p.pattern for p in patterns]}:\n{self.text[-2000:]}")
            self._read(deadline)

    def sendline(self, text: str) -> None:
        os.write(self.fd, (text + "\n").encode("utf-8"))

    def finish(self) -> tuple[int, str]:
        """Read to the end; (exit status, everything after the last expected text)."""
        deadline = time.monotonic() + READ_TIMEOUT
        while not self.eof:
            self._read(deadline)
        return self.proc.wait(timeout=READ_TIMEOUT), self.text[self.pos:]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=READ_TIMEOUT)
        os.close(self.fd)


def typed_answer(spec, value: Any) -> str:
    if spec.is_list:
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def converse(kb, term: Terminal, known: dict[str, Any]) -> list[str]:
    """Answer each question from what is known ('?' otherwise); the fact paths asked, in order."""
    by_question = {spec.ask: spec for spec in kb.schema.specs.values()}
    asked: list[str] = []
    while True:
        index, match, before = term.expect(PROMPT, DONE)
        if index == 1:
            assert int(match.group(1)) == len(asked)
            return asked
        number, question = QUESTION.findall(before)[-1]
        assert int(number) == len(asked) + 1, before
        spec = by_question[question]
        asked.append(spec.path)
        term.sendline(typed_answer(spec, known[spec.path]) if spec.path in known else "?")


def report_top3(markdown: str) -> list[str]:
    """Cause ids of the first three rows of the report's differential."""
    section = markdown[markdown.index("## Differential"):]
    return re.findall(r"(?m)^\| [123] \| .*?\(`([a-z0-9_]+)`\)", section)[:3]


@needs_pty
def test_terminal_forum_question(kb):
    term = Terminal("ask", EXAMPLE)
    try:
        _, _, before = term.expect(PROMPT)
        assert f"Q1. {DEV_PACK_Q}" in before and "[3] trial_expired" in before
        term.sendline("why")
        _, _, before = term.expect(PROMPT)
        assert "decides RTMS is not enabled for the account" in before and f"Q1. {DEV_PACK_Q}" in before
        term.sendline("expired")
        _, _, before = term.expect(PROMPT)
        assert "choose one of: none, trial_active, trial_expired" in before
        term.sendline("3")
        _, match, before = term.expect(DONE)
        assert "Now: 1. RTMS is not enabled for the account" in before
        assert match.group(1) == "1" and match.group(2) == "the leading cause is clear"
        code, rest = term.finish()
        assert code == 0
        assert "# RTMS diagnosis" in rest
        assert "**Most likely:** RTMS is not enabled for the account" in rest
        assert report_top3(rest)[0] == "no_developer_pack"
    finally:
        term.close()


TERMINAL = [
    ("account/trial_expired_2310.yaml", ()),
    ("portal_settings/admin_disabled_stop_23.yaml", ()),
    ("upkeep/deploy_stops_15_16.yaml", ()),
    ("portal_settings/allow_list_missing_13262.yaml", ("case", "api", "start")),
    ("handshake/server_urls_comma_enotfound.yaml", ("case", "stream")),
    ("account/trial_concurrency_cap.yaml", ("case", "api", "stream")),
]


@needs_pty
@pytest.mark.parametrize("relpath, sections", TERMINAL, ids=[p.split("/")[1][:-5] for p, _ in TERMINAL])
def test_terminal_scenario(kb, tmp_path, relpath, sections):
    facts = flat_facts(kb, relpath)
    start, rest = split(facts, sections)
    args = ["ask"] + ([str(write_case(tmp_path, start))] if start else [])
    term = Terminal(*args)
    try:
        asked = converse(kb, term, rest)
        code, report = term.finish()
    finally:
        term.close()
    assert code == 0, report
    assert asked and len(asked) < len(facts)
    assert len(set(asked)) == len(asked), "a question was asked twice"
    assert not set(asked) & set(start), "a question about a fact already given"
    assert "# RTMS diagnosis" in report
    assert expected_cause(relpath) in report_top3(report), (report_top3(report), asked)


@needs_pty
def test_terminal_back_done_and_end_of_input(kb, tmp_path):
    term = Terminal("ask", triaged(tmp_path))
    try:
        _, _, before = term.expect(PROMPT)
        assert f"Q1. {DEV_PACK_Q}" in before
        term.sendline("4")
        _, _, before = term.expect(PROMPT)
        assert "Now: 1. " in before and "Q2. " in before
        term.sendline("back")
        _, _, before = term.expect(PROMPT)
        assert "(took back the answer about account.developer_pack)" in before and f"Q1. {DEV_PACK_Q}" in before
        term.sendline("?")
        term.expect(PROMPT)
        term.sendline("done")
        _, match, _ = term.expect(DONE)
        assert match.group(1) == "1" and match.group(2) == "stopped on request"
        code, rest = term.finish()
        assert code == 0 and "# RTMS diagnosis" in rest
    finally:
        term.close()
    term = Terminal("ask", EXAMPLE)
    try:
        term.expect(PROMPT)
        os.write(term.fd, b"\x04")  # Ctrl-D: end of input at the prompt
        _, match, _ = term.expect(DONE)
        assert match.group(2) == "stopped on request"
        code, rest = term.finish()
        assert code == 0 and "# RTMS diagnosis" in rest
    finally:
        term.close()
