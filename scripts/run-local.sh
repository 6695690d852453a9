#!/usr/bin/env bash
# One command for a newcomer: install what is missing, build a release binary, start a local
# redis-server when none answers at the default URL, and run the exporter in the foreground.
# Extra arguments go to the exporter, e.g.  scripts/run-local.sh --celery.queues=celery,high
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
scripts/install-deps.sh --run
swift build -c release --product celery-redis-exporter
binary="$(swift build -c release --show-bin-path)/celery-redis-exporter"

started_redis=""
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  dir="$(mktemp -d)"
  redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 50); do redis-cli -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
  started_redis="$(cat "$dir/redis.pid")"
  echo "started a local redis-server (pid $started_redis) on 127.0.0.1:6379; it stops when the exporter does"
fi
cleanup() { [ -n "$started_redis" ] && kill "$started_redis" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

echo "celery-redis-exporter: open http://localhost:9540/ (metrics at http://localhost:9540/metrics); Ctrl-C stops"
"$binary" --redis.url=redis://127.0.0.1:6379/0 "$@"
