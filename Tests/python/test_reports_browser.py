"""The inspector's report pages in headless Chromium (selenium) against a real `lanectl reports serve`
over a journal seeded with a synthetic day: an inspector finds a failed inspection, reads it, orders a
re-test, signs the new attempt and sees it locked; an operator cannot sign; no route changes a signed
report; the report printed to PDF by Chromium carries the report's figures. Screenshots and the PDF go
to test-artifacts/ (git-ignored).
"""
import base64
import io
import json
import os
import re
import subprocess

import pytest

selenium = pytest.importorskip("selenium")
pypdf = pytest.importorskip("pypdf")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.print_page_options import PrintOptions  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

import demo  # noqa: E402

ARTIFACTS = os.path.join(demo.ARTIFACTS, "reports")


@pytest.fixture(scope="module")
def server():
    """`lanectl reports serve --db NEW --port 0`; yields the base URL (http://127.0.0.1:PORT)."""
    with demo.lanectl("reports", "serve", "--vehicles", "30", "--date", "2026-11-20", db_name="journal.sqlite",
                      prefix="reports-browser-", ready_within=120, stop_within=30) as running:
        yield running.base
    # The journal the pages changed is still an intact chain.
    verify = subprocess.run([demo.LANECTL, "journal", "verify", running.db], cwd=demo.ROOT, capture_output=True,
                            text=True, timeout=60)
    assert verify.returncode == 0, verify.stdout + verify.stderr


@pytest.fixture(scope="module")
def browser():
    with demo.chromium(1200, 1600) as driver:
        yield driver


def shot(driver, name):
    demo.shot(driver, name, folder=ARTIFACTS)


def sign_in(driver, base, user, password):
    """Signs in through the station's login page, sent there (with ?next=) by a report page."""
    driver.delete_all_cookies()
    driver.get(base + "/reports")
    WebDriverWait(driver, 30).until(lambda d: "/login?next=" in d.current_url)  # signed out: sent to sign in
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "user").is_displayed())
    driver.find_element(By.ID, "user").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "submit").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "search"))
    assert user in driver.find_element(By.ID, "who").text


def post(driver, path, body, json_body=False):
    """POSTs from the page (same origin, the session cookie goes along); returns (status, text)."""
    result = driver.execute_async_script(
        """
        const [path, body, isJSON, done] = arguments;
        fetch(path, {method: 'POST', redirect: 'manual', credentials: 'same-origin',
                     headers: {'Content-Type': isJSON ? 'application/json' : 'application/x-www-form-urlencoded'},
                     body: isJSON ? JSON.stringify(body) : new URLSearchParams(body).toString()})
          .then(r => r.text().then(t => done([r.status, t]))).catch(e => done([0, String(e)]));
        """,
        path, body, json_body,
    )
    return result[0], result[1]


def report_id(driver):
    """The id of the report on screen ("" while a page loads)."""
    try:
        return driver.find_element(By.ID, "inspection-id").text.strip()
    except Exception:  # not there yet, or replaced by the next page while read
        return ""


STATE = {}


