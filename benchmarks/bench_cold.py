"""Cold `rtms-doctor diagnose` of one case: median wall time over repeated process starts,
and its ratio to `python -c pass`. Target: under 150 ms median on a 2-core machine.

It runs the installed console script, as a user would. Bytecode is compiled first, as
`pip install` does for a regular install (this matters where PYTHONDONTWRITEBYTECODE is set:
an editable install would otherwise recompile every module on every start). The two commands
are timed alternately so that a change in the machine's load affects both alike.
"""
from __future__ import annotations

import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import rtms_doctor

REPO = Path(__file__).resolve().parent.parent
RUNS = 31
FIRST_RUNS = 5  # starts with an empty KB cache (the first run after an install or a KB edit)


def install_kind() -> str:
    try:
        direct = metadata.distribution("rtms-doctor").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return "not installed"
    editable = bool(direct and json.loads(direct).get("dir_info", {}).get("editable"))
    return "editable install" if editable else "regular install"


def command() -> list[str]:
    script = Path(sys.executable).with_name("rtms-doctor")
    if script.exists():
        return [str(script)]
    found = shutil.which("rtms-doctor")
    return [found] if found else [sys.executable, "-m", "rtms_doctor.cli"]


def main() -> None:
    compileall.compile_dir(Path(rtms_doctor.__file__).parent, quiet=1)
    example = str(REPO / "examples" / "forum-13262.json")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "rtms-doctor diagnose (Markdown)": command() + ["diagnose", example],
        "rtms-doctor diagnose --format json": command() + ["diagnose", "--format", "json", example],
    }
    for cmd in commands.values():  # warm the KB cache and the OS file cache
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(RUNS):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append((time.perf_counter() - start) * 1000)
    bare = statistics.median(times["python -c pass"])
    print(f"{install_kind()}; Python {sys.version.split()[0]}; {os.cpu_count()} cores; median of {RUNS} starts")
    for name, values in times.items():
        median = statistics.median(values)
        ratio = "" if name == "python -c pass" else f"  {median / bare:4.1f}x python -c pass"
        print(f"{name:36s} {median:7.1f} ms  (quartiles {_quartiles(values)}){ratio}")
    first = []
    for _ in range(FIRST_RUNS):
        with tempfile.TemporaryDirectory() as empty:
            start = time.perf_counter()
            subprocess.run(commands["rtms-doctor diagnose (Markdown)"], check=True, stdout=subprocess.DEVNULL,
                           env={**os.environ, "RTMS_DOCTOR_CACHE": empty})
            first.append((time.perf_counter() - start) * 1000)
    print(f"{'first start, empty KB cache':36s} {statistics.median(first):7.1f} ms  (median of {FIRST_RUNS}; "
          "parses and validates every YAML file, then caches)")
    print("target: rtms-doctor diagnose < 150 ms median (KB cache warm)")


def _quartiles(values: list[float]) -> str:
    q1, _, q3 = statistics.quantiles(values, n=4)
    return f"{q1:.0f}-{q3:.0f}"


if __name__ == "__main__":
    main()
