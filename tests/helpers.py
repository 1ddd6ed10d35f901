"""Running the CLI as a user would: a real process, its exit status, stdout and stderr."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    code: int
    out: str
    err: str


def rtms_doctor(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
                cwd: Path | None = None) -> Run:
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "rtms_doctor.cli", *args], input=stdin,
                          capture_output=True, text=True, env=full_env, cwd=cwd or REPO, timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def read_post(tmp_path: Path, kb, text: str, name: str = "post.txt"):  # type: ignore[no-untyped-def]
    """The resolved facts of TEXT pasted as one file (the readers' tests: what a post gives)."""
    from rtms_doctor.ingest import read_case

    post = tmp_path / name
    post.write_text(text, encoding="utf-8")
    return read_case([str(post)], kb)[0]
