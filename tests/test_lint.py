"""lint passes on the shipped KB and fails, naming file and line, on broken files."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import REPO, rtms_doctor


def test_lint_passes_on_the_shipped_kb():
    run = rtms_doctor("lint")
    assert run.code == 0, run.err
    assert run.out.startswith("lint: ok")


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    for name in ("kb", "rules", "reports"):
        shutil.copytree(REPO / name, tmp_path / name)
    return tmp_path


def _first_cause(root: Path) -> Path:
    return sorted((root / "kb" / "causes").rglob("*.yaml"))[0]


def _first_rules(root: Path) -> Path:
    return sorted((root / "rules").rglob("*.yaml"))[0]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def test_cause_missing_a_field(draft):
    path = _first_cause(draft)
    lines = [l for l in path.read_text().splitlines() if not l.startswith("impact:")]
    path.write_text("\n".join(lines) + "\n")
    run = rtms_doctor("lint", "--root", str(draft))
    assert run.code == 3
    assert f"{path}:1: impact: Field required" in run.err
    assert "Traceback" not in run.err


def test_cause_with_a_bad_value_names_its_line(draft):
    path = _first_cause(draft)
    text = path.read_text()
    line = text.splitlines().index(next(l for l in text.splitlines() if l.startswith("prior:"))) + 1
    _replace(path, "\nprior: ", "\nprior: 7 #")
    run = rtms_doctor("lint", "--root", str(draft))
    assert run.code == 3
    assert f"{path}:{line}: prior: Input should be less than 1" in run.err


def test_rule_with_an_unknown_fact(draft):
    path = _first_rules(draft)
    text = path.read_text()
    first_fact = text.split("fact: ", 1)[1].split("\n", 1)[0]
    line = text[: text.index("fact: " + first_fact)].count("\n") + 1
    _replace(path, "fact: " + first_fact, "fact: account.no_such_fact")
    run = rtms_doctor("lint", "--root", str(draft))
    assert run.code == 3
    assert f"{path}:{line}:" in run.err and "unknown fact 'account.no_such_fact'" in run.err


def test_rule_with_an_unknown_operator(draft):
    path = draft / "rules" / "account" / "no_developer_pack.yaml"
    _replace(path, "      contains: 2310", "      includes: 2310")
    run = rtms_doctor("lint", "--root", str(draft))
    assert run.code == 3
    assert "unknown operator 'includes'" in run.err


def test_rule_with_an_ill_typed_operand(draft):
    path = draft / "rules" / "account" / "no_developer_pack.yaml"
    _replace(path, "      contains: 2310", '      contains: "2310"')
    run = rtms_doctor("lint", "--root", str(draft))
    assert run.code == 3
    assert "'2310' does not fit api.error_codes, which holds int" in run.err


def test_rule_case_that_does_not_hold(draft):
    path = draft / "rules" / "account" / "no_developer_pack.yaml"
    _replace(path, "facts: {api: {error_codes: [2310], http_statuses: [400]}}", "facts: {api: {error_codes: [2309]}}")
    run = rtms_doctor("lint", "--root", str(draft))
    assert run.code == 1
    assert "case 'start refused with 2310': expected hit, got no_hit" in run.err


def test_rule_without_cases(draft):
    path = draft / "rules" / "account" / "no_developer_pack.yaml"
    text = path.read_text()
    start = text.index("    cases:\n      - name: one minute ago")
    end = text.index("  - id: no_developer_pack.entitled")
    path.write_text(text[:start] + "\n" + text[end:])
    run = rtms_doctor("lint", "--root", str(draft))
    assert run.code == 1
    assert "rule no_developer_pack.just_purchased needs a case that must hit" in run.err


def test_yaml_syntax_error(draft):
    path = _first_cause(draft)
    path.write_text(path.read_text() + "\nbroken: [unclosed\n")
    run = rtms_doctor("lint", "--root", str(draft))
    assert run.code == 3
    assert str(path) in run.err and "YAML syntax error" in run.err


def test_template_with_an_unknown_variable(draft):
    path = draft / "reports" / "reply.md.j2"
    path.write_text(path.read_text().replace("{{ f.summary | first_sentence }}", "{{ f.sumary | first_sentence }}"))
    run = rtms_doctor("lint", "--root", str(draft))
    assert run.code == 1
    assert "reply.md.j2" in run.err and "sumary" in run.err


def test_template_with_a_syntax_error(draft):
    path = draft / "reports" / "report.md.j2"
    path.write_text(path.read_text() + "\n{% for x in %}\n")
    run = rtms_doctor("lint", "--root", str(draft))
    assert run.code == 1
    assert "report.md.j2" in run.err and "TemplateSyntaxError" in run.err


def test_diagnose_refuses_a_half_broken_kb(draft):
    path = _first_cause(draft)
    _replace(path, "\nprior: ", "\nprior: 7 #")
    run = rtms_doctor("diagnose", str(REPO / "examples" / "forum-13262.json"), "--root", str(draft))
    assert run.code == 3
    assert run.out == ""
    assert "nothing was run" in run.err


def test_every_rule_cites_a_source(kb):
    assert all(r.rule.source.startswith(("https://", "http://")) for r in kb.rules)
    cause_refs = {c: {ref.url for ref in cause.references} for c, cause in kb.causes.items()}
    inherited = [r for r in kb.rules if r.rule.source in cause_refs[r.cause_id]]
    assert inherited, "rules without their own source cite their cause's reference"


def test_a_rule_source_of_its_own_is_kept_and_checked(draft):
    from rtms_doctor.knowledge.load import load_knowledge
    from rtms_doctor.knowledge.paths import Roots

    path = _first_rules(draft)
    text = path.read_text()
    first_rule_id = text.split("  - id: ", 1)[1].split("\n", 1)[0]
    _replace(path, f"  - id: {first_rule_id}\n", f"  - id: {first_rule_id}\n    source: https://devforum.zoom.us/t/example/1\n")
    kb = load_knowledge(Roots.at(draft), cache=False)
    assert next(r for r in kb.rules if r.id == first_rule_id).rule.source == "https://devforum.zoom.us/t/example/1"
    _replace(path, "source: https://devforum.zoom.us/t/example/1", "source: see the forum")
    run = rtms_doctor("lint", "--root", str(draft))
    assert run.code == 3 and "source: String should match pattern" in run.err
