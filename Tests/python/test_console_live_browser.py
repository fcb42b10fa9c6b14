"""The operator console and a lane board in headless Chromium against a real `lanectl demo --port 0`.

An operator signs in, opens the shift if none is open (the seed hash shows), checks a vehicle in through the
console's form (a wrong plate is refused with the reason beside the field), and watches the vehicle go through
a lane live: its plate on the lane, the steps, the verdicts as they land. The lane's board (public, no sign-in)
shows the called plate. Screenshots go to test-artifacts/ (git-ignored) for review.

The demo's simulated drivers acknowledge the handheld prompts. If the vehicle's driver has not moved it after a
while (a demo without simulated drivers), the test acknowledges the driver's prompts itself through the same
handheld API a person uses, signed in as that driver.
"""
import random
import re
import time

import pytest

selenium = pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from demo import Api, chromium, demo as run_demo, shot  # noqa: E402

PASSWORD = "console-test-pw"
# A plate of our own, unlikely to collide with the demo's traffic: 鲁G· and five digits.
PLATE_DIGITS = "".join(random.choice("0123456789") for _ in range(5))
PLATE_TYPED = "鲁g" + PLATE_DIGITS
PLATE = "鲁G·" + PLATE_DIGITS


@pytest.fixture(scope="module")
def demo():
    """`lanectl demo --port 0` with one known password; yields (base URL, {role: [login, …]})."""
    with run_demo("--demo-password", PASSWORD, "--opening-queue", "0", prefix="console-live-", ready_within=240, stop_within=90) as server:
        yield server.base, {role: server.users(role) for role in ("operator", "inspector", "admin", "driver")}


@pytest.fixture(scope="module")
def browser():
    with chromium(1500, 1600) as driver:
        yield driver


def js(browser, script, *args):
    """Runs `script` in the page: reads and clicks there are atomic, so a part redrawn meanwhile cannot go stale."""
    return browser.execute_script(script, *args)


def attr(browser, selector, name):
    return js(browser, "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
              selector, name)


