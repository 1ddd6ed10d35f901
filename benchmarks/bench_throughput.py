"""End-to-end throughput as `batch` runs it: reading, diagnosis, follow-up questions and the
Markdown report, one process, full KB, per kind of input and on a realistic mix.

Inputs are written to a temporary folder: ~3,000 short forum posts made by combining sentences
of the post fixtures and the development set's posts (seeded, so every run reads the same
text; never the blind set), the development set's logs and Zoom JSON, and case JSON from the
scenarios and rule cases. Targets: >= 1,000 posts/s and >= 2,000 case JSON/s per process.
Prints figures, asserts nothing.
"""
from __future__ import annotations

import json
import os
import random
import re
import tempfile
import time
from pathlib import Path

from corpus import case_dicts

from rtms_doctor import batch
from rtms_doctor.knowledge.load import load_knowledge

REPO = Path(__file__).resolve().parent.parent
POSTS = 3000
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def sentences() -> list[str]:
    found: list[str] = []
    sources = sorted((REPO / "tests" / "fixtures" / "posts").glob("*.txt"))
    sources += sorted(p for p in (REPO / "devset").glob("*/*") if p.name in ("post.txt", "email.txt"))
    for path in sources:
        for sentence in _SENTENCE.split(path.read_text(encoding="utf-8")):
            sentence = " ".join(sentence.split())
            if 20 <= len(sentence) <= 400:
                found.append(sentence)
    return found


def write_inputs(folder: Path) -> dict[str, list[batch.CaseInput]]:
    rng = random.Random(14)
    pool = sentences()
    kinds: dict[str, list[batch.CaseInput]] = {"post": [], "log": [], "Zoom JSON": [], "case JSON": []}
    for i in range(POSTS):
        path = folder / f"post-{i:05d}.txt"
        path.write_text(" ".join(rng.sample(pool, rng.randint(3, 6))) + "\n", encoding="utf-8")
        kinds["post"].append(batch.CaseInput(path.stem, (str(path),)))
    for path in sorted((REPO / "devset").glob("*/*")):
        kind = "log" if path.suffix == ".log" else "Zoom JSON" if path.suffix in (".json", ".jsonl") else None
        if kind and path.name != "case.json":
            kinds[kind].append(batch.CaseInput(f"{path.parent.name}-{path.name}", (str(path),)))
    kb = load_knowledge()
    for i, facts in enumerate(case_dicts(kb)[:3000]):
        path = folder / f"case-{i:05d}.json"
        path.write_text(json.dumps({"case_version": 1, **facts}), encoding="utf-8")
        kinds["case JSON"].append(batch.CaseInput(path.stem, (str(path),)))
    return kinds


def rate(cases: list[batch.CaseInput], rounds: int = 1) -> tuple[float, int]:
    errors = 0
    start = time.perf_counter()
    for _ in range(rounds):
        for case in cases:
            errors += bool(batch._run(case).error)
    return len(cases) * rounds / (time.perf_counter() - start), errors


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="rtms-bench-throughput-") as tmp:
        kinds = write_inputs(Path(tmp))
        batch._init(None, "markdown")
        doctor = batch._WORKER["doctor"]
        for cases in kinds.values():  # warm-up: patterns compiled, shards registered
            rate(cases[:50])
        print(f"one process, Markdown reports, durable_rules cross-checks 1 in {doctor.cross_check} cases; "
              f"load average {os.getloadavg()[0]:.2f}")
        for kind, cases in kinds.items():
            rounds = max(1, 3000 // max(1, len(cases)))
            per_s, errors = rate(cases, rounds)
            print(f"{kind:10s} {len(cases):5d} inputs x {rounds:3d}: {per_s:8.0f} cases/s  ({1e3 / per_s:6.2f} ms/case)"
                  + (f"  {errors // rounds} rejected as errors" if errors else ""))
        mix = [c for cases in kinds.values() for c in cases]
        random.Random(1).shuffle(mix)
        per_s, _ = rate(mix)
        print(f"{'mix':10s} {len(mix):5d} inputs:       {per_s:8.0f} cases/s  (headline)")
        print("targets: >= 1,000 posts/s and >= 2,000 case JSON/s per process")


if __name__ == "__main__":
    main()
