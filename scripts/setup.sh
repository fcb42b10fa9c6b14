#!/usr/bin/env bash
# Installs what LaneControl needs on a Debian machine with the Swift toolchain: only what is missing.
#   scripts/setup.sh          build and run (libmodbus, SQLite)
#   scripts/setup.sh --tests  also the test peers: mbpoll, socat, pymodbus, Chromium + selenium, a CJK font
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libmodbus-dev libsqlite3-dev pkg-config)
if [ "${1:-}" = "--tests" ]; then
    packages+=(mbpoll socat python3-venv chromium chromium-driver fonts-wqy-microhei)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--tests" ]; then
    # Python peers live in a git-ignored virtual environment.
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import pymodbus, selenium, pypdf" 2>/dev/null; then
        echo "setup: preparing .venv (pymodbus, selenium, pypdf, pytest)" >&2
        python3 -m venv .venv
        .venv/bin/pip install -q --disable-pip-version-check "pymodbus>=3.6,<4" "selenium>=4.15" "pypdf>=4" "pytest>=8"
    fi
fi
