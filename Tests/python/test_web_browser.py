"""Sign-in and the driver handheld in headless Chromium (Debian's chromium + chromium-driver, selenium)
against a real `lanectl demo --port 0` whose drivers are all left to people (`--manual-drivers all`):

- the demo prints a login per role; each role signs in on /login and lands on its page;
- a wrong password is refused on the page;
- the drawn driver's handheld shows the vehicle's plate, takes the plate tapped from the choices, and
  acknowledges the prompts of that vehicle through the lane, surviving a dropped connection;
- another driver's handheld shows nothing, and acknowledging the first driver's prompt id from it is
  refused (403) and journaled.

Screenshots of every page go to test-artifacts/ (git-ignored) for review.
"""
import sqlite3
import time

import pytest

selenium = pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from demo import Api, chromium, demo as run_demo, shot  # noqa: E402


@pytest.fixture(scope="module")
def demo():
    """`lanectl demo --port 0 --manual-drivers all --speed 20`, with the base URL and the printed logins."""
    with run_demo("--manual-drivers", "all", "--speed", "20", "--arrivals-per-hour", "8", prefix="lanecontrol-web-",
                  ready_within=90, stop_within=60) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    with chromium(420, 900) as driver:  # a phone
        yield driver


def sign_in(driver, demo, user, password=None, next_path=None):
    driver.delete_all_cookies()
    driver.get(demo.base + "/login" + (f"?next={next_path}" if next_path else ""))
    wait = WebDriverWait(driver, 30, poll_frequency=0.1)
    wait.until(lambda d: d.find_element(By.ID, "user").is_displayed())
    driver.find_element(By.ID, "user").clear()
    driver.find_element(By.ID, "user").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password if password is not None else demo.logins[user][1])
    driver.find_element(By.ID, "submit").click()


def test_demo_prints_a_login_for_every_role_and_every_driver(demo):
    roles = {role for role, _ in demo.logins.values()}
    assert roles == {"operator", "inspector", "admin", "driver"}
    assert [u for u, (role, _) in demo.logins.items() if role == "driver"] == [f"D0{i}" for i in range(1, 9)]
    assert all(len(password) >= 10 for _, password in demo.logins.values())


def test_each_role_signs_in_and_lands_on_its_page_and_a_wrong_password_is_refused(demo, browser):
    wait = WebDriverWait(browser, 30, poll_frequency=0.1)
    # Not signed in: the console sends the visitor to the login page, which opens in Chinese.
    browser.delete_all_cookies()
    browser.get(demo.base + "/console")
    wait.until(lambda d: "/login" in d.current_url)
    wait.until(lambda d: d.find_element(By.ID, "submit").text == "登录")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    shot(browser, "login-zh")

    sign_in(browser, demo, "op1", password="not-the-password")
    wait.until(lambda d: d.find_element(By.ID, "error").is_displayed())
    assert browser.find_element(By.ID, "error").text == "用户名或密码错误"
    assert "/login" in browser.current_url
    browser.find_element(By.ID, "lang").click()
    wait.until(lambda d: d.find_element(By.ID, "error").text == "Wrong login name or password")
    shot(browser, "login-wrong-password-en")
    browser.find_element(By.ID, "lang").click()

    homes = {"operator": "/console", "admin": "/console", "inspector": "/reports", "driver": "/handheld"}
    for user in ["op1", "admin", "insp1", "D05"]:
        role = demo.logins[user][0]
        sign_in(browser, demo, user)
        wait.until(lambda d: d.current_url.split("?")[0].endswith(homes[role]))
        me = browser.execute_async_script(
            "const done = arguments[0]; fetch('/api/me').then(r => r.json()).then(done, e => done(String(e)));")
        assert me["user"] == user and me["role"] == role
        shot(browser, f"signed-in-{role}")

    # A driver is sent back to the login page from the console, with the reason.
    browser.get(demo.base + "/console")
    wait.until(lambda d: "denied=1" in d.current_url)
    assert browser.find_element(By.ID, "notice").is_displayed()
    shot(browser, "login-denied")


def find_drawn_driver(demo, timeout=120):
    """Polls every driver's own task over the API until one is drawn for a vehicle; returns (driver, task)."""
    apis = {d: Api(demo.base, d, demo.password(d)) for d in demo.users("driver")}
    deadline = time.time() + timeout
    while time.time() < deadline:
        for driver, api in apis.items():
            status, body = api.call("GET", "/api/handheld/task")
            assert status == 200
            assert body["me"]["driver"] == driver
            task = body.get("task")
            if task and task["step"] == "collect_key":
                return driver, task, apis
        time.sleep(0.5)
    pytest.fail(f"no driver was drawn for a vehicle within {timeout} s")


