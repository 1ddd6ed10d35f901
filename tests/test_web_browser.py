"""The page as a person uses it, in a real headless Chromium against a real `rtms-doctor serve`:
paste the bundled example and see the leading cause, answer a question and see the ranking
change, press Copy and find the reply on the clipboard, upload and drop two files, and the
hostile corpus running no script. Chromium's console must stay free of CSP violations.

Skipped, with the reason, only where Chromium or its driver is not installed (.ci/run installs
both when absent).
"""
from __future__ import annotations

import json

import pytest

from helpers import REPO, rtms_doctor
from webserver import browser_binaries, chrome, close_chrome, start_server, stop_server

pytestmark = pytest.mark.skipif(
    browser_binaries() is None,
    reason="no headless browser: install Debian's chromium and chromium-driver "
           "(apt-get install -y chromium chromium-driver; .ci/run does this when they are absent)")

EXAMPLE = REPO / "examples" / "forum-13262.json"
TWO_FILES = [REPO / "devset" / "004-concurrency-limited-webhooks" / name for name in ("limited.json", "near_limit.json")]
WAIT = 20  # seconds: a page load, generously


@pytest.fixture(scope="module")
def server():
    proc, url = start_server()
    yield url
    stop_server(proc)


@pytest.fixture(scope="module")
def browser(server):
    driver = chrome()
    driver.set_page_load_timeout(WAIT)
    # Chromium asks before a page reads the clipboard; a person would allow it
    driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": server.rstrip("/"), "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    yield driver
    close_chrome(driver)


def _by():  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return By


def _wait(driver, condition):  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(condition)


def _differential(driver) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.get_attribute("data-cause") for row in driver.find_elements(_by().CSS_SELECTOR, "#differential tr[data-cause]")]


def _submit_and_wait(driver, element) -> None:  # type: ignore[no-untyped-def]
    """Click a submit control and wait for the next page to replace this one."""
    from selenium.webdriver.support import expected_conditions as EC

    old = driver.find_element(_by().TAG_NAME, "html")
    element.click()
    _wait(driver, _replaced(old, EC.staleness_of(old)))
    _wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def _replaced(old, stale):  # type: ignore[no-untyped-def]
    """EC.staleness_of, also when Chrome answers the check on a node of the page just replaced
    with "Node with given id does not belong to the document" instead of a stale-element error
    (a race seen once in CI when the next page came fast): the old page is gone either way."""
    from selenium.common.exceptions import WebDriverException

    def check(driver):  # type: ignore[no-untyped-def]
        try:
            return stale(driver)
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
    return check


def _console_problems(driver) -> list[str]:  # type: ignore[no-untyped-def]
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" or "Content Security Policy" in entry["message"]]


def _cli_json(*files) -> dict:  # type: ignore[no-untyped-def]
    run = rtms_doctor("diagnose", *map(str, files), "--format", "json")
    assert run.code == 0, run.err
    return json.loads(run.out)


@pytest.fixture()
def diagnosed(browser, server):
    """The bundled example pasted into the text area and diagnosed."""
    By = _by()
    browser.get(server)
    browser.get_log("browser")  # start with an empty console
    box = browser.find_element(By.ID, "text")
    box.send_keys(EXAMPLE.read_text(encoding="utf-8"))
    _submit_and_wait(browser, browser.find_element(By.ID, "diagnose"))
    return browser


def test_paste_the_example_and_see_the_leading_cause(diagnosed):
    By = _by()
    top = _cli_json(EXAMPLE)["causes"][0]
    leading = diagnosed.find_element(By.ID, "leading").text
    assert top["title"] in leading
    assert _differential(diagnosed)[0] == top["id"]
    assert diagnosed.find_element(By.ID, f"cause-{top['id']}").is_displayed()
    reply = diagnosed.find_element(By.ID, "reply").get_attribute("value")
    assert reply.strip() and top["title"] in reply
    assert not _console_problems(diagnosed), "the page broke its own CSP or failed to load a part"


