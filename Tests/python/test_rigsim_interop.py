"""Third-party Modbus peers (pymodbus, Debian's mbpoll) read our simulated rigs (.build/debug/rigsim)
and get the values the register maps (Firmware/maps/*.yaml) promise.

The maps are read here by a small parser of their flow-style channel lines, independent of the
Swift loader, and every value is decoded here (struct) or by the peer, independent of our codec.
"""
import math
import os
import re
import select
import signal
import struct
import subprocess
import time

import pytest
from pymodbus.client import ModbusTcpClient

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RIGSIM = os.path.join(ROOT, ".build", "debug", "rigsim")
MAPS = os.path.join(ROOT, "Firmware", "maps")


def load_map(name):
    """Channels and commands of a map file: one `{ key: value, … }` entry per item (may wrap lines)."""
    text = open(os.path.join(MAPS, name), encoding="utf-8").read()
    top = dict(re.findall(r"^(word_order|model|kind): *([^\s#]+)", text, re.M))
    entries, section, current = {"channels": [], "commands": []}, None, None
    for line in text.splitlines():
        if re.match(r"^(channels|commands):", line):
            section = line.split(":")[0]
            continue
        if section and line.strip().startswith("- {"):
            current = line.strip()[3:]
        elif current is not None:
            current += " " + line.strip()
        if current is not None and current.rstrip().endswith("}"):
            body = current.rstrip()[:-1]
            fields = {}
            for key, value in re.findall(r'(\w+): *("[^"]*"|[^,]*)', body):
                fields[key] = value.strip().strip('"')
            entries[section].append(fields)
            current = None
    return top, entries


def decode(words, type_, order):
    """Engineering-free raw value of registers, bytes A (most significant) … D."""
    if type_ in ("u16", "i16"):
        raw = struct.pack(">H", words[0])
        return struct.unpack(">h" if type_ == "i16" else ">H", raw)[0]
    first, second = struct.pack(">H", words[0]), struct.pack(">H", words[1])
    abcd = {
        "ABCD": first + second,
        "CDAB": second + first,
        "BADC": first[::-1] + second[::-1],
        "DCBA": second[::-1] + first[::-1],
    }[order]
    return struct.unpack({"u32": ">I", "i32": ">i", "f32": ">f"}[type_], abcd)[0]


