#!/usr/bin/env bash
# Runs every test of LaneControl: the Swift suites, then the interop and browser tests.
# Both run even when the first fails; the failures of each are repeated at the end, where a CI log's tail shows them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests

swift_log=/tmp/lanecontrol-swift-test.log
python_log=/tmp/lanecontrol-python-test.log
swift build --build-tests
swift_status=0
swift test --skip-build 2>&1 | tee "$swift_log" || swift_status=$?
# Python suites (interop with third-party Modbus peers, browser tests) run when present.
python_status=0
if ls Tests/python/test_*.py >/dev/null 2>&1; then
    swift build --product lanectl
    swift build --product rigsim
    .venv/bin/python -m pytest -q -rfE Tests/python 2>&1 | tee "$python_log" || python_status=$?
fi
if [ "$swift_status" -ne 0 ]; then
    echo "=== Swift tests failed (exit $swift_status); the failures, from $swift_log:"
    grep -E "✘|recorded an issue|Expectation failed|error:|Fatal error" "$swift_log" | head -120 || true
fi
if [ "$python_status" -ne 0 ]; then
    echo "=== Python tests failed (exit $python_status); the summary, from $python_log:"
    grep -E "^(FAILED|ERROR)|passed|failed" "$python_log" | tail -40 || true
fi
[ "$swift_status" -eq 0 ] && [ "$python_status" -eq 0 ]
