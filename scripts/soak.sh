#!/usr/bin/env bash
# Chaos soak: a real Celery worker and producer through a real redis-server while Redis is
# restarted, SIGSTOPped and has its clients killed, large payloads come and go, the webhook receiver
# fails (500, hangs, Retry-After: 0) and hostile HTTP clients pile on. Prints RSS growth, false
# "Redis down" polls, false alerts and notifications expected vs delivered (scripts/soak/soak.py
# says exactly what is judged). Loopback only; stops by itself.
#
#   scripts/soak.sh [MINUTES]        default 10; the README's numbers come from a 60-minute run
#   CELERY_REDIS_EXPORTER_BIN=path   use this exporter binary instead of building a release one
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
MINUTES="${1:-10}"
scripts/install-deps.sh >/dev/null
scripts/setup-celery-venv.sh >/dev/null
BIN="${CELERY_REDIS_EXPORTER_BIN:-}"
if [ -z "$BIN" ]; then
  swift build -c release --product celery-redis-exporter >/dev/null
  BIN="$(swift build -c release --show-bin-path)/celery-redis-exporter"
fi
exec "${CELERY_VENV:-$PWD/.venv-celery}/bin/python" scripts/soak/soak.py --minutes "$MINUTES" --exporter "$BIN"
