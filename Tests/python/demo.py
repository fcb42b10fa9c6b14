"""What the browser tests share: a `lanectl` server started as a child process (its output pumped on a thread,
its URLs and demo logins read from it, stopped with SIGINT and checked), headless Chromium, screenshots, and a
signed-in HTTP client for the JSON API.

Used by test_web_browser.py, test_console_browser.py, test_console_live_browser.py and test_reports_browser.py.
"""
import contextlib
import http.cookiejar
import json
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LANECTL = os.path.join(ROOT, ".build", "debug", "lanectl")
ARTIFACTS = os.path.join(ROOT, "test-artifacts")
PROFILE = os.path.join(ROOT, "LaneProfiles", "demo-station.yaml")

LOGIN_LINE = re.compile(r"\s+login (operator|inspector|admin|driver) (\S+) (\S+)$")
SIGN_IN_LINE = re.compile(r"Sign in: (http://127\.0\.0\.1:\d+)/login")


class Server:
    """A running `lanectl` server: its base URL (http://127.0.0.1:PORT), the logins it printed
    ({login: (role, password)}), its database, and everything it wrote so far (`output`)."""

    def __init__(self, proc, db):
        self.proc, self.db = proc, db
        self.base, self.logins, self.output = None, {}, []
        self.lines = queue.Queue()
        # Read the output on a thread, so the pipe never fills and no line already buffered is missed.
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()

    def _pump(self):
        for line in self.proc.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def read_until_ready(self, timeout):
        """Reads lines until the sign-in URL; collects the `login ROLE USER PASSWORD` lines before it."""
        deadline = time.time() + timeout
        while self.base is None and time.time() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            if line is None:
                break
            m = LOGIN_LINE.match(line.rstrip("\n"))
            if m:
                self.logins[m.group(2)] = (m.group(1), m.group(3))
            m = SIGN_IN_LINE.match(line.strip())
            if m:
                self.base = m.group(1)
        return self.base is not None

    def users(self, role):
        """The logins of `role`, in the order printed."""
        return [user for user, (r, _) in self.logins.items() if r == role]

    def password(self, user):
        return self.logins[user][1]

    def stop(self, timeout):
        """SIGINT, then waits for a clean exit (status 0); returns the whole output."""
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail(f"lanectl did not stop within {timeout} s of SIGINT (it flushes the journal first)")
        self.pump.join(timeout=10)
        out = "".join(self.output)
        assert self.proc.returncode == 0, f"lanectl exited {self.proc.returncode}:\n{out[-4000:]}"
        return out


@contextlib.contextmanager
def lanectl(*args, db_name="demo.sqlite", prefix="lanecontrol-", ready_within=120, stop_within=90):
    """Runs `lanectl ARGS --db NEW --port 0` until the block ends, then stops it with SIGINT and checks that it
    exited 0. Yields a ``Server`` once it printed its sign-in URL."""
    if not os.access(LANECTL, os.X_OK):
        pytest.fail(f"{LANECTL} is missing: run `swift build --product lanectl` first")
    db = os.path.join(tempfile.mkdtemp(prefix=prefix), db_name)
    proc = subprocess.Popen(
        [LANECTL, *args, "--db", db, "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
    )
    server = Server(proc, db)
    if not server.read_until_ready(ready_within):
        proc.kill()
        server.pump.join(timeout=10)
        pytest.fail(f"lanectl {' '.join(args)} printed no sign-in URL within {ready_within} s:\n" + "".join(server.output))
    try:
        yield server
    except BaseException:
        proc.kill()
        raise
    server.output_at_stop = server.stop(stop_within)


@contextlib.contextmanager
def demo(*args, **kwargs):
    """`lanectl demo` on the demo profile (extra ARGS appended); checks it says it stopped."""
    with lanectl("demo", "--profile", PROFILE, *args, **kwargs) as server:
        yield server
    assert "Station stopped" in server.output_at_stop, server.output_at_stop[-4000:]


@contextlib.contextmanager
def chromium(width, height):
    """Headless Chromium (Debian's chromium and chromium-driver) with a window of `width` × `height`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    options.add_argument("--disable-dev-shm-usage")
    options.add_argument(f"--window-size={width},{height}")
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver, name, folder=ARTIFACTS, min_bytes=5_000):
    """Saves a screenshot as FOLDER/NAME (.png added if missing) for review; checks it is not blank."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name if name.endswith(".png") else name + ".png")
    driver.save_screenshot(path)
    assert os.path.getsize(path) > min_bytes, path
    return path


class Api:
    """A plain HTTP client signed in as `user` (its own cookie jar), for what a person does on another device."""

    def __init__(self, base, user, password):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        status, body = self.call("POST", "/api/login", {"user": user, "password": password})
        assert status == 200, (user, status, body)

    def call(self, method, path, body=None):
        """Returns (status, decoded JSON body or None)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")