class Rigsim:
    def __init__(self, *args):
        self.process = subprocess.Popen(
            [RIGSIM, *args], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            bufsize=1)
        self.rigs = {}
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.process.stdout.readline()
            assert line, f"rigsim ended: {self.process.stderr.read()}"
            m = re.match(r"rig (\S+) (\S+) tcp ([\d.]+):(\d+) unit (\d+)", line)
            if m:
                self.rigs[m.group(1)] = (m.group(3), int(m.group(4)), int(m.group(5)))
            if line.startswith("ready"):
                return
        raise AssertionError("rigsim did not get ready")

    def control(self, line):
        """Sends a control line and returns the answer lines (until a short silence)."""
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = []
        while True:
            ready, _, _ = select.select([self.process.stdout], [], [], 1.0 if not answer else 0.3)
            if not ready:
                return answer
            answer.append(self.process.stdout.readline().rstrip("\n"))

    def status(self, rig):
        line = [l for l in self.control(f"status {rig}") if l.startswith(rig + " ")][0]
        return {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        out, _ = self.process.communicate(timeout=20)
        return self.process.returncode, out


@pytest.fixture(scope="module")
def station():
    if not os.path.exists(RIGSIM):
        pytest.skip("build rigsim first: swift build --product rigsim")
    sim = Rigsim("--profile", "LaneProfiles/demo-station.yaml")
    yield sim
    code, out = sim.stop()
    assert code == 0 and "stopped" in out


def client_for(station, rig):
    host, port, unit = station.rigs[rig]
    client = ModbusTcpClient(host, port=port, timeout=3)
    assert client.connect()
    return client, unit


def read_channels(client, unit, top, entries, table):
    """Reads the whole table in one request and decodes every channel of it per the map."""
    channels = [c for c in entries["channels"] if c["table"] == table]
    end = max(int(c["address"]) + (2 if c.get("type") in ("u32", "i32", "f32") else 1) for c in channels)
    if table == "input":
        words = client.read_input_registers(0, count=end, device_id=unit).registers
    elif table == "holding":
        words = client.read_holding_registers(0, count=end, device_id=unit).registers
    else:
        reply = client.read_discrete_inputs(0, count=end, device_id=unit) if table == "discrete_input" else \
            client.read_coils(0, count=end, device_id=unit)
        return {c["name"]: float(reply.bits[int(c["address"])]) for c in channels}
    values = {}
    for c in channels:
        address, type_ = int(c["address"]), c.get("type", "u16")
        order = c.get("word_order", top.get("word_order", "ABCD"))
        raw = decode(words[address:address + 2], type_, order)
        values[c["name"]] = raw * float(c.get("scale", 1)) + float(c.get("offset", 0))
    return values


def test_maps_parse_here_as_they_do_in_swift():
    top, entries = load_map("lc-rb3000-brake.yaml")
    assert top["model"] == "LC-RB3000"
    assert len(entries["channels"]) == 19 and len(entries["commands"]) == 2
    load = [c for c in entries["channels"] if c["name"] == "load_left"][0]
    assert (load["type"], load["word_order"], load["address"]) == ("f32", "CDAB", "4")


def test_pymodbus_reads_a_latched_headlamp_measurement(station):
    top, entries = load_map("lc-hl200-headlamp.yaml")
    client, unit = client_for(station, "L2.headlamp")  # misaimed_lamp
    try:
        commands = {c["name"]: int(c["address"]) for c in entries["commands"]}
        client.write_register(commands["beam_select"], 2, device_id=unit)
        client.write_coil(commands["measure_left"], True, device_id=unit)
        for _ in range(200):
            bits = read_channels(client, unit, top, entries, "discrete_input")
            if bits["left_high_ready"] == 1:
                break
            time.sleep(0.05)
        else:
            pytest.fail("left lamp never became ready")
        served = read_channels(client, unit, top, entries, "input")
        truth = station.status("L2.headlamp")
        for c in entries["channels"]:
            if c["table"] == "input" and c["name"].startswith("left_"):
                tolerance = float(c.get("scale", 1)) / 2 + 1e-6
                assert abs(served[c["name"]] - truth[c["name"]]) <= tolerance + 1e-3, c["name"]
        assert abs(served["left_low_vertical_h"] - 0.96) < 0.02       # mis-aimed: 0.96 H
        assert abs(served["left_low_horizontal_mm"] - 420) < 25
        assert 20000 < served["left_high_intensity"] < 24000          # u32 CDAB
        assert read_channels(client, unit, top, entries, "holding")["beam_selected"] == 2
    finally:
        client.close()


def test_pymodbus_runs_the_rollers_and_reads_every_word_order(station):
    top, entries = load_map("lc-rb3000-brake.yaml")
    client, unit = client_for(station, "L1.brake")
    try:
        time.sleep(1.0)
        values = read_channels(client, unit, top, entries, "input")
        assert abs(values["load_left"] - 401.5) < 3                     # f32 CDAB
        assert abs(values["axle_load"] - (values["load_left"] + values["load_right"])) < 0.11  # u32 ×0.1
        assert values["heartbeat"] > 0                                   # u32 DCBA
        rollers = [c for c in entries["commands"] if c["name"] == "rollers_run"][0]
        client.write_coil(int(rollers["address"]), True, device_id=unit)
        for _ in range(100):
            if read_channels(client, unit, top, entries, "discrete_input")["ready"] == 1:
                break
            time.sleep(0.05)
        values = read_channels(client, unit, top, entries, "input")
        assert values["roller_state"] == 2
        assert abs(values["roller_speed"] - 2.5) < 0.01
        assert 0 <= values["slip_left_pct"] < 5                          # i16 ×0.1
        assert abs(values["force_left"] - 8) < 4                         # drag, u16 ×0.1
        assert values["pedal_force"] == 0                                # i32 BADC
        client.write_coil(int(rollers["address"]), False, device_id=unit)
    finally:
        client.close()


def test_pymodbus_sees_faults_chosen_at_run_time(station):
    client, unit = client_for(station, "L1.headlamp")
    try:
        assert not client.read_input_registers(0, count=4, device_id=unit).isError()
        assert station.control("fault L1.headlamp exception_replies 4")[0].startswith("ok")
        reply = client.read_input_registers(0, count=4, device_id=unit)
        assert reply.isError() and reply.exception_code == 4
        assert station.control("fault L1.headlamp none")[0].startswith("ok")
        assert not client.read_input_registers(0, count=4, device_id=unit).isError()
    finally:
        client.close()


def mbpoll(station, rig, *args):
    host, port, unit = station.rigs[rig]
    out = subprocess.run(
        ["mbpoll", "-m", "tcp", "-a", str(unit), "-p", str(port), "-1", "-o", "3", *args, host],
        capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    return [float(v) for v in re.findall(r"^\[\d+\]:\s+(-?[\d.e+-]+)", out.stdout, re.M)]


def test_mbpoll_reads_float_cdab_wheel_loads(station):
    # mbpoll's default 32-bit word order is little-endian words (CDAB); references are 1-based.
    values = mbpoll(station, "L2.brake", "-t", "3:float", "-r", "5", "-c", "2")
    assert len(values) == 2
    assert abs(values[0] - 401.5) < 3 and abs(values[1] - 401.2) < 3


def test_mbpoll_reads_u16_scaled_and_discrete_inputs(station):
    status = station.status("L2.emission")
    assert status["warming_up"] == 1
    remaining = mbpoll(station, "L2.emission", "-t", "3", "-r", "17", "-c", "1")  # warmup_remaining_s
    assert len(remaining) == 1 and 0 < remaining[0] <= 30
    bits = mbpoll(station, "L2.emission", "-t", "1", "-r", "1", "-c", "1")     # warming_up
    assert bits == [1]