def test_inspector_finds_a_failed_inspection_orders_a_retest_signs_it_and_sees_it_locked(server, browser):
    d = browser
    wait = WebDriverWait(d, 30)
    sign_in(d, server, "insp1", "insp1-password")
    # Find failed, unsigned first attempts.
    Select(d.find_element(By.ID, "verdict")).select_by_value("fail")
    Select(d.find_element(By.ID, "signed")).select_by_value("no")
    d.find_element(By.ID, "search-button").click()
    wait.until(lambda d: "verdict=fail" in d.current_url)
    rows = d.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    assert rows, "the synthetic day has failed, unsigned inspections"
    assert all(r.get_attribute("data-status") == "fail" and r.get_attribute("data-signed") == "no" for r in rows)
    assert int(d.find_element(By.ID, "result-count").text) == len(rows)
    shot(d, "search-failed.png")
    first_id = rows[-1].get_attribute("data-inspection")
    rows[-1].find_element(By.CSS_SELECTOR, "a.open-report").click()
    wait.until(lambda d: d.find_elements(By.ID, "inspection-id"))
    assert report_id(d) == first_id
    # The report: failed items with their limits, clause and ruleset; curves, screen and emission charts.
    failed = [r.get_attribute("data-item") for r in d.find_elements(By.CSS_SELECTOR, '#items tr[data-verdict="fail"]')]
    assert failed, "a failed inspection shows its failed items"
    assert "GB 7258" in d.find_element(By.ID, "items").text
    assert len(d.find_elements(By.CSS_SELECTOR, "svg.brake")) == 2
    assert len(d.find_elements(By.CSS_SELECTOR, "svg.brake [data-rise-diff-n]")) == 2
    assert len(d.find_elements(By.CSS_SELECTOR, "svg.brake line.limit")) == 2
    assert len(d.find_elements(By.CSS_SELECTOR, "svg.headlamp circle.aim")) == 2
    assert d.find_elements(By.CSS_SELECTOR, "svg.emission rect.bar")
    assert "✔" in d.find_element(By.ID, "seed-check").text  # the revealed seed matches the commitment
    previous_driver = d.find_element(By.ID, "driver").text
    assert d.find_element(By.ID, "operator").text == "op1"
    shot(d, "report-failed.png")
    # Order the re-test: the new attempt opens, linked, with a fresh draw that excludes the previous driver.
    d.find_element(By.ID, "retest-button").click()
    wait.until(lambda d: report_id(d) not in ("", first_id))
    retest_id = report_id(d)
    assert "2" in d.find_element(By.ID, "attempt").text and first_id in d.find_element(By.ID, "attempt").text
    history = [li.get_attribute("data-attempt") for li in d.find_elements(By.CSS_SELECTOR, "#history li")]
    assert history == [first_id, retest_id]
    assert d.find_element(By.ID, "driver").text != previous_driver
    assert previous_driver not in d.find_element(By.ID, "eligible").text
    # Only the failed stations were measured again.
    failed_stations = {item.split(".")[0] for item in failed}
    again = {i.get_attribute("data-item").split(".")[0] for i in d.find_elements(By.CSS_SELECTOR, "#items tr[data-item]")}
    assert again == failed_stations
    # A wrong password is refused (and journaled); the right one signs and locks.
    d.find_element(By.ID, "sign-password").send_keys("not-my-password")
    d.find_element(By.ID, "sign-button").click()
    wait.until(lambda d: d.find_elements(By.ID, "error"))
    assert "密码错误" in d.find_element(By.ID, "error").text
    assert d.find_elements(By.ID, "unsigned")
    d.get(f"{server}/reports/{retest_id}")
    d.find_element(By.ID, "sign-password").send_keys("insp1-password")
    d.find_element(By.ID, "sign-comment").send_keys("复检合格 / re-test passed")
    d.find_element(By.ID, "sign-button").click()
    wait.until(lambda d: d.find_elements(By.ID, "locked"))
    signature_hash = d.find_element(By.ID, "signature-hash").text
    assert re.fullmatch(r"[0-9a-f]{64}", signature_hash)
    assert not d.find_elements(By.ID, "sign-form") and not d.find_elements(By.ID, "retest-form")
    assert "Inspector One" in d.find_element(By.ID, "signer").text
    kinds = [r.get_attribute("data-kind") for r in d.find_elements(By.CSS_SELECTOR, "#timeline tr[data-kind]")]
    assert "inspection.signed" in kinds and "signoff.refused" in kinds
    shot(d, "report-signed.png")
    STATE.update(retest=retest_id, first=first_id, hash=signature_hash)


