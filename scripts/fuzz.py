#!/usr/bin/env python3
"""A longer, randomised fuzz run over the strategies of tests/test_fuzz.py.

    python scripts/fuzz.py [--seconds 60] [--cli-every 25] [--out /tmp/rtms-fuzz-failures]

Each generated case (Zoom JSON shapes, case JSON, prose and logs, random text and bytes,
mutated seeds, multi-file cases, planted secrets) runs in process through read_case,
Doctor.diagnose and every renderer, with the checks of the test suite: only InputError may be
raised, a refusal is one line, outputs are UTF-8 and the JSON is real JSON, no planted secret
appears. Every --cli-every'th case also runs through the real CLI (exit 0 or 2, one stderr
line, no traceback, an answer within 60 s). A case taking more than --slow seconds in process
counts as a failure too.

Failing inputs are written to OUT/<run>/<signature>-<n>/ with the error and a command to
reproduce it; failures are grouped by signature (exception and the engine function raising
it), known bugs (tests/test_fuzz.py KNOWN_BUGS) marked as such. Exit status 1 when a failure
is not a known bug.
"""
from __future__ import annotations

import argparse
import hashlib
import re
import shlex
import subprocess
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.reporting import with_reporter  # noqa: E402

import test_fuzz as F  # noqa: E402  (the strategies and checks of the suite)
from rtms_doctor.reasoning.diagnosis import Doctor  # noqa: E402
from rtms_doctor.knowledge.load import load_knowledge  # noqa: E402

PER_SIGNATURE = 3  # reproducers kept per distinct failure


class TimeUp(BaseException):
    """Ends hypothesis's run without counting as a failure (it only catches Exception)."""


@dataclass
class Failure:
    signature: str
    summary: str
    known: str | None
    paths: list[Path] = field(default_factory=list)
    count: int = 0


@dataclass
class Run:
    out: Path
    work: Path
    tried: int = 0
    cli_runs: int = 0
    failures: dict[str, Failure] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def failed(self) -> int:
        return sum(f.count for f in self.failures.values())


def _signature(exc: BaseException) -> tuple[str, str]:
    """A stable key for 'the same bug': exception type, innermost engine frame, message shape."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(str(REPO / "engine"))]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno} {frames[-1].name}" if frames else "outside engine/"
    message = str(exc).split("\n")[0][:160]
    shape = re.sub(r"\d+", "N", re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", message))[:100]
    key = hashlib.sha1(f"{type(exc).__name__}|{where}|{shape}".encode()).hexdigest()[:10]
    return key, f"{type(exc).__name__} at {where}: {message}"


def _record(run: Run, kind: str, files: list[tuple[str, bytes]], exc: BaseException, known: str | None,
            detail: str = "") -> None:
    key, summary = _signature(exc)
    failure = run.failures.setdefault(key, Failure(key, summary, known))
    failure.count += 1
    if len(failure.paths) >= PER_SIGNATURE:
        return
    folder = run.out / f"{key}-{failure.count}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (name, data) in enumerate(files):
        path = folder / (name if len(files) == 1 else f"{i}-{name}")
        path.write_bytes(data)
        paths.append(str(path))
    command = " ".join(shlex.quote(p) for p in [sys.executable, "-m", "rtms_doctor.cli", "diagnose", *paths])
    (folder / "error.txt").write_text(
        f"generator: {kind}\nknown bug: {known or 'no'}\n{detail}\nreproduce: {command}\n\n"
        + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)), encoding="utf-8")
    failure.paths.append(folder)


class Slow(Exception):
    pass


class CliContract(Exception):
    pass


def _check(run: Run, kb, doctor, kind: str, files: list[tuple[str, bytes]], needles: list[str],  # type: ignore[no-untyped-def]
           cli: bool, slow: float) -> None:
    paths = F.write_case(run.work, files)
    start = time.monotonic()
    try:
        outputs = F.check_in_process(kb, doctor, paths)
        for name, text in (outputs or {}).items():
            for needle in needles:
                assert needle not in text, f"secret {needle!r} leaked into the {name} output"
    except Exception as exc:  # noqa: BLE001 - every failure is recorded
        _record(run, kind, files, exc, F.known_bug(exc))
        return
    elapsed = time.monotonic() - start
    if elapsed > slow:
        try:
            raise Slow(f"took {elapsed:.1f}s in process (limit {slow}s)")
        except Slow as exc:
            _record(run, kind, files, exc, None, f"{sum(len(d) for _, d in files)} bytes")
    if cli:
        run.cli_runs += 1
        try:
            result = F.cli("diagnose", *paths, timeout=F.HANG_SECONDS)
            F.check_cli_run(result)
            if needles and any(n in result.out or n in result.err for n in needles):
                raise AssertionError("a planted secret reached the CLI's output")
        except subprocess.TimeoutExpired as exc:
            _record(run, kind, files, CliContract(f"no answer within {F.HANG_SECONDS}s"), None, str(exc))
        except AssertionError as exc:
            _record(run, kind, files, CliContract(str(exc).split("\n")[0]), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long to run (default 60)")
    parser.add_argument("--cli-every", type=int, default=25, help="run every N-th case through the CLI too (0: never)")
    parser.add_argument("--slow", type=float, default=10.0, help="seconds in process that count as a hang")
    parser.add_argument("--out", type=Path, default=Path("/tmp/rtms-fuzz-failures"))
    args = parser.parse_args(argv)

    stamp = time.strftime("%Y%m%d-%H%M%S")
    run = Run(out=args.out / f"run-{stamp}", work=Path(tempfile.mkdtemp(prefix="rtms-fuzz-work-")))
    kb = load_knowledge()
    doctor = Doctor(kb)
    generators = {name: strategy.map(lambda files: (files, [])) for name, strategy in F.CASES.items()}
    generators["secrets"] = F.planted_secret()
    names = sorted(generators)
    deadline = time.monotonic() + args.seconds

    @settings(max_examples=10 ** 9, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False)
    @given(kind=st.sampled_from(names), data=st.data())
    def fuzz(kind: str, data) -> None:  # type: ignore[no-untyped-def]
        files, needles = data.draw(generators[kind])
        if time.monotonic() > deadline:
            raise TimeUp
        run.tried += 1
        run.by_kind[kind] += 1
        cli = args.cli_every > 0 and run.tried % args.cli_every == 0
        _check(run, kb, doctor, kind, files, needles, cli, args.slow)

    try:
        with with_reporter(lambda *_: None):  # hypothesis would report TimeUp as a failure
            fuzz()
    except TimeUp:
        pass

    print(f"inputs tried: {run.tried}, failures: {run.failed}")
    print(f"  ({run.cli_runs} also through the CLI; by generator: "
          + ", ".join(f"{k} {v}" for k, v in sorted(run.by_kind.items())) + ")")
    new = 0
    for failure in sorted(run.failures.values(), key=lambda f: (f.known is not None, -f.count)):
        label = f"known ({failure.known})" if failure.known else "NEW"
        new += failure.known is None
        print(f"- {label}: {failure.count} x {failure.summary}")
        for path in failure.paths:
            print(f"    reproducer: {path}")
    if run.failures:
        print(f"{len(run.failures)} distinct failure(s), {new} not known; inputs in {run.out}")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
