"""Interop of our Modbus layer with third-party peers.

- our client (`lanectl modbus read/write`) against a pymodbus TCP server;
- pymodbus and Debian's mbpoll against our server (`lanectl modbus serve`).

Run after `scripts/setup.sh --tests` and `swift build --product lanectl`:
    .venv/bin/python -m pytest -q Tests/python/test_modbus_interop.py
"""

import os
import shutil
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANECTL = os.environ.get("LANECTL", str(ROOT / ".build" / "debug" / "lanectl"))

pymodbus = pytest.importorskip("pymodbus")
from pymodbus.client import ModbusTcpClient  # noqa: E402
from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext  # noqa: E402
from pymodbus.server import StartTcpServer, ServerStop  # noqa: E402

try:  # pymodbus >= 3.10 renamed slaves to devices
    from pymodbus.datastore import ModbusDeviceContext as _UnitContext  # type: ignore

    def _server_context(unit, store):
        return ModbusServerContext(devices={unit: store}, single=False)
except ImportError:  # pragma: no cover - older pymodbus
    from pymodbus.datastore import ModbusSlaveContext as _UnitContext  # type: ignore

    def _server_context(unit, store):
        return ModbusServerContext(slaves={unit: store}, single=False)


def _unit_kwarg(client_call, **kwargs):
    """pymodbus renamed `slave=` to `device_id=` in 3.10: call with whichever this version takes."""
    unit = kwargs.pop("unit")
    try:
        return client_call(**kwargs, device_id=unit)
    except TypeError:
        return client_call(**kwargs, slave=unit)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def lanectl(*args):
    if not os.path.exists(LANECTL):
        pytest.skip(f"{LANECTL} is missing: run `swift build --product lanectl` first")
    done = subprocess.run([LANECTL, *args], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, f"lanectl {' '.join(args)} failed: {done.stderr}"
    return done.stdout


def words_f32(value, order):
    """The two registers of a float32 in the given word order (bytes A B C D, big-endian ABCD)."""
    a, b, c, d = struct.pack(">f", value)
    layout = {"ABCD": (a, b, c, d), "CDAB": (c, d, a, b), "BADC": (b, a, d, c), "DCBA": (d, c, b, a)}[order]
    return [layout[0] << 8 | layout[1], layout[2] << 8 | layout[3]]


HOLDING = [0] * 100
HOLDING[10:14] = [1234, (-5) & 0xFFFF] + words_f32(3.5, "CDAB")
INPUT = [0] * 100
INPUT[0:2] = words_f32(-271.25, "DCBA")
COILS = [False] * 100
COILS[3] = True


@pytest.fixture
def pymodbus_server():
    """A pymodbus TCP server for unit 7 with known holding, input and coil values (protocol addresses 0..99)."""
    # A block starting at 1 holds protocol address 0 (pymodbus adds 1 before looking up).
    store = _UnitContext(
        di=ModbusSequentialDataBlock(1, [False] * 100),
        co=ModbusSequentialDataBlock(1, list(COILS)),
        hr=ModbusSequentialDataBlock(1, list(HOLDING)),
        ir=ModbusSequentialDataBlock(1, list(INPUT)),
    )
    port = free_port()
    context = _server_context(7, store)
    thread = threading.Thread(target=StartTcpServer, kwargs={"context": context, "address": ("127.0.0.1", port)},
                              daemon=True)
    thread.start()
    wait_for_port(port)
    yield port
    ServerStop()
    thread.join(timeout=5)


def test_our_client_reads_and_writes_a_pymodbus_server(pymodbus_server):
    port = pymodbus_server
    out = lanectl("modbus", "read", "--port", str(port), "--unit", "7", "--table", "holding", "--address", "10")
    assert out.split("\t")[1] == "1234"
    out = lanectl("modbus", "read", "--port", str(port), "--unit", "7", "--address", "11", "--type", "i16")
    assert out.split("\t")[1] == "-5"
    out = lanectl("modbus", "read", "--port", str(port), "--unit", "7", "--address", "12", "--type", "f32",
                  "--order", "CDAB")
    assert float(out.split("\t")[1]) == 3.5
    out = lanectl("modbus", "read", "--port", str(port), "--unit", "7", "--table", "input", "--address", "0",
                  "--type", "f32", "--order", "DCBA")
    assert float(out.split("\t")[1]) == -271.25
    out = lanectl("modbus", "read", "--port", str(port), "--unit", "7", "--table", "coil", "--address", "2",
                  "--count", "3")
    assert [line.split("\t")[1] for line in out.strip().splitlines()] == ["0", "1", "0"]

    lanectl("modbus", "write", "--port", str(port), "--unit", "7", "--address", "20", "--type", "i32",
            "--order", "BADC", "--", "-100000")
    lanectl("modbus", "write", "--port", str(port), "--unit", "7", "--table", "coil", "--address", "5", "1")
    # A third-party client confirms what reached the pymodbus server.
    client = ModbusTcpClient("127.0.0.1", port=port)
    assert client.connect()
    try:
        raw = _unit_kwarg(client.read_holding_registers, address=20, count=2, unit=7).registers
        packed = bytes([raw[0] & 0xFF, raw[0] >> 8, raw[1] & 0xFF, raw[1] >> 8])  # BADC back to ABCD
        assert struct.unpack(">i", packed)[0] == -100000
        assert _unit_kwarg(client.read_coils, address=5, count=1, unit=7).bits[0] is True
    finally:
        client.close()


@pytest.fixture
def our_server():
    port = free_port()
    if not os.path.exists(LANECTL):
        pytest.skip(f"{LANECTL} is missing: run `swift build --product lanectl` first")
    process = subprocess.Popen([LANECTL, "modbus", "serve", "--port", str(port), "--units", "1,2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_pymodbus_client_talks_to_our_server(our_server):
    client = ModbusTcpClient("127.0.0.1", port=our_server)
    assert client.connect()
    try:
        reply = _unit_kwarg(client.write_registers, address=3, values=[11, 22, 33], unit=2)
        assert not reply.isError()
        reply = _unit_kwarg(client.read_holding_registers, address=2, count=5, unit=2)
        assert reply.registers == [0, 11, 22, 33, 0]
        reply = _unit_kwarg(client.read_holding_registers, address=3, count=1, unit=1)
        assert reply.registers == [0], "units keep separate tables"
        reply = _unit_kwarg(client.write_coil, address=7, value=True, unit=1)
        assert not reply.isError()
        reply = _unit_kwarg(client.read_coils, address=7, count=1, unit=1)
        assert reply.bits[0] is True
        reply = _unit_kwarg(client.read_holding_registers, address=99, count=5, unit=1)
        assert reply.isError() and reply.exception_code == 2  # illegal data address
    finally:
        client.close()


@pytest.mark.skipif(shutil.which("mbpoll") is None, reason="mbpoll is not installed (apt install mbpoll)")
def test_mbpoll_writes_and_reads_our_server(our_server):
    def mbpoll(*args):
        done = subprocess.run(["mbpoll", "-m", "tcp", "-a", "1", "-p", str(our_server), *args],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    # mbpoll counts references from 1: -r 5 is protocol address 4.
    mbpoll("-t", "4", "-r", "5", "-1", "127.0.0.1", "--", "4242", "60000")
    read = lanectl("modbus", "read", "--port", str(our_server), "--address", "4", "--count", "2")
    assert [line.split("\t")[1] for line in read.strip().splitlines()] == ["4242", "60000"]
    # mbpoll's 32-bit values put the low word first: our CDAB.
    mbpoll("-t", "4:float", "-r", "11", "-1", "127.0.0.1", "--", "-3.5")
    read = lanectl("modbus", "read", "--port", str(our_server), "--address", "10", "--type", "f32", "--order", "CDAB")
    assert float(read.split("\t")[1]) == -3.5
    out = mbpoll("-t", "4", "-r", "5", "-c", "2", "-1", "127.0.0.1")
    assert "[5]: \t4242" in out and "[6]: \t60000" in out
