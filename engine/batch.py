"""Many cases at once: `batch` (reports and a summary) and `eval` (accuracy on labelled cases).

A case is a file, or a folder whose files together make one case. Workers are processes
(durable_rules holds the GIL and is not thread-safe), each building its own engine once;
results come back in input order, so a parallel run writes exactly what a serial run writes.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import yaml

from .errors import InputError
from .knowledge.paths import Roots

EXPECT_FILE = "expect.yaml"


@dataclass(frozen=True)
class CaseInput:
    name: str
    files: tuple[str, ...]
    expected: tuple[str, ...] = ()
    off_topic: bool = False  # labelled as not about RTMS (expected: [], off_topic: true)


@dataclass
class CaseOutcome:
    name: str
    error: str | None = None
    ranking: list[dict[str, Any]] = field(default_factory=list)  # id, title, status, confidence
    report: str = ""
    expected: tuple[str, ...] = ()
    expected_off_topic: bool = False
    off_topic: bool = False  # what the tool said
    thin: bool = False


def _case_files(folder: Path) -> tuple[str, ...]:
    return tuple(str(p) for p in sorted(folder.iterdir())
                 if p.is_file() and not p.name.startswith(".") and p.name != EXPECT_FILE)


def _expected(folder: Path, stem: str | None = None) -> tuple[tuple[str, ...], bool]:
    """(expected cause ids, whether the case is labelled off-topic)."""
    path = folder / (f"{stem}.{EXPECT_FILE}" if stem else EXPECT_FILE)
    if not path.exists():
        return (), False
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {exc}") from None
    expected = data.get("expected") if isinstance(data, dict) else None
    if not isinstance(expected, list) or not all(isinstance(e, str) for e in expected):
        raise InputError(f"{path}: needs 'expected: [cause_id, ...]'")
    return tuple(expected), data.get("off_topic") is True


def discover(paths: Iterable[str]) -> list[CaseInput]:
    """Files are cases; a folder holds cases: each file in it is one case, each sub-folder one
    case made of all its files. A folder with an expect.yaml is itself one case."""
    cases = list(iter_cases(paths))
    counts = Counter(c.name for c in cases)
    duplicates = sorted(n for n, k in counts.items() if k > 1)
    if duplicates:
        raise InputError(f"two cases share the name {duplicates[0]}; rename one")
    return cases


def iter_cases(paths: Iterable[str],
               sort_names: Callable[[Iterable[str]], Iterable[str]] = sorted) -> Iterator[CaseInput]:
    """The cases of `discover`, in its order, one at a time (no duplicate check). A folder's
    entries are listed by name and put in order by SORT_NAMES (`batch` sorts a big folder on
    disk rather than in memory)."""
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{raw}: no such file or folder")
        if path.is_file():
            yield CaseInput(path.stem, (str(path),), *_expected(path.parent, path.stem))
        elif (path / EXPECT_FILE).exists():
            yield CaseInput(path.name, _case_files(path), *_expected(path))
        else:
            # the order of sorted(path.iterdir()): children of one folder compare by name
            for name in sort_names(entry.name for entry in os.scandir(path)):
                child = path / name
                if child.name.startswith(".") or child.name.endswith(EXPECT_FILE):
                    continue
                if child.is_dir():
                    files = _case_files(child)
                    if files:
                        yield CaseInput(child.name, files, *_expected(child))
                else:
                    yield CaseInput(child.stem, (str(child),), *_expected(path, child.stem))


# -- one worker's engine ----------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init(root: str | None, fmt: str) -> None:
    from .reasoning.diagnosis import Doctor
    from .reasoning.durable_engine import BATCH_SAMPLE
    from .knowledge.load import load_knowledge
    from .output.render import Renderer

    kb = load_knowledge(Roots.at(Path(root)) if root else None)
    # durable_rules cross-checks a deterministic sample of the cases (the reference evaluation,
    # which the ranking uses, runs on all): README, "The engine"
    _WORKER.update(kb=kb, doctor=Doctor(kb, cross_check=BATCH_SAMPLE), renderer=Renderer(kb), fmt=fmt)


def _run(case: CaseInput) -> CaseOutcome:
    from .ingest import read_inputs

    kb, doctor, renderer, fmt = _WORKER["kb"], _WORKER["doctor"], _WORKER["renderer"], _WORKER["fmt"]
    try:
        if not case.files:
            raise InputError("no input files")
        diagnosis = doctor.diagnose(read_inputs(case.files, kb), questions=fmt != "none")
    except InputError as exc:
        from .outlet import one_line

        return CaseOutcome(case.name, error=one_line(str(exc)), expected=case.expected,
                           expected_off_topic=case.off_topic)
    ranking = [{"id": r.cause.id, "title": r.cause.title, "status": r.status,
                "confidence": round(r.confidence, 4)} for r in diagnosis.causes]
    report = {"markdown": renderer.markdown, "json": renderer.json, "reply": renderer.reply}.get(fmt)
    # a label may use a catalog id that the KB splits into several causes (aliases)
    expected = tuple(dict.fromkeys(c for e in case.expected for c in kb.aliases.get(e, (e,))))
    from .outlet import clean  # here, where this case's secret set is known

    return CaseOutcome(case.name, ranking=ranking, report=clean(report(diagnosis)) if report else "",
                       expected=expected, expected_off_topic=case.off_topic,
                       off_topic=diagnosis.off_topic, thin=diagnosis.thin)


def run_cases(cases: Iterable[CaseInput], root: str | None, fmt: str, jobs: int,
              progress: Callable[[int], None] | None = None, count: int | None = None) -> Iterator[CaseOutcome]:
    """Outcomes in input order; jobs > 1 uses that many worker processes. CASES may be an
    iterator (taken one at a time) when COUNT says how many it holds."""
    if count is None:
        cases = list(cases)
        count = len(cases)
    if jobs <= 1 or count <= 1:
        _init(root, fmt)
        for case in cases:
            outcome = _run(case)
            if progress:
                progress(1)
            yield outcome
        return
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with context.Pool(jobs, initializer=_init, initargs=(root, fmt)) as pool:
        chunk = max(1, min(64, count // (jobs * 8)))
        for outcome in pool.imap(_run, cases, chunksize=chunk):
            if progress:
                progress(1)
            yield outcome


# -- summaries ---------------------------------------------------------------------------------

def summary_rows(outcomes: list[CaseOutcome]) -> list[dict[str, Any]]:
    rows = []
    for o in outcomes:
        shown = [r for r in o.ranking if r["status"] in ("likely", "possible")]
        top = shown[0] if shown else None
        runner = shown[1] if len(shown) > 1 else None
        rows.append({
            "case": o.name,
            "top_cause": top["id"] if top else "",
            "confidence": top["confidence"] if top else "",
            "runner_up": runner["id"] if runner else "",
            "status": "error: " + o.error if o.error else (top["status"] if top else "no cause supported"),
        })
    return rows


@dataclass
class EvalFigures:
    cases: int
    top1: float
    top3: float
    mean_rank: float
    misses: list[dict[str, Any]]
    errors: list[dict[str, str]]


def evaluate(outcomes: list[CaseOutcome]) -> EvalFigures:
    """Top-1 / top-3 accuracy (the expected cause ranked there and likely or possible) and
    the mean rank of the expected cause in the full ranking."""
    labelled = [o for o in outcomes if (o.expected or o.expected_off_topic) and not o.error]
    top1 = top3 = 0
    ranks: list[int] = []
    misses = []
    for o in labelled:
        if o.expected_off_topic:  # right when the tool calls it off-topic
            top1 += o.off_topic
            top3 += o.off_topic
            ranks.append(1 if o.off_topic else 2)
            if not o.off_topic:
                misses.append({"case": o.name, "expected": ["(off-topic)"], "rank": 2,
                               "said": [f"{r['id']} ({r['status']}, {round(r['confidence'] * 100)}%)"
                                        for r in o.ranking[:3]]})
            continue
        ids = [r["id"] for r in o.ranking]
        # a post called off-topic shows no cause
        shown = [] if o.off_topic else [r["id"] for r in o.ranking if r["status"] in ("likely", "possible")]
        rank = min((ids.index(e) + 1 for e in o.expected if e in ids), default=len(ids) + 1)
        ranks.append(rank)
        hit1 = bool(shown) and shown[0] in o.expected
        top1 += hit1
        top3 += any(e in shown[:3] for e in o.expected)
        if not hit1:
            misses.append({"case": o.name, "expected": list(o.expected), "rank": rank,
                           "said": [f"{r['id']} ({r['status']}, {round(r['confidence'] * 100)}%)"
                                    for r in o.ranking[:3]]})
    n = len(labelled) or 1
    errors = [{"case": o.name, "error": o.error or ""} for o in outcomes if o.error]
    return EvalFigures(len(labelled), top1 / n, top3 / n, sum(ranks) / n if ranks else 0.0, misses, errors)
