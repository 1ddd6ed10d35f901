"""`rtms-doctor serve` as a person starts it: a real process on a free loopback port, and a
real headless Chromium driving it (Debian's chromium and chromium-driver)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from helpers import REPO

CHROMIUM = ("/usr/bin/chromium", "chromium", "chromium-browser")
CHROMEDRIVER = ("/usr/bin/chromedriver", "chromedriver")
# as root in a container, and quiet: no sandbox, no network of its own, a fresh profile
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage")


def _which(candidates: tuple[str, ...]) -> str | None:
    for name in candidates:
        found = name if os.path.isfile(name) and os.access(name, os.X_OK) else shutil.which(name)
        if found:
            return found
    return None


def browser_binaries() -> tuple[str, str] | None:
    chromium, driver = _which(CHROMIUM), _which(CHROMEDRIVER)
    return (chromium, driver) if chromium and driver else None


def start_server(*args: str, timeout: float = 60) -> tuple[subprocess.Popen, str]:
    """Starts `rtms-doctor serve --port 0 ...`; returns the process and the URL it printed."""
    proc = subprocess.Popen([sys.executable, "-m", "rtms_doctor.cli", "serve", "--port", "0", *args],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the first line names the URL
    match = re.search(r"serving on (http://\S+)", line)
    if not match or time.monotonic() > deadline:
        proc.kill()
        _, err = proc.communicate()
        raise RuntimeError(f"serve did not start: {line!r} {err[-2000:]}")
    return proc, match.group(1)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.communicate(timeout=10)  # reads what is left and closes the pipes
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()


def chrome(width: int = 1400, height: int = 1100):  # type: ignore[no-untyped-def]
    """A headless Chromium under selenium, with its own throwaway profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binaries = browser_binaries()
    if binaries is None:
        raise RuntimeError("chromium and chromedriver are not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = binaries[0]
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="rtms-doctor-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(binaries[1]))
    driver.profile_dir = Path(profile)  # removed by close_chrome
    return driver


def close_chrome(driver) -> None:  # type: ignore[no-untyped-def]
    driver.quit()
    shutil.rmtree(driver.profile_dir, ignore_errors=True)
