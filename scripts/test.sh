#!/usr/bin/env bash
# Runs every test of LaneControl: the Swift suites, then the interop and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests

swift build --build-tests
swift test --skip-build 2>&1 | tee /tmp/lanecontrol-swift-test.log
# Python suites (interop with third-party Modbus peers, browser tests) run when present.
if ls Tests/python/test_*.py >/dev/null 2>&1; then
    swift build --product lanectl
    swift build --product rigsim
    .venv/bin/python -m pytest -q Tests/python
fi
