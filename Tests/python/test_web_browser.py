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
import http.cookiejar
import json
import os
import queue
import re
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

import pytest

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LANECTL = os.path.join(ROOT, ".build", "debug", "lanectl")
ARTIFACTS = os.path.join(ROOT, "test-artifacts")


class Demo:
    def __init__(self, base, logins, db, proc):
        self.base, self.logins, self.db, self.proc = base, logins, db, proc


def follow(proc):
    """Reads the process's output on a thread (so the pipe never fills), line by line into a queue; None at the end."""
    lines = queue.Queue()
    proc.output = []

    def pump():
        for line in proc.stdout:
            proc.output.append(line)
            lines.put(line)
        lines.put(None)

    proc.pump = threading.Thread(target=pump, daemon=True)
    proc.pump.start()
    return lines


@pytest.fixture(scope="module")
def demo():
    """`lanectl demo --port 0 --manual-drivers all --speed 20`; parses the base URL and the printed logins."""
    if not os.access(LANECTL, os.X_OK):
        pytest.fail(f"{LANECTL} is missing: run `swift build --product lanectl` first")
    db = os.path.join(tempfile.mkdtemp(prefix="lanecontrol-web-"), "demo.sqlite")
    proc = subprocess.Popen(
        [LANECTL, "demo", "--port", "0", "--db", db, "--manual-drivers", "all", "--speed", "20", "--arrivals-per-hour", "8",
         "--profile", os.path.join(ROOT, "LaneProfiles", "demo-station.yaml")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
    )
    base, logins, seen, deadline = None, {}, [], time.time() + 90
    lines = follow(proc)
    while base is None and time.time() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        if line is None:
            break
        seen.append(line)
        m = re.match(r"\s+login (operator|inspector|admin|driver) (\S+) (\S+)$", line.rstrip("\n"))
        if m:
            logins[m.group(2)] = (m.group(1), m.group(3))
        m = re.match(r"Sign in: (http://127\.0\.0\.1:\d+)/login", line.strip())
        if m:
            base = m.group(1)
    if base is None:
        proc.kill()
        pytest.fail("lanectl demo printed no sign-in URL within 90 s:\n" + "".join(seen))
    # The rest of the output is drained so the pipe never fills.
    yield Demo(base, logins, db, proc)
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
        proc.pump.join(timeout=10)
        out = "".join(proc.output)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("lanectl demo did not stop within 60 s of SIGINT")
    assert proc.returncode == 0, f"lanectl demo exited {proc.returncode}:\n{out[-4000:]}"
    assert "Station stopped" in out


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    options.add_argument("--disable-dev-shm-usage")
    options.add_argument("--window-size=420,900")  # a phone
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def shot(driver, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name + ".png")
    driver.save_screenshot(path)
    assert os.path.getsize(path) > 5_000
    return path


def sign_in(driver, demo, user, password=None, next_path=None):
    driver.delete_all_cookies()
    driver.get(demo.base + "/login" + (f"?next={next_path}" if next_path else ""))
    wait = WebDriverWait(driver, 30, poll_frequency=0.1)
    wait.until(lambda d: d.find_element(By.ID, "user").is_displayed())
    driver.find_element(By.ID, "user").clear()
    driver.find_element(By.ID, "user").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password if password is not None else demo.logins[user][1])
    driver.find_element(By.ID, "submit").click()


class Api:
    """A plain HTTP client with its own cookie jar (one per account)."""

    def __init__(self, demo, user):
        self.demo = demo
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        status, _ = self.call("POST", "/api/login", {"user": user, "password": demo.logins[user][1]})
        assert status == 200, (user, status)

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.demo.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


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
    apis = {d: Api(demo, d) for d, (role, _) in demo.logins.items() if role == "driver"}
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
