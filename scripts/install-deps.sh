#!/usr/bin/env bash
# Installs what building and testing celery-redis-exporter needs on Debian 12, skipping what is
# already there. Swift itself is expected at /opt/swift or on PATH (swift.org toolchain).
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --run    only what building and running the exporter needs (run-local.sh)
#   scripts/install-deps.sh --bench  also wrk and nginx for scripts/bench-serve.sh, prometheus-redis-exporter for scripts/bench-scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Building and running: the C libraries the exporter links, and a local Redis.
packages=(redis-server redis-tools libhiredis-dev libssl-dev zlib1g-dev libcrypt-dev libyaml-dev pkg-config)
# Testing: real peers and tools the suites drive (promtool, amtool, OpenSSL, a headless browser).
test_packages=(openssl prometheus prometheus-alertmanager curl python3-venv chromium chromium-driver)
case "${1:-}" in
  --run) ;;
  --bench) packages+=("${test_packages[@]}" wrk nginx-light prometheus-redis-exporter) ;;
  *) packages+=("${test_packages[@]}") ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  # The Debian packages of redis-server and prometheus try to start services; we start our own.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "note: swift is at /opt/swift/usr/bin; add it to PATH" >&2
  else
    echo "error: no Swift toolchain found (need Swift 6.0 or newer from swift.org)" >&2
    exit 1
  fi
fi
