#!/usr/bin/env bash
# Runs a whole simulated station on this machine and prints the console's URL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product lanectl
exec .build/release/lanectl demo "$@"