def test_handheld_drives_a_vehicle_and_another_driver_is_refused(demo, browser):
    driver_id, first, apis = find_drawn_driver(demo)
    other = next(d for d, api in apis.items() if d != driver_id and api.call("GET", "/api/handheld/task")[1].get("task") is None)

    # Another driver's handheld shows no task, and acknowledging the drawn driver's prompt from it is refused.
    sign_in(browser, demo, other, next_path="/handheld")
    wait = WebDriverWait(browser, 30, poll_frequency=0.1)
    wait.until(lambda d: d.current_url.endswith("/handheld"))
    wait.until(lambda d: d.find_element(By.ID, "conn").get_attribute("data-state") == "online")
    # (The other driver may meanwhile be drawn for another vehicle: then their own task shows, never this one.)
    own = apis[other].call("GET", "/api/handheld/task")[1].get("task")
    assert own is None or own["prompt_id"] != first["prompt_id"]
    assert browser.find_element(By.ID, "idle").is_displayed() or (
        browser.find_element(By.ID, "plate").text != first["plate"])
    refused = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/api/handheld/ack', {method: 'POST', headers: {'Content-Type': 'application/json'},"
        " body: JSON.stringify({prompt_id: arguments[0], plate: arguments[1], driver: arguments[2]})})"
        ".then(r => r.json().then(b => done({status: r.status, body: b})), e => done(String(e)));",
        first["prompt_id"], first["plate"], driver_id)
    assert refused["status"] == 403, refused
    shot(browser, "handheld-other-driver")
    status, body = apis[driver_id].call("GET", "/api/handheld/task")
    assert body["task"]["prompt_id"] == first["prompt_id"], "the drawn driver's task is untouched"
    with sqlite3.connect(demo.db, timeout=10) as db:
        rows = db.execute("SELECT actor, payload FROM journal WHERE kind = 'auth.forbidden'").fetchall()
    assert any(actor == other and driver_id in payload for actor, payload in rows), rows

    # The drawn driver's handheld: the plate in large type, tap it among the choices, confirm.
    sign_in(browser, demo, driver_id, next_path="/handheld")
    wait.until(lambda d: d.current_url.endswith("/handheld"))
    wait.until(lambda d: d.find_element(By.ID, "plate").text == first["plate"])
    assert browser.find_element(By.ID, "confirm").is_displayed()
    shot(browser, "handheld-collect-key-zh")
    browser.find_element(By.CSS_SELECTOR, f'#choices button[data-plate="{first["plate"]}"]').click()
    assert browser.find_element(By.ID, "plateInput").get_attribute("value") == first["plate"]
    browser.find_element(By.ID, "ack").click()

    def prompt_id():
        status, body = apis[driver_id].call("GET", "/api/handheld/task")
        return body["task"]["prompt_id"] if body.get("task") else None

    acknowledged = [("collect_key", first["prompt_id"])]
    wait.until(lambda d: prompt_id() != first["prompt_id"])

    # Wi-Fi drops: the page says so and keeps the task; when it is back, the same prompt is on screen.
    shown = browser.find_element(By.ID, "prompt").text
    browser.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
    wait.until(lambda d: d.find_element(By.ID, "conn").get_attribute("data-state") == "offline")
    shot(browser, "handheld-offline")
    browser.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)
    WebDriverWait(browser, 40, poll_frequency=0.2).until(
        lambda d: d.find_element(By.ID, "conn").get_attribute("data-state") == "online")
    assert browser.find_element(By.ID, "prompt").text == shown

    # Acknowledge each prompt as it comes, through the page, until the vehicle is on a lane and a station's
    # prompt has been acknowledged (the stations' own timing is real time, so this takes a few minutes).
    steps_seen = ["collect_key"]
    deadline = time.time() + 420
    switched = False
    while time.time() < deadline:
        status, body = apis[driver_id].call("GET", "/api/handheld/task")
        task = body.get("task")
        if task is None:
            time.sleep(0.5)
            continue
        if task["step"] not in steps_seen:
            steps_seen.append(task["step"])
        if task["expects_acknowledgement"] and task["prompt_id"] not in [p for _, p in acknowledged]:
            WebDriverWait(browser, 30, poll_frequency=0.1).until(
                lambda d: d.find_element(By.ID, "ack").is_displayed() and d.find_element(By.ID, "ack").is_enabled()
                and d.find_element(By.ID, "prompt").text in (task["text_zh"], task["text_en"]))
            # The plate box shows only when the prompt asks for the plate.
            assert browser.find_element(By.ID, "confirm").is_displayed() == task["confirm_plate"], task
            if task["step"] == "station" and not switched:
                shot(browser, "handheld-station-zh")
                browser.find_element(By.ID, "lang").click()
                wait.until(lambda d: d.find_element(By.ID, "prompt").text == task["text_en"])
                shot(browser, "handheld-station-en")
                switched = True
            browser.find_element(By.ID, "ack").click()
            WebDriverWait(browser, 30, poll_frequency=0.1).until(lambda d: prompt_id() != task["prompt_id"]
                                                               or d.find_element(By.ID, "result").text != "")
            acknowledged.append((task["step"], task["prompt_id"]))
            if any(step == "station" for step, _ in acknowledged):
                break
        time.sleep(0.3)
    done = [step for step, _ in acknowledged]
    # The key, the drive to the lane, (entering when called, if the lane asks), then a station's prompt.
    assert done[:2] == ["collect_key", "drive_to_lane"], (done, steps_seen)
    assert "station" in done and set(done[2:done.index("station")]) <= {"enter_lane"}, (done, steps_seen)
    # The controller's journal writer commits in the background: give it a moment.
    deadline = time.time() + 20
    while True:
        with sqlite3.connect(demo.db, timeout=10) as db:
            acks = {p for (p,) in db.execute("SELECT prompt_id FROM acknowledgements WHERE actor = ?", (driver_id,))}
        if acks >= {p for _, p in acknowledged} or time.time() > deadline:
            break
        time.sleep(0.5)
    assert acks >= {p for _, p in acknowledged}, (acks, acknowledged)