def text(browser, selector):
    return js(browser, "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector)


def click(browser, selector):
    assert js(browser, "const e = document.querySelector(arguments[0]); if (!e) return false; e.click(); return true;",
              selector), selector


def station(api):
    status, body = api.call("GET", "/api/station")
    assert status == 200, body
    return body


def acknowledge_for(base, driver, password):
    """Acknowledges `driver`'s current prompt through the handheld API, as the driver; True if one was."""
    api = Api(base, driver, password)
    status, task = api.call("GET", "/api/handheld/task")
    if status != 200 or not task or not task.get("task"):
        return False
    task = task["task"]
    if not task.get("expects_acknowledgement", True):
        return False
    body = {"prompt_id": task["prompt_id"]}
    if task.get("confirm_plate") or task.get("needs_plate_confirmation"):
        body["plate"] = task["plate"]
    status, _ = api.call("POST", "/api/handheld/ack", body)
    return status == 200


def test_operator_checks_a_vehicle_in_and_watches_it_go_through_a_lane_live(demo, browser):
    base, logins = demo
    operator = logins["operator"][0]
    browser.get(base + "/login?next=/console")
    wait = WebDriverWait(browser, 30, poll_frequency=0.2)
    wait.until(lambda d: d.find_element(By.ID, "user"))
    browser.find_element(By.ID, "user").send_keys(operator)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "submit").click()
    wait.until(lambda d: d.current_url.endswith("/console"))
    # The station arrives over /live: both lanes with their status boxes, the shift bar, the check-in form.
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "[data-lane-status]")) == 2)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-shift-state]"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#drivers tbody tr"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    wait.until(lambda d: operator in (text(d, "#user") or ""))

    # Open the shift if the demo has not: the seed's hash is published at once, the seed stays hidden.
    if attr(browser, "[data-shift-state]", "data-shift-state") != "open":
        click(browser, "#shift-open")
        wait.until(lambda d: attr(d, "[data-shift-state]", "data-shift-state") == "open")
    seed_hash = text(browser, "[data-seed-hash]")
    assert re.fullmatch(r"[0-9a-f]{64}", seed_hash), seed_hash
    assert text(browser, "[data-seed]") is None

    # A wrong plate is refused, with the reason beside the plate field.
    form = browser.find_element(By.ID, "checkin")
    form.find_element(By.NAME, "plate").send_keys("XX12345")
    form.find_element(By.NAME, "category").send_keys("M1")
    Select(form.find_element(By.NAME, "fuel")).select_by_value("gasoline")
    form.find_element(By.NAME, "axles").send_keys("2")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, '#checkin [data-error-for="plate"]').text.strip() != "")
    assert "invalid" in form.find_element(By.NAME, "plate").get_attribute("class")
    shot(browser, "console-checkin-refused.png")

    # The right plate (typed in lower case without the dot) is checked in under its canonical spelling.
    plate_input = form.find_element(By.NAME, "plate")
    plate_input.clear()
    plate_input.send_keys(PLATE_TYPED)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(lambda d: d.find_element(By.ID, "checkin-status").get_attribute("data-ticket"))
    ticket = int(browser.find_element(By.ID, "checkin-status").get_attribute("data-ticket"))
    assert PLATE in browser.find_element(By.ID, "checkin-status").text
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f'#queue tr[data-queue="{ticket}"]'))

    # Follow it: drawn driver, a lane, the plate on the lane's status, verdicts landing live.
    api = Api(base, operator, PASSWORD)
    lane = None
    deadline = time.time() + 420
    nudged_at = time.time() + 45
    verdicts_seen = 0
    board_checked = False
    while time.time() < deadline:
        snapshot = station(api)
        mine = [l for l in snapshot["lanes"] if (l.get("current") or {}).get("plate") == PLATE
                or l.get("called_plate") == PLATE]
        if mine:
            lane = mine[0]["id"]
        if lane and not board_checked:
            # The lane's board (public: a fresh browser tab, no cookie needed for it) shows our plate.
            main = browser.current_window_handle
            browser.switch_to.new_window("tab")
            browser.get(f"{base}/display/{lane}")
            WebDriverWait(browser, 60, poll_frequency=0.2).until(lambda d: attr(d, "#call", "data-plate") == PLATE)
            call_text = text(browser, "#go")
            assert ("请到" in call_text and "please go to lane" in call_text) or "正在检测" in call_text, call_text
            shot(browser, f"display-{lane}-called.png")
            browser.close()
            browser.switch_to.window(main)
            board_checked = True
        if lane:
            count = js(browser, "return document.querySelectorAll(arguments[0]).length;",
                       f'[data-verdicts="{lane}"] li[data-verdict]')
            verdicts_seen = max(verdicts_seen, count)
            if verdicts_seen >= 3 and text(browser, f'[data-plate="{lane}"]') == PLATE:
                break
        # Without simulated drivers, act as the vehicle's driver on the handheld API.
        if time.time() > nudged_at:
            row = [q for q in snapshot["queue"] if q["queue_number"] == ticket]
            driver = row[0].get("driver") if row else None
            if driver:
                acknowledge_for(base, driver, PASSWORD)
            nudged_at = time.time() + 3
        time.sleep(1)
    assert lane is not None, "the vehicle was never called to a lane"
    assert board_checked
    assert verdicts_seen >= 3, f"only {verdicts_seen} verdicts appeared on lane {lane}"
    verdicts = js(browser, "return [...document.querySelectorAll(arguments[0])].map(e => e.dataset.verdict);",
                  f'[data-verdicts="{lane}"] li[data-verdict]')
    assert verdicts and all(v in ("pass", "fail", "incomplete", "not_applicable") for v in verdicts), verdicts
    # The event log shows verdicts as they landed.
    assert js(browser, "return document.querySelectorAll('#events li[data-event=\"verdict\"]').length;") > 0
    shot(browser, "console-live-zh.png")
    browser.find_element(By.ID, "lang-toggle").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    assert "Check a vehicle in" in browser.page_source
    shot(browser, "console-live-en.png")
