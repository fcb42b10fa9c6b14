"""`lanectl dispatch verify DB --shift ID`: a simulated shift journaled into a real SQLite journal
verifies; a draw changed in the database (trigger dropped, payload edited) is refused."""
import os
import re
import shutil
import sqlite3
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LANECTL = os.path.join(ROOT, ".build", "debug", "lanectl")
SHIFT = "sim-1-day0"


def lanectl(*args):
    if not os.path.exists(LANECTL):
        pytest.fail("build lanectl first: swift build --product lanectl")
    return subprocess.run([LANECTL, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("dispatch") / "station.sqlite")
    result = lanectl("simulate", "--days", "1", "--seed", "1", "--db", path)
    assert result.returncode == 0, result.stderr
    assert f"dispatch entries of shift {SHIFT}" in result.stdout
    return path


def test_simulated_shift_verifies_from_the_journal(journal):
    result = lanectl("dispatch", "verify", journal, "--shift", SHIFT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERIFIED" in result.stdout
    draws = int(re.search(r"(\d+) draws, (\d+) confirmed", result.stdout).group(1))
    assert draws > 100  # a whole day of draws, every one re-run


def test_an_edited_draw_is_refused(journal, tmp_path):
    tampered = str(tmp_path / "tampered.sqlite")
    shutil.copy(journal, tampered)
    db = sqlite3.connect(tampered)
    db.execute("DROP TRIGGER journal_no_update")
    seq, payload = db.execute(
        "SELECT seq, payload FROM journal WHERE payload LIKE '%\"draw\"%' ORDER BY seq LIMIT 1 OFFSET 10").fetchone()
    chosen = re.search(r'"chosen":"(D\d+)"', payload).group(1)
    other = "D01" if chosen != "D01" else "D02"
    db.execute("UPDATE journal SET payload = ? WHERE seq = ?",
               (payload.replace(f'"chosen":"{chosen}"', f'"chosen":"{other}"'), seq))
    db.commit()
    db.close()
    result = lanectl("dispatch", "verify", tampered, "--shift", SHIFT)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "NOT intact" in result.stdout and str(seq) in result.stdout


def test_an_unknown_shift_is_not_verified(journal):
    result = lanectl("dispatch", "verify", journal, "--shift", "no-such-shift")
    assert result.returncode == 1
    assert "No dispatch entries" in result.stdout


def test_an_unreadable_database_exits_2(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database")
    assert lanectl("dispatch", "verify", str(junk), "--shift", SHIFT).returncode == 2
