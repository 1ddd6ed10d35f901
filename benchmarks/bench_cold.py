"""Cold `rtms-doctor diagnose` as a new user meets it: a regular (non-editable) install in a
fresh virtual environment, run from a folder outside the repository, KB cache warm.

Four inputs staff really paste: the bundled case JSON, a bare REST error body, a forum post
and a 50-line SDK log; each as Markdown and as JSON. Each figure is the median over repeated
process starts, and its ratio to `python -c pass` timed in the same run (commands alternate,
so a change in the machine's load affects all alike); the CPU time of each start is shown too,
as on a busy machine it moves far less than the wall time. Also the first start after the
install, with an empty KB cache. Targets: < 100 ms and < 10x `python -c pass` warm; < 1 s
first start. Prints figures, asserts nothing.

    python benchmarks/bench_cold.py                # builds a temporary venv (a minute or two)
    python benchmarks/bench_cold.py --venv DIR     # reuses a venv with rtms-doctor installed
    python benchmarks/bench_cold.py --instructions # also: instructions per start (valgrind)

Wall time on a shared machine moves with other work; `--instructions` also counts the
instructions each start executes under valgrind's callgrind (one run each, deterministic to
~0.1 %), the figure to compare two versions by when the machine is busy.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INPUTS = {
    "case JSON (examples/forum-13262.json)": REPO / "examples" / "forum-13262.json",
    "REST error body (2310)": REPO / "benchmarks" / "inputs" / "rest-error-2310.json",
    "forum post (posts/forum-13262.txt)": REPO / "tests" / "fixtures" / "posts" / "forum-13262.txt",
    "SDK log, 50 lines": REPO / "benchmarks" / "inputs" / "sdk-50.log",
}
FIRST_RUNS = 5


def build_venv(folder: Path) -> Path:
    """A fresh venv with rtms-doctor installed from the repository as a regular install."""
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    print(f"installing rtms-doctor into {venv} (regular install) ...", file=sys.stderr)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", str(REPO)],
                   check=True, cwd=folder)
    return venv


def install_kind(venv: Path) -> str:
    code = ("import json; from importlib import metadata as m; d = m.distribution('rtms-doctor')"
            ".read_text('direct_url.json'); print(bool(d and json.loads(d).get('dir_info', {}).get('editable')))")
    editable = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True)
    return {"True": "editable install", "False": "regular install"}.get(editable.stdout.strip(), "unknown install")


CPU: dict[str, list[float]] = {}  # command name -> CPU ms (user + system) of each start


def timed(cmd: list[str], env: dict[str, str], cwd: Path, name: str = "") -> float:
    """Wall ms of one start; its CPU ms (what another process's load changes least) to CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    CPU.setdefault(name, []).append(used)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, help="a venv with rtms-doctor installed (default: build one)")
    parser.add_argument("--runs", type=int, default=21, help="starts per command (median)")
    parser.add_argument("--instructions", action="store_true",
                        help="also count each start's instructions with valgrind (callgrind)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rtms-bench-cold-") as tmp:
        work = Path(tmp)
        venv = args.venv.resolve() if args.venv else build_venv(work)
        python, script = str(venv / "bin" / "python"), str(venv / "bin" / "rtms-doctor")
        env = {**os.environ, "RTMS_DOCTOR_CACHE": str(work / "cache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        commands: dict[str, list[str]] = {"python -c pass": [python, "-c", "pass"]}
        for name, path in INPUTS.items():
            commands[f"{name}, Markdown"] = [script, "diagnose", str(path)]
            commands[f"{name}, JSON"] = [script, "diagnose", "--format", "json", str(path)]
        first = [timed(commands[f"{next(iter(INPUTS))}, Markdown"],
                       {**env, "RTMS_DOCTOR_CACHE": str(work / f"empty-{i}")}, work) for i in range(FIRST_RUNS)]
        first_post = [timed(commands[f"{list(INPUTS)[2]}, Markdown"],
                            {**env, "RTMS_DOCTOR_CACHE": str(work / f"empty-post-{i}")}, work)
                      for i in range(FIRST_RUNS)]
        for cmd in commands.values():  # warm the KB cache, the bytecode and the OS file cache
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=work)
        load_before = os.getloadavg()
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(timed(cmd, env, work, name))
        load_after = os.getloadavg()
        bare = statistics.median(times["python -c pass"])
        print(f"{install_kind(venv)}; Python {sys.version.split()[0]}; {os.cpu_count()} cores; "
              f"median of {args.runs} starts, run from {work}; load average "
              f"{load_before[0]:.2f} before, {load_after[0]:.2f} after")
        bare_cpu = statistics.median(CPU["python -c pass"])
        print(f"{'':50s} {'wall':>10s} {'(quartiles)':>11s} {'ratio':>6s}   {'CPU':>8s} {'ratio':>6s}")
        for name, values in times.items():
            median, cpu = statistics.median(values), statistics.median(CPU[name])
            print(f"{name:50s} {median:7.1f} ms {_quartiles(values):>11s} {median / bare:5.1f}x   "
                  f"{cpu:5.1f} ms {cpu / bare_cpu:5.1f}x")
        print(f"{'first start, empty KB cache, case JSON':50s} {statistics.median(first):7.1f} ms  "
              f"(median of {FIRST_RUNS}; parses and validates every YAML file, then caches)")
        print(f"{'first start, empty KB cache, forum post':50s} {statistics.median(first_post):7.1f} ms")
        print("targets: diagnose < 100 ms and < 10x python -c pass (KB cache warm); first start < 1 s")
        if args.instructions:
            _instructions(commands, env, work)
        print(json.dumps({name: round(statistics.median(v), 1) for name, v in times.items()}), file=sys.stderr)


def _instructions(commands: dict[str, list[str]], env: dict[str, str], cwd: Path) -> None:
    """Millions of instructions per start, counted by callgrind (independent of the load)."""
    import re
    import shutil

    if not shutil.which("valgrind"):
        print("instructions: valgrind not found")
        return
    counts: dict[str, float] = {}
    for name, cmd in commands.items():
        run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
                             capture_output=True, text=True, env=env, cwd=cwd)
        found = re.search(r"Collected : (\d+)", run.stderr)
        counts[name] = int(found.group(1)) / 1e6 if found else float("nan")
    bare = counts["python -c pass"]
    print(f"{'instructions per start (callgrind)':50s} {'Minstr':>10s} {'ratio':>6s}")
    for name, count in counts.items():
        print(f"{name:50s} {count:10.1f} {count / bare:5.1f}x")


def _quartiles(values: list[float]) -> str:
    q1, _, q3 = statistics.quantiles(values, n=4)
    return f"{q1:.0f}-{q3:.0f}"


if __name__ == "__main__":
    main()
