#!/usr/bin/env bash
# Redis time spent on queue tails per poll with three huge tail messages (issue 9 "Trust").
# Usage: scripts/bench-huge-tails.sh [exporter-binary] [MB per tail] [seconds]
# Prints the exporter's poll outcomes (celery_redis_up samples) and the script's Redis time
# (INFO commandstats evalsha_ro: calls, usec) over the run.
set -euo pipefail
BIN=${1:-.build/debug/celery-redis-exporter}
MB=${2:-400}
SECS=${3:-30}
. "$(dirname "$0")/lib/bench-common.sh"
bench_init
P=$(free_port); W=$(free_port)
start_redis "$P" --proto-max-bulk-len 1gb
for q in big1 big2 big3; do
  redis-cli -p "$P" EVAL "redis.call('LPUSH',KEYS[1],'{\"body\": \"'..string.rep('A',tonumber(ARGV[1])*1024*1024)..'\", \"headers\": {\"task\":\"t\",\"id\":\"'..KEYS[1]..'\"}, \"properties\": {\"delivery_tag\":\"'..KEYS[1]..'\",\"delivery_info\":{\"routing_key\":\"'..KEYS[1]..'\"}}}') return redis.call('LPUSH',KEYS[1],'small')" 1 "$q" "$MB" >/dev/null
done
redis-cli -p "$P" CONFIG RESETSTAT >/dev/null
"$BIN" --redis.url="redis://127.0.0.1:$P/0" --web.listen-address="127.0.0.1:$W" --poll.interval=2s \
  --celery.queues=big1,big2,big3 >"$work/exporter.log" 2>&1 &
pids+=($!)
ups=""
for _ in $(seq $(( SECS / 2 ))); do
  sleep 2
  ups+="$(curl -s "127.0.0.1:$W/metrics" | awk '/^celery_redis_up /{print $2}') "
done
echo "tail MB=$MB seconds=$SECS binary=$BIN"
echo "celery_redis_up samples: $ups"
redis-cli -p "$P" INFO commandstats | grep -E "evalsha|memory" || true