def test_answer_a_question_and_the_ranking_changes(diagnosed):
    By = _by()
    before = _differential(diagnosed)
    assert before[0] == "no_developer_pack"
    form = diagnosed.find_element(By.CSS_SELECTOR, 'form.question[data-path="account.developer_pack"]')
    _submit_and_wait(diagnosed, form.find_element(By.CSS_SELECTOR, 'button[value="paid_active"]'))
    after = _differential(diagnosed)
    assert after and after != before
    assert "no_developer_pack" not in after[:3]
    assert "paid_active" in diagnosed.find_element(By.ID, "questions").text
    assert not diagnosed.find_elements(By.CSS_SELECTOR, 'form.question[data-path="account.developer_pack"]')
    # and back again
    _submit_and_wait(diagnosed, diagnosed.find_element(By.ID, "back"))
    assert _differential(diagnosed) == before


def test_copy_puts_the_reply_on_the_clipboard(diagnosed):
    By = _by()
    button = diagnosed.find_element(By.ID, "copy")
    assert button.get_attribute("data-copied") is None
    button.click()
    _wait(diagnosed, lambda d: button.get_attribute("data-copied") == "true")
    reply = diagnosed.find_element(By.ID, "reply").get_attribute("value")
    clipboard = diagnosed.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done, (e) => done('failed: ' + e));")
    assert clipboard == reply


def test_upload_two_files(browser, server):
    By = _by()
    browser.get(server)
    browser.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in TWO_FILES))
    listed = browser.find_elements(By.CSS_SELECTOR, "#file-list li")
    assert [li.text.split(" (")[0] for li in listed] == [p.name for p in TWO_FILES]
    _submit_and_wait(browser, browser.find_element(By.ID, "diagnose"))
    expected = _cli_json(*TWO_FILES)
    shown = [c["id"] for c in expected["causes"] if c["status"] != "ruled_out"]
    assert _differential(browser) == shown[:len(_differential(browser))]
    facts = browser.find_element(By.ID, "facts").get_attribute("textContent")
    for path in TWO_FILES:
        assert path.name in facts


def test_drop_two_files_on_the_drop_zone(browser, server):
    """A drop as the browser delivers it: a drop event whose DataTransfer holds the files."""
    By = _by()
    browser.get(server)
    contents = [p.read_text(encoding="utf-8") for p in TWO_FILES]
    browser.execute_script("""
        const [names, contents] = arguments;
        const transfer = new DataTransfer();
        names.forEach((name, i) => transfer.items.add(new File([contents[i]], name, {type: "application/json"})));
        const zone = document.getElementById("drop");
        zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
    """, [p.name for p in TWO_FILES], contents)
    assert browser.execute_script("return document.getElementById('files').files.length") == 2
    listed = [li.text.split(" (")[0] for li in browser.find_elements(By.CSS_SELECTOR, "#file-list li")]
    assert listed == [p.name for p in TWO_FILES]
    _submit_and_wait(browser, browser.find_element(By.ID, "diagnose"))
    expected = _cli_json(*TWO_FILES)
    assert expected["causes"][0]["title"] in browser.find_element(By.ID, "leading").text
    facts = browser.find_element(By.ID, "facts").get_attribute("textContent")
    for path in TWO_FILES:
        assert path.name in facts


def test_hostile_post_runs_no_script(browser, server):
    By = _by()
    browser.get(server)
    browser.get_log("browser")
    hostile = ("Error 13262 from the start call. <script>window.pwned = 1</script> "
               "<img src=x onerror=\"window.pwned = 2\"> {{ 7*7 }} [click](javascript:window.pwned=3)\n"
               "reason: '<svg onload=window.pwned=4>'\n"
               '{"code": 13262, "message": "<script>window.pwned = 5</script>"}\n')
    browser.execute_script("document.getElementById('text').value = arguments[0];", hostile)
    _submit_and_wait(browser, browser.find_element(By.ID, "diagnose"))
    assert browser.find_element(By.ID, "leading").text
    assert browser.execute_script("return window.pwned === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "main img, main svg, main script")
    # the payload reached the page, as text
    assert "<script>window.pwned = 5</script>" in browser.find_element(By.TAG_NAME, "main").get_attribute("textContent")
    assert not _console_problems(browser)


def test_explain_and_the_knowledge_base(browser, server):
    By = _by()
    browser.get(server + "explain")
    browser.find_element(By.ID, "code").send_keys("stop_reason 18")
    _submit_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.inline button"))
    assert "STOP_BC_AUTHENTICATION_FAILURE" in browser.find_element(By.ID, "readings").text
    _submit_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#causes a"))
    assert browser.current_url.startswith(server + "kb/")
    assert browser.find_element(By.ID, "rules").text
