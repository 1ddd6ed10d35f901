"""docs/web-page.png: the page with a diagnosis, as README shows it. Starts `rtms-doctor serve`
on a free loopback port, pastes the flagship forum post into headless Chromium, diagnoses and
saves a screenshot. Run from the repository root after `pip install -e ".[test]"`."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from webserver import chrome, close_chrome, start_server, stop_server  # noqa: E402

POST = REPO / "devset" / "001-flagship-13262-toggles-on" / "post.txt"
OUT = REPO / "docs" / "web-page.png"


def main() -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    proc, url = start_server()
    driver = chrome(width=1400, height=1200)
    try:
        driver.get(url)
        driver.execute_script("document.getElementById('text').value = arguments[0];",
                              POST.read_text(encoding="utf-8"))
        driver.find_element(By.ID, "diagnose").click()
        WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "leading"))
        OUT.parent.mkdir(exist_ok=True)
        driver.save_screenshot(str(OUT))
        print(f"wrote {OUT.relative_to(REPO)}")
    finally:
        close_chrome(driver)
        stop_server(proc)


if __name__ == "__main__":
    main()