def test_a_signed_report_cannot_be_changed_through_any_route(server, browser):
    d = browser
    retest = STATE["retest"]
    d.get(f"{server}/reports/{retest}")
    for path, body, is_json in [
        (f"/reports/{retest}/sign", {"password": "insp1-password"}, False),
        (f"/reports/{retest}/retest", {}, False),
        (f"/api/reports/{retest}/sign", {"password": "insp1-password"}, True),
        (f"/api/reports/{retest}/retest", {}, True),
    ]:
        status, text = post(d, path, body, is_json)
        assert status == 409, (path, status, text[:200])
    # Nor can the first attempt be re-tested a second time.
    status, _ = post(d, f"/reports/{STATE['first']}/retest", {})
    assert status == 409
    d.get(f"{server}/reports/{retest}")
    assert d.find_element(By.ID, "signature-hash").text == STATE["hash"]
    bundle = json.loads(d.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(r => r.text()).then(done);", f"/reports/{retest}/evidence.json"))
    signed = [e for e in bundle["entries"] if e["kind"] == "inspection.signed"]
    assert len(signed) == 1 and signed[0]["hash"] == STATE["hash"]


def test_an_operator_reads_reports_but_cannot_sign(server, browser):
    d = browser
    sign_in(d, server, "op1", "op1-password")
    d.get(f"{server}/reports?verdict=pass&signed=no")
    rows = d.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    assert rows
    target = rows[0].get_attribute("data-inspection")
    d.get(f"{server}/reports/{target}")
    assert d.find_elements(By.ID, "cannot-sign")
    assert not d.find_element(By.ID, "sign-button").is_enabled()
    status, text = post(d, f"/reports/{target}/sign", {"password": "op1-password"})
    assert status == 403, text[:200]
    d.get(f"{server}/reports/{target}")
    assert d.find_elements(By.ID, "unsigned")
    refused = d.find_elements(By.CSS_SELECTOR, '#timeline tr[data-kind="signoff.refused"]')
    assert refused and "not_inspector" in refused[-1].text
    shot(d, "report-operator.png")


def test_the_report_prints_to_an_a4_pdf_with_its_figures(server, browser):
    d = browser
    sign_in(d, server, "insp1", "insp1-password")
    retest = STATE["retest"]
    d.get(f"{server}/reports/{retest}?lang=en")
    plate = d.find_element(By.ID, "plate").text
    values = [td.text.split()[0] for td in d.find_elements(By.CSS_SELECTOR, "#items td[data-value]")]
    assert values
    options = PrintOptions()
    options.page_width = 21.0
    options.page_height = 29.7
    options.background = True
    pdf = base64.b64decode(d.print_page(options))
    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, "report.pdf"), "wb") as f:
        f.write(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2  # A4 in points
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", "", text)
    assert plate in flat
    assert retest in flat
    for value in values:
        assert value in flat, value
    assert STATE["hash"][:32] in flat  # the signature's journal hash is printed
    assert "GB 7258" in text or "GB7258" in flat
    # The page chrome (navigation, forms) is not printed.
    assert "Statistics" not in text and "Sign and lock" not in text


def test_statistics_page_draws_charts_and_offers_their_csv(server, browser):
    d = browser
    d.get(f"{server}/reports/stats?period=day&date=2026-11-20&lang=en")
    charts = d.find_elements(By.CSS_SELECTOR, "section.stats-chart")
    assert {c.get_attribute("data-chart") for c in charts} >= {"hourly", "items", "causes", "lanes", "times", "drivers"}
    assert int(d.find_element(By.ID, "vehicles").text) >= 30
    hourly = d.find_elements(By.CSS_SELECTOR, 'svg[data-chart="hourly"] rect.bar')
    total = sum(float(r.get_attribute("data-value")) for r in hourly)
    csv_text = d.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(r => r.text()).then(done);",
        "/reports/stats.csv?period=day&date=2026-11-20&chart=hourly")
    rows = [line.split(",") for line in csv_text.lstrip("\ufeff").strip().split("\r\n")[1:]]
    assert len(rows) == 24 and sum(int(r[1]) for r in rows) == total == int(d.find_element(By.ID, "vehicles").text)
    shot(d, "stats-day.png")
