#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite: unit tests plus
# integration tests that start their own redis-server, openssl peers and promtool.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build 2>&1 | tee .build/test-output.txt
