"""`rtms-doctor serve`: how soon after start-up the page answers a diagnosis, and how fast it
answers after that. Target (issue 16): the first diagnose under 200 ms, median after start-up.

Each round starts the installed console script on a free loopback port, waits for the URL it
prints, then posts the bundled example as the page's form does (POST /, the whole result page
with reply and questions) and as the API does (POST /api/diagnose); then 20 more of each for
the median. Prints figures, asserts nothing.
"""
from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = (REPO / "examples" / "forum-13262.json").read_text(encoding="utf-8")
POST = (REPO / "devset" / "001-flagship-13262-toggles-on" / "post.txt").read_text(encoding="utf-8")
ROUNDS = 5  # server starts
REPEATS = 20  # requests per kind after the first


def command() -> list[str]:
    script = Path(sys.executable).with_name("rtms-doctor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rtms_doctor.cli"]


def start() -> tuple[subprocess.Popen, str, float]:
    began = time.perf_counter()
    proc = subprocess.Popen([*command(), "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=REPO)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"serving on (http://\S+)", line)
    if not match:
        proc.kill()
        raise SystemExit(f"serve did not start: {line!r}")
    return proc, match.group(1), time.perf_counter() - began


def timed(url: str, body: bytes, kind: str) -> float:
    request = urllib.request.Request(url, data=body, headers={"content-type": kind}, method="POST")
    began = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        response.read()
        assert response.status == 200
    return (time.perf_counter() - began) * 1000


def main() -> None:
    page_body = urllib.parse.urlencode({"action": "diagnose", "text": EXAMPLE}).encode()
    post_body = urllib.parse.urlencode({"action": "diagnose", "text": POST}).encode()
    form = "application/x-www-form-urlencoded"
    firsts: dict[str, list[float]] = {"page": [], "api": []}
    later: dict[str, list[float]] = {"page": [], "api": [], "page, forum post": []}
    startups = []
    for _ in range(ROUNDS):
        proc, url, startup = start()
        startups.append(startup * 1000)
        try:
            firsts["page"].append(timed(url, page_body, form))
            firsts["api"].append(timed(url + "api/diagnose", EXAMPLE.encode(), "application/json"))
            for _ in range(REPEATS):
                later["page"].append(timed(url, page_body, form))
                later["api"].append(timed(url + "api/diagnose", EXAMPLE.encode(), "application/json"))
                later["page, forum post"].append(timed(url, post_body, form))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"rtms-doctor serve, {ROUNDS} starts; examples/forum-13262.json unless said")
    print(f"  start-up to URL printed: {statistics.median(startups):.1f} ms median")
    print(f"  first diagnose after start-up, page (POST /): {statistics.median(firsts['page']):.1f} ms median "
          f"(runs: {', '.join(f'{t:.0f}' for t in firsts['page'])})")
    print(f"  first diagnose after start-up, API (POST /api/diagnose, after the page's): "
          f"{statistics.median(firsts['api']):.1f} ms median")
    for kind, times in later.items():
        print(f"  then {kind}: {statistics.median(times):.1f} ms median of {len(times)}")


if __name__ == "__main__":
    main()
