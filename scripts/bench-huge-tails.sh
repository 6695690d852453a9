#!/usr/bin/env bash
# Redis time spent on queue tails per poll with three huge tail messages (issue 9 "Trust").
# Usage: scripts/bench-huge-tails.sh [exporter-binary] [MB per tail] [seconds]
# Prints the exporter's poll outcomes (celery_redis_up samples) and the script's Redis time
# (INFO commandstats evalsha_ro: calls, usec) over the run.
set -euo pipefail
BIN=${1:-.build/debug/celery-redis-exporter}
MB=${2:-400}
SECS=${3:-30}
P=$(( 20000 + RANDOM % 20000 )); W=$(( P + 1 ))
DIR=$(mktemp -d)
redis-server --port "$P" --save '' --appendonly no --proto-max-bulk-len 1gb --dir "$DIR" >"$DIR/redis.log" 2>&1 &
RPID=$!
cleanup() { [ -n "${EPID:-}" ] && kill "$EPID" 2>/dev/null; redis-cli -p "$P" shutdown nosave >/dev/null 2>&1 || kill "$RPID"; rm -rf "$DIR"; }
trap cleanup EXIT
for _ in $(seq 50); do redis-cli -p "$P" ping >/dev/null 2>&1 && break; sleep 0.1; done
for q in big1 big2 big3; do
  redis-cli -p "$P" EVAL "redis.call('LPUSH',KEYS[1],'{\"body\": \"'..string.rep('A',tonumber(ARGV[1])*1024*1024)..'\", \"headers\": {\"task\":\"t\",\"id\":\"'..KEYS[1]..'\"}, \"properties\": {\"delivery_tag\":\"'..KEYS[1]..'\",\"delivery_info\":{\"routing_key\":\"'..KEYS[1]..'\"}}}') return redis.call('LPUSH',KEYS[1],'small')" 1 "$q" "$MB" >/dev/null
done
redis-cli -p "$P" CONFIG RESETSTAT >/dev/null
"$BIN" --redis.url="redis://127.0.0.1:$P/0" --web.listen-address="127.0.0.1:$W" --poll.interval=2s \
  --celery.queues=big1,big2,big3 >"$DIR/exporter.log" 2>&1 &
EPID=$!
ups=""
for _ in $(seq $(( SECS / 2 ))); do
  sleep 2
  ups+="$(curl -s "127.0.0.1:$W/metrics" | awk '/^celery_redis_up /{print $2}') "
done
echo "tail MB=$MB seconds=$SECS binary=$BIN"
echo "celery_redis_up samples: $ups"
redis-cli -p "$P" INFO commandstats | grep -E "evalsha|memory" || true
