"""The command line as a user runs it: outputs, exit statuses, and clean errors."""
from __future__ import annotations

import json

import pytest

from helpers import REPO, rtms_doctor

EXAMPLE = str(REPO / "examples" / "forum-13262.json")


def test_version():
    run = rtms_doctor("--version")
    assert run.code == 0 and run.out.startswith("rtms-doctor, version ")


def test_diagnose_markdown_report():
    run = rtms_doctor("diagnose", EXAMPLE)
    assert run.code == 0, run.err
    for heading in ("# RTMS diagnosis", "## Differential", "## Ruled out", "## Could not check",
                    "## Follow-up questions", "## Facts used"):
        assert heading in run.out
    assert "knowledge base 0." in run.out


def test_diagnose_json():
    run = rtms_doctor("diagnose", EXAMPLE, "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["schema"] == "rtms-doctor/diagnosis/v1"
    first = data["causes"][0]
    assert {"id", "title", "confidence", "status", "evidence"} <= set(first)
    assert 0 <= first["confidence"] <= 1
    confidences = [c["confidence"] for c in data["causes"] if c["status"] in ("likely", "possible")]
    assert confidences == sorted(confidences, reverse=True)
    assert all({"path", "value", "source"} <= set(f) for f in data["facts"])
    assert isinstance(data["questions"], list)


def test_reply_has_no_internal_scores_or_rule_ids(kb):
    run = rtms_doctor("diagnose", EXAMPLE, "--reply")
    assert run.code == 0, run.err
    assert "%" not in run.out
    for rule in kb.rules:
        assert rule.id not in run.out
    assert "likely" in run.out


def test_stdin_is_read():
    with open(EXAMPLE) as handle:
        run = rtms_doctor("diagnose", "-", stdin=handle.read())
    assert run.code == 0, run.err
    assert "`<stdin>:$.api.error_codes`" in run.out


@pytest.mark.parametrize(("stdin", "args", "message"), [
    ("{not json", ["-"], "malformed JSON at line 1"),
    ('{"account": {"plan": 5}}', ["-"], "field 'account.plan'"),
    ('{"account": {"plann": "pro"}}', ["-"], "unknown field 'account.plann'"),
    ('{"api": {"error_codes": ["13262"]}}', ["-"], "field 'api.error_codes.0'"),
    ("[1, 2]", ["-"], "JSON not recognised as a case or as one of Zoom's shapes"),
    ('{"foo": {"bar": 1}}', ["-"], "JSON not recognised"),
    ("", ["-"], "empty input"),
    ("   \n", ["-"], "empty input"),
    (None, ["/no/such/file.json"], "no such file"),
    (None, [str(REPO)], "is a folder"),
])
def test_bad_input_is_one_clear_line_and_exit_2(stdin, args, message):
    run = rtms_doctor("diagnose", *args, stdin=stdin if stdin is not None else "")
    assert run.code == 2, (run.out, run.err)
    assert message in run.err
    assert len(run.err.strip().splitlines()) == 1
    assert "Traceback" not in run.err
    assert run.out == ""


def test_unknown_command_and_option_exit_2():
    assert rtms_doctor("frobnicate").code == 2
    assert rtms_doctor("diagnose", "--format", "yaml", EXAMPLE).code == 2


def test_diagnose_is_byte_identical_across_runs_and_hash_seeds():
    outputs = set()
    for seed in ("0", "1", "12345", "random"):
        for fmt in ("markdown", "json"):
            run = rtms_doctor("diagnose", EXAMPLE, "--format", fmt, env={"PYTHONHASHSEED": seed})
            assert run.code == 0
            outputs.add((fmt, run.out))
    assert len(outputs) == 2


def test_schema_is_a_json_schema_of_the_case(kb):
    run = rtms_doctor("schema")
    assert run.code == 0
    schema = json.loads(run.out)
    assert schema["title"] == "rtms-doctor case"
    assert schema["additionalProperties"] is False
    assert "account" in schema["properties"]


def test_kb_list_json_and_show(kb):
    run = rtms_doctor("kb", "list", "--format", "json")
    assert run.code == 0
    rows = json.loads(run.out)
    assert {r["id"] for r in rows} == set(kb.causes)
    assert all({"id", "title", "group"} <= set(r) for r in rows)
    show = rtms_doctor("kb", "show", "no_developer_pack")
    assert show.code == 0 and "no_developer_pack.rest_2310" in show.out
    missing = rtms_doctor("kb", "show", "no_such_cause")
    assert missing.code == 2 and "no cause 'no_such_cause'" in missing.err


def test_the_wheel_holds_every_python_package():
    """A non-editable install ships what pyproject lists: every package under engine/ must be
    there (an editable install hid a missing rtms_doctor.ingest once)."""
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {"rtms_doctor" + ("." + ".".join(p.relative_to(REPO / "engine").parent.parts) if p.parent != REPO / "engine" else "")
             for p in (REPO / "engine").rglob("__init__.py")}
    assert found <= listed, found - listed


def test_cold_path_imports_only_what_it_uses(tmp_path):
    # A cold `diagnose --format json` needs neither Jinja2 nor the pydantic models, nor the
    # YAML reader (the KB comes from its cache); bench_cold.py measures what this keeps cheap.
    import os
    import subprocess
    import sys

    env = {**os.environ, "RTMS_DOCTOR_CACHE": str(tmp_path)}
    probe = ("import sys; sys.argv = ['rtms-doctor', 'diagnose', '--format', 'json', %r]\n"
             "from rtms_doctor.cli import main\n"
             "main()\n"
             "print(sorted(m for m in ('jinja2', 'pydantic', 'yaml') if m in sys.modules))"
             % str(REPO / "examples" / "forum-13262.json"))
    subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True, env=env)  # fills the cache
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_causes_ruled_out_by_one_answer_are_listed_together(tmp_path):
    # the triage answer case.symptom excludes dozens of causes: one line, each cause once
    case = tmp_path / "sdk.json"
    case.write_text(json.dumps({"case_version": 1, "case": {"symptom": "sdk_fails"},
                                "sdk": {"language": "python", "install_failed": True}}), encoding="utf-8")
    run = rtms_doctor("diagnose", str(case))
    assert run.code == 0, run.err
    section = run.out.split("## Ruled out", 1)[1].split("\n## ", 1)[0]
    grouped = [line for line in section.splitlines() if "each by its rule on `case.symptom`" in line]
    assert len(grouped) == 1
    ids = grouped[0].split("):", 1)[1].replace("`", "").strip().split(", ")
    assert len(ids) >= 40 and "no_developer_pack" in ids and "python_version_too_old" not in ids
    for cause_id in ids:
        assert section.count(f"`{cause_id}`") == 1
    report = json.loads(rtms_doctor("diagnose", str(case), "--format", "json").out)
    ruled_out = {c["id"] for c in report["causes"] if c["status"] == "ruled_out"}
    assert set(ids) <= ruled_out


def test_kb_stats_counts_a_cause_own_rule_outs_not_the_triage_ones(kb):
    from rtms_doctor.knowledge.stats import kb_stats

    stats = kb_stats(kb)
    own = [r for r in kb.rules if r.rule.weight < 0 and any(c.expect == "hit" for c in r.cases)
           and not r.id.endswith(".symptom_elsewhere")]
    assert stats["total"]["rule_outs"] == len(own)
    assert all(kb.schema[p].triage for r in kb.rules if r.id.endswith(".symptom_elsewhere") for p in r.paths)


def test_one_case_commands_leave_the_collector_off() -> None:
    """The console script starts with the cyclic collector off (cli.entry); a one-case command
    keeps it off until exit, any other command turns it on once the KB is loaded."""
    import gc

    from rtms_doctor import cli

    was = gc.isenabled()
    try:
        gc.disable()
        cli._kb(None, one_case=True)
        assert not gc.isenabled()
        cli._kb(None)
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        (gc.enable if was else gc.disable)()
