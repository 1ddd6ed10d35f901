"""`eval` over a folder of single-file cases, each labelled by its own X.expect.yaml."""
from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from rtms_doctor.batch import discover
from rtms_doctor.cli import cli

POST = Path(__file__).parent / "fixtures" / "posts" / "forum-13262.txt"


def _folder(tmp_path: Path) -> Path:
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(POST, cases / "a.txt")
    (cases / "a.expect.yaml").write_text("expected: [no_developer_pack]\n", encoding="utf-8")
    shutil.copy(POST, cases / "b.txt")  # unlabelled
    return cases


def test_single_file_cases_in_a_folder_carry_their_own_labels(tmp_path):
    by_name = {case.name: case for case in discover([str(_folder(tmp_path))])}
    assert (by_name["a"].expected, by_name["a"].off_topic) == (("no_developer_pack",), False)
    assert (by_name["b"].expected, by_name["b"].off_topic) == ((), False)


def test_eval_scores_a_folder_of_labelled_files(tmp_path):
    result = CliRunner().invoke(cli, ["eval", str(_folder(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "| 1 | 100% | 100% |" in result.output  # the labelled case, scored; the other not counted
