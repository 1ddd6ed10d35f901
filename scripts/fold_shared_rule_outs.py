"""Move hand-written copies of the shared rule-outs into their cause's fields.

A rule file's `<cause>.symptom_elsewhere` rule becomes `symptoms: [...]` in the cause file and
its `<cause>.never_started` rule becomes `needs_stream: true`; both rules are then generated at
load from kb/rule_templates.yaml. Run it on rule files written in the old convention.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
RULE_START = re.compile(r"^  - id: ", re.M)


def fold(rule_path: Path) -> bool:
    data = yaml.safe_load(rule_path.read_text(encoding="utf-8"))
    cause_id = data["cause"]
    shared = {r["id"].split(".", 1)[1]: r for r in data["rules"]
              if r["id"].split(".", 1)[1] in ("symptom_elsewhere", "never_started")}
    if not shared:
        return False
    text = rule_path.read_text(encoding="utf-8")
    starts = [m.start() for m in RULE_START.finditer(text)] + [len(text)]
    kept = text[:starts[0]]
    for begin, end in zip(starts, starts[1:]):
        block = text[begin:end]
        rule_id = block.split("\n", 1)[0].split("id:", 1)[1].strip()
        if rule_id.split(".", 1)[1] not in shared:
            kept += block
    rule_path.write_text(kept.rstrip("\n") + "\n", encoding="utf-8")
    cause_path = next((REPO / "kb" / "causes").rglob(f"{cause_id}.yaml"))
    lines = cause_path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("impact:")) + 1
    added = []
    if "symptom_elsewhere" in shared:
        added.append(f"symptoms: [{', '.join(shared['symptom_elsewhere']['when']['not_in'])}]\n")
    if "never_started" in shared:
        added.append("needs_stream: true\n")
    cause_path.write_text("".join(lines[:at] + added + lines[at:]), encoding="utf-8")
    return True


def main(paths: list[str]) -> int:
    files = [Path(p) for p in paths] or sorted((REPO / "rules").rglob("*.yaml"))
    folded = [p for p in files if fold(p)]
    print(f"folded the shared rule-outs of {len(folded)} rule files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
