"""Write what rtms-doctor prints for every bundled input into one folder, to compare two trees.

A change that should not alter behaviour (a layout change, a speed-up, a new install route)
is checked by running this before and after and diffing the folders:

    python scripts/snapshot_outputs.py /tmp/before
    ... change ...
    python scripts/snapshot_outputs.py /tmp/after && diff -r /tmp/before /tmp/after

Inputs: the examples, every dev-set case, every shape and post fixture. For each: `diagnose`
as Markdown, as JSON and as the reply, and `facts` as JSON. Runs the CLI in this process
(click's runner) so a few thousand runs take seconds, not minutes.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from click.testing import CliRunner

from rtms_doctor.cli import cli

REPO = Path(__file__).resolve().parent.parent
COMMANDS = {
    "diagnose.md": ["diagnose"],
    "diagnose.json": ["diagnose", "--format", "json"],
    "reply.md": ["diagnose", "--reply"],
    "facts.json": ["facts", "--format", "json"],
}


def cases() -> list[tuple[str, list[Path]]]:
    found: list[tuple[str, list[Path]]] = []
    for example in sorted((REPO / "examples").iterdir()):
        found.append((f"examples-{example.name}", [example]))
    for folder in sorted(p for p in (REPO / "devset").iterdir() if p.is_dir()):
        inputs = sorted(p for p in folder.iterdir() if p.name != "expect.yaml")
        found.append((f"devset-{folder.name}", inputs))
    for kind in ("shapes", "posts"):
        for path in sorted((REPO / "tests" / "fixtures" / kind).iterdir()):
            if not path.name.endswith(".expect.yaml"):
                found.append((f"{kind}-{path.name}", [path]))
    return found


def main(out_dir: str) -> int:
    out = Path(out_dir).resolve()
    os.chdir(REPO)  # inputs are named relative to the repository, as reports show them
    out.mkdir(parents=True, exist_ok=True)
    runner = CliRunner()
    for name, inputs in cases():
        for suffix, command in COMMANDS.items():
            result = runner.invoke(cli, [*command, *(str(p.relative_to(REPO)) for p in inputs)])
            text = f"exit {result.exit_code}\n{result.output}"
            (out / f"{name}.{suffix}").write_text(text, encoding="utf-8")
    print(f"wrote {len(list(out.iterdir()))} outputs to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/rtms-snapshot"))
