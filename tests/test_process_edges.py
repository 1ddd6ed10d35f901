"""The edges of the process: no traceback, no hang, I/O errors one line and exit 2, a reader
that leaves ends quietly (status 0), batch exits 2 naming failed cases and never overwrites an
input or leaves a stale report, and a KB cache that cannot run code."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO, rtms_doctor

EXAMPLE = str(REPO / "examples" / "forum-13262.json")
SCRIPT = [sys.executable, "-m", "rtms_doctor.cli"]


def _one_clean_line(err: str) -> None:
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("rtms-doctor: error:"), err
    assert "Traceback" not in err


def test_binary_file_and_stdin_exit_2(tmp_path):
    blob = tmp_path / "core.bin"
    blob.write_bytes(bytes(range(256)) * 40)
    run = rtms_doctor("diagnose", str(blob))
    assert run.code == 2
    _one_clean_line(run.err)
    proc = subprocess.run([*SCRIPT, "diagnose", "-"], input=b"\x00" * 500 + b"text", capture_output=True,
                          cwd=REPO, timeout=60)
    assert proc.returncode == 2 and b"binary" in proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    run = rtms_doctor("diagnose", str(fifo))  # helpers' timeout fails the test on a hang
    assert run.code == 2
    _one_clean_line(run.err)


def test_broken_pipe_is_quiet():
    proc = subprocess.run(f"{sys.executable} -m rtms_doctor.cli kb list | head -1", shell=True, cwd=REPO,
                          capture_output=True, text=True, timeout=60, executable="/bin/bash")
    assert "Traceback" not in proc.stderr and not proc.stderr.strip()
    status = subprocess.run(f"{sys.executable} -m rtms_doctor.cli kb list | head -1 >/dev/null; "
                            f"echo ${{PIPESTATUS[0]}}", shell=True, cwd=REPO, capture_output=True, text=True,
                            timeout=60, executable="/bin/bash")
    assert status.stdout.strip() == "0"


def test_closed_stdout_is_quiet():
    proc = subprocess.run(f"{sys.executable} -m rtms_doctor.cli kb list >&-", shell=True, cwd=REPO,
                          capture_output=True, text=True, timeout=60, executable="/bin/bash")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_full_disk_is_one_line():
    with open("/dev/full", "w") as full:
        proc = subprocess.run([*SCRIPT, "diagnose", EXAMPLE], stdout=full, stderr=subprocess.PIPE, text=True,
                              cwd=REPO, timeout=60)
    assert proc.returncode == 2
    _one_clean_line(proc.stderr)


def test_latin1_terminal_is_one_line():
    run = rtms_doctor("diagnose", EXAMPLE, env={"PYTHONIOENCODING": "latin-1"})
    assert run.code == 2
    _one_clean_line(run.err)
    assert "encoding" in run.err


def test_unwritable_out_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    run = rtms_doctor("batch", "--jobs", "1", "--out", str(blocker / "reports"), EXAMPLE)
    assert run.code == 2
    _one_clean_line(run.err)


def test_unwritable_save_keeps_the_report(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("account.plan: pro\n")
    run = rtms_doctor("ask", "--answers", str(answers), "--save", str(tmp_path / "no" / "case.json"), EXAMPLE)
    assert run.code == 2
    assert "# RTMS diagnosis" in run.out  # the report first, then the error
    assert run.err.strip().splitlines()[-1].startswith("rtms-doctor: error:") and "Traceback" not in run.err


def test_ask_interactive_with_stdin_closed():
    proc = subprocess.run(f"{sys.executable} -m rtms_doctor.cli ask --interactive {EXAMPLE} <&-", shell=True,
                          cwd=REPO, capture_output=True, text=True, timeout=60, executable="/bin/bash")
    assert proc.returncode == 2
    _one_clean_line(proc.stderr)


def test_batch_exit_names_failures_keeps_inputs_and_removes_stale(tmp_path):
    cases = tmp_path / "in"
    cases.mkdir()
    (cases / "ok.json").write_text(Path(EXAMPLE).read_text())
    (cases / "summary.txt").write_text("RTMS never starts, we get 2310 from the API.")
    (cases / "=1+2.json").write_text(Path(EXAMPLE).read_text())
    out = tmp_path / "out"
    run = rtms_doctor("batch", "--jobs", "1", "--out", str(out), str(cases))
    assert run.code == 0, run.err
    assert (out / "summary-case.md").exists() and (out / "summary.md").read_text().startswith("#")
    assert "'=1+2" in (out / "summary.csv").read_text()  # a formula becomes text
    assert (out / "=1+2.md").exists()
    (cases / "=1+2.json").write_bytes(b"\x00" * 200)  # now it fails
    run = rtms_doctor("batch", "--jobs", "1", "--out", str(out), str(cases))
    assert run.code == 2 and "=1+2" in run.err.splitlines()[-1]
    assert not (out / "=1+2.md").exists()  # its stale report is gone
    assert (out / "ok.md").exists()
    manifest = json.loads((out / ".rtms-doctor-manifest.json").read_text())
    assert "=1+2" not in manifest["reports"]


def test_batch_never_writes_over_an_input(tmp_path):
    (tmp_path / "summary.csv").write_text("case,notes\n")
    (tmp_path / "case.txt").write_text("RTMS never starts, we get 2310 from the API.")
    run = rtms_doctor("batch", "--jobs", "1", "--out", str(tmp_path), str(tmp_path / "summary.csv"),
                      str(tmp_path / "case.txt"))
    assert run.code == 2
    assert (tmp_path / "summary.csv").read_text() == "case,notes\n"


# -- the KB cache -------------------------------------------------------------------------------

def _cache_env(tmp_path: Path) -> dict[str, str]:
    return {"RTMS_DOCTOR_CACHE": str(tmp_path / "cache"), "RTMS_DOCTOR_KEY_DIR": str(tmp_path / "key")}


def test_cache_is_signed_and_a_planted_pickle_never_runs(tmp_path):
    env = _cache_env(tmp_path)
    assert rtms_doctor("kb", "list", env=env).code == 0
    files = list((tmp_path / "cache").glob("kb-*"))
    assert len(files) == 1
    key = tmp_path / "key" / "cache.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "cache").stat().st_mode & 0o777 == 0o700
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):  # unpickling this would create the marker file
            return (open, (str(marker), "w"))

    files[0].write_bytes(pickle.dumps(Evil()))
    run = rtms_doctor("kb", "list", env=env)
    assert run.code == 0 and not marker.exists()
    files[0].write_bytes(pickle.dumps({"a": "valid pickle of the wrong thing"}))
    assert rtms_doctor("kb", "list", env=env).code == 0
    assert files[0].read_bytes().startswith(b"rtms-doctor-kb-cache/")  # rebuilt, signed


def test_cache_keeps_only_the_current_file_and_no_temporaries(tmp_path):
    env = _cache_env(tmp_path)
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    (folder / "kb-old.pickle").write_bytes(b"x")
    stale = folder / "tmpabc123"
    stale.write_bytes(b"x")
    os.utime(stale, (0, 0))
    assert rtms_doctor("kb", "list", env=env).code == 0
    files = sorted(p.name for p in folder.iterdir() if p.is_file())
    # the compiled dataclass methods (code_cache.py), the KB's current cache and the compiled
    # regular expressions (regex_cache.py), nothing else
    assert [name.split("-")[0] for name in files] == ["code", "kb", "regex"]
    assert all(n.endswith(".cache") for n in files)


def test_shared_cache_folder_is_not_used(tmp_path):
    env = _cache_env(tmp_path)
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(0o777)  # anyone could plant a file here
    assert rtms_doctor("kb", "list", env=env).code == 0
    assert not list(folder.glob("kb-*"))
