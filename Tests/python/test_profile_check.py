"""`lanectl profile check FILE`: exit 0 with a summary for a usable profile, exit 2 with
file:line:column: reason (English, then Chinese) for a broken one."""
import os
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LANECTL = os.path.join(ROOT, ".build", "debug", "lanectl")


def check(path, cwd=ROOT):
    if not os.path.exists(LANECTL):
        pytest.skip("build lanectl first: swift build --product lanectl")
    return subprocess.run([LANECTL, "profile", "check", path], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_demo_profile_is_usable():
    result = check("LaneProfiles/demo-station.yaml")
    assert result.returncode == 0, result.stderr
    assert "ruleset CN-GB7258-2017" in result.stdout
    assert result.stdout.count("LC-RB3000") == 2
    assert "8 drivers" in result.stdout


def test_asm_profile_is_usable_and_puts_the_dynamometer_under_lane_1_emission():
    result = check("LaneProfiles/asm-station.yaml")
    assert result.returncode == 0, result.stderr
    assert "ruleset CN-GB7258-2017" in result.stdout
    assert result.stdout.count("LC-EA500") == 2
    dyno = [line for line in result.stdout.splitlines() if "chassis dynamometer (ASM)" in line]
    assert len(dyno) == 1 and "L1.emission" in dyno[0]
    assert "8 drivers" in result.stdout


def test_broken_profile_exits_2_with_file_line_and_reason():
    result = check("examples/broken-station.yaml", cwd=os.path.join(ROOT, "LaneProfiles"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == 'examples/broken-station.yaml:37:15: duplicate rig id "L1.brake" (first used on line 24)'
    assert lines[1].startswith("examples/broken-station.yaml:37:15: ") and "重复" in lines[1]


def test_a_broken_register_map_is_reported_in_the_map_file(tmp_path):
    maps = os.path.join(ROOT, "Firmware", "maps")
    bad_map = tmp_path / "brake.yaml"
    text = open(os.path.join(maps, "lc-rb3000-brake.yaml"), encoding="utf-8").read()
    bad_map.write_text(text.replace("address: 1, type: u16, scale: 0.1", "address: 0, type: u16, scale: 0.1", 1))
    profile = tmp_path / "station.yaml"
    profile.write_text(f"""station: {{ name: T }}
ruleset: UK-MOT
rig_models:
  LC-RB3000: brake.yaml
lanes: []
drivers: []
""")
    result = check(str(profile))
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]
    line = next(i for i, l in enumerate(bad_map.read_text().splitlines(), 1) if "name: force_right" in l)
    assert first.startswith(f"{bad_map}:{line}:")
    assert "force_right overlaps force_left at input address 0" in first


def test_missing_file():
    result = check("LaneProfiles/no-such-station.yaml")
    assert result.returncode == 2
    assert result.stderr.startswith("LaneProfiles/no-such-station.yaml:0:0: cannot read the file")
