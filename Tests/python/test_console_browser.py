"""The operator console in headless Chromium (Debian's chromium + chromium-driver, driven by selenium)
against a real `lanectl demo --port 0`: live readings change, the language switch works, and a
screenshot of the page is saved to test-artifacts/ for review.
"""
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time

import pytest

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LANECTL = os.path.join(ROOT, ".build", "debug", "lanectl")
ARTIFACTS = os.path.join(ROOT, "test-artifacts")
DEMO_PASSWORD = "console-test-pw"


def sign_in(driver, console_url, user="op1"):
    """Signs in on /login as `user`, then opens the console."""
    driver.get(console_url.replace("/console", "/login"))
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "user").is_displayed())
    driver.find_element(By.ID, "user").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.ID, "submit").click()
    WebDriverWait(driver, 30).until(lambda d: d.current_url.endswith("/console"))


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
    """`lanectl demo --port 0`; yields the console URL printed on its standard output."""
    if not os.access(LANECTL, os.X_OK):
        pytest.fail(f"{LANECTL} is missing: run `swift build --product lanectl` first")
    db = os.path.join(tempfile.mkdtemp(prefix="lanecontrol-console-"), "demo.sqlite")
    proc = subprocess.Popen(
        [LANECTL, "demo", "--port", "0", "--profile", os.path.join(ROOT, "LaneProfiles", "demo-station.yaml"),
         "--db", db, "--demo-password", DEMO_PASSWORD],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
    )
    url, seen, deadline = None, [], time.time() + 60
    lines = follow(proc)
    while url is None and time.time() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        if line is None:
            break
        seen.append(line)
        m = re.match(r"Console: (http://127\.0\.0\.1:\d+/console)", line.strip())
        if m:
            url = m.group(1)
    if url is None:
        proc.kill()
        pytest.fail("lanectl demo printed no console URL within 60 s:\n" + "".join(seen))
    yield url
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
        proc.pump.join(timeout=10)
        out = "".join(proc.output)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("lanectl demo did not stop within 30 s of SIGINT")
    assert proc.returncode == 0, f"lanectl demo exited {proc.returncode}:\n{out}"
    assert "Station stopped" in out


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    options.add_argument("--disable-dev-shm-usage")
    options.add_argument("--window-size=1400,1300")
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def cell(driver, rig, channel):
    return driver.find_element(By.CSS_SELECTOR, f'[data-rig="{rig}"] td[data-channel="{channel}"]').text


def test_console_shows_live_readings_switches_language_and_is_screenshotted(demo, browser):
    sign_in(browser, demo)
    wait = WebDriverWait(browser, 30, poll_frequency=0.1)
    # The profile arrives over /live and builds both lanes with their three stations.
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "[data-lane]")) == 2)
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-rig]")) == 6
    # Chinese first under the CN ruleset.
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert browser.find_element(By.ID, "lang-toggle").text == "English"
    assert "机台状态" in browser.page_source

    # Readings move: the brake rig's heartbeat and sequence advance within a second, at well over 10 Hz.
    wait.until(lambda d: cell(d, "L1.brake", "heartbeat") not in ("", "–"))
    first_seq = int(browser.find_element(By.CSS_SELECTOR, '[data-rig="L1.brake"]').get_attribute("data-seq"))
    first_beat = cell(browser, "L1.brake", "heartbeat")
    time.sleep(1.0)
    second_seq = int(browser.find_element(By.CSS_SELECTOR, '[data-rig="L1.brake"]').get_attribute("data-seq"))
    assert cell(browser, "L1.brake", "heartbeat") != first_beat
    # The rig is polled at 100 Hz; the page shows a newer sample at least 10 times a second.
    assert second_seq - first_seq >= 10, (first_seq, second_seq)
    # Every rig reads good and the health table lists them with poll statistics.
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "[data-quality].good")) == 6)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#health tbody tr")) == 6

    # The brake forces read as numbers. (Vehicles now come through the station controller: the first one
    # reaches a brake tester minutes after the demo starts, so a rising force is the vehicle-through-the-
    # console test's to watch.)
    wait.until(lambda d: re.fullmatch(r"-?\d+(\.\d+)?", cell(d, "L1.brake", "force_left")) is not None)

    # Switch to English and back.
    browser.find_element(By.ID, "lang-toggle").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    assert browser.find_element(By.ID, "lang-toggle").text == "中文"
    assert "Rig health" in browser.page_source
    assert browser.find_element(By.CSS_SELECTOR, '[data-channel-label="force_left"]').text == "force_left"
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.save_screenshot(os.path.join(ARTIFACTS, "console-en.png"))
    browser.find_element(By.ID, "lang-toggle").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN")
    assert browser.find_element(By.CSS_SELECTOR, '[data-channel-label="force_left"]').text == "左制动力"
    path = os.path.join(ARTIFACTS, "console-zh.png")
    browser.save_screenshot(path)
    assert os.path.getsize(path) > 10_000


def test_lane_board_shows_its_lane(demo, browser):
    board = demo.replace("/console", "/display/L2")
    browser.get(board)
    wait = WebDriverWait(browser, 30, poll_frequency=0.1)
    wait.until(lambda d: "2号线" in d.find_element(By.ID, "lane").text)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".q[data-rig]")) == 3)
    wait.until(lambda d: all("正常" in e.text for e in d.find_elements(By.CSS_SELECTOR, ".q[data-rig]")))
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.save_screenshot(os.path.join(ARTIFACTS, "display-L2.png"))
