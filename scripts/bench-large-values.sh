#!/usr/bin/env bash
# Large-value benchmark (issue 9): fills a redis-server with about 1 GB of large Celery values,
# runs the release exporter for a few polls and prints its peak RSS (VmHWM) and whether its polls
# succeeded; with BASELINE_BIN=/path/to/an/older/celery-redis-exporter the same run is repeated
# with that binary, side by side. Goal: peak RSS <= 64 MB and every poll up.
#   scripts/bench-large-values.sh [POLLS]   (CELERY_REDIS_EXPORTER_BIN or BIN=path: skip the build)
# EXPORTER_FLAGS adds flags to both runs, e.g. EXPORTER_FLAGS=--no-celery.census to leave the
# result metas out (the census reads them on its own thread).
# Values (generated inside Redis by a Lua script, so the 1 GB never crosses a pipe):
#   unacked: 40 prefetched tasks of 1-10 MB and 2 of 70 MB (kombu's [message, exchange, routing_key]);
#   queue tails: 5 queues whose next-in-line message is 10-70 MB;
#   results: 60 celery-task-meta-* SUCCESS metas of 1-10 MB (for the census).
# Only loopback addresses are used. Everything started here is stopped by pid at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-common.sh
POLLS=${1:-6}
INTERVAL=2

exporter_bin
bench_init

RPORT=$(free_port)
start_redis "$RPORT" --proto-max-bulk-len 512mb
rcli() { redis-cli -p "$RPORT" "$@"; }

# A kombu message as Celery 5 writes it: base64 body first, then headers and properties.
read -r -d '' MESSAGE <<'LUA' || true
local function message(tag, queue, bytes, sent_at)
  local sent = ''
  if sent_at then sent = ', "sent_at": ' .. sent_at end
  return '{"body": "' .. string.rep('A', bytes) .. '", "content-encoding": "utf-8", "content-type": "application/json", '
    .. '"headers": {"lang": "py", "task": "app.big", "id": "' .. tag .. '", "eta": null, "expires": null, "retries": 0, '
    .. '"argsrepr": "[...]", "kwargsrepr": "{}", "origin": "gen1@bench"' .. sent .. '}, '
    .. '"properties": {"correlation_id": "' .. tag .. '", "delivery_mode": 2, "delivery_info": {"exchange": "", '
    .. '"routing_key": "' .. queue .. '"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "' .. tag .. '"}}'
end
LUA
read -r -d '' UNACKED <<'LUA' || true
local v = '[' .. message(ARGV[1], ARGV[2], tonumber(ARGV[3])) .. ', "", "' .. ARGV[2] .. '"]'
redis.call('HSET', KEYS[1], ARGV[1], v)
return redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
LUA
read -r -d '' TAIL <<'LUA' || true
redis.call('LPUSH', KEYS[1], message(ARGV[1], KEYS[1], tonumber(ARGV[2]), ARGV[3]))
return redis.call('LPUSH', KEYS[1], message(ARGV[1] .. '-small', KEYS[1], 100, ARGV[3]))
LUA
read -r -d '' META <<'LUA' || true
local v = '{"status": "SUCCESS", "result": "' .. string.rep('r', tonumber(ARGV[2])) .. '", "traceback": null, '
  .. '"children": [], "date_done": "2026-12-05T07:00:00.000000+00:00", "task_id": "' .. ARGV[1] .. '"}'
return redis.call('SETEX', KEYS[1], 86400, v)
LUA
sep=$'\x06\x16'
now=$(date +%s)
mb=$((1024 * 1024))
total=0
for i in $(seq 0 41); do
  if [ "$i" -ge 40 ]; then size=$((70 * mb)); else size=$(((1 + i % 10) * mb)); fi
  queue="q$((i % 5))"
  rcli EVAL "$MESSAGE
$UNACKED" 2 unacked unacked_index "tag-$i" "$queue" "$size" "$((now - 60 + i))" >/dev/null
  total=$((total + size))
done
for i in 0 1 2 3 4; do
  size=$(( (10 + 15 * i) * mb ))
  rcli EVAL "$MESSAGE
$TAIL" 1 "q$i" "tail-$i" "$size" "$((now - 30))" >/dev/null
  rcli SADD "_kombu.binding.q$i" "q$i$sep${sep}q$i" >/dev/null
  total=$((total + size))
done
for i in $(seq 0 59); do
  size=$(( (1 + i % 10) * mb ))
  rcli EVAL "$META" 1 "celery-task-meta-meta-$i" "meta-$i" "$size" >/dev/null
  total=$((total + size))
done
# Both runs use the minimal ACL the README documents (Redis 7), which also proves it suffices.
rcli ACL SETUSER celery-exporter on '>bench-password' resetkeys '%R~*' resetchannels '&*' -@all \
  +ping +select +llen +zcard +zcount +zrange +hstrlen +hmget +hget +lindex +get +pttl +scan +smembers +dbsize \
  +psubscribe +punsubscribe '+script|load' +evalsha_ro +evalsha >/dev/null
echo "Redis holds $((total / mb)) MiB of large values (used_memory: $(rcli INFO memory | awk -F: '/^used_memory_human/ {print $2}' | tr -d '\r'))"

run() {  # label binary
  local label=$1 bin=$2 eport pid up=0 down=0 pending=0 body ready hwm rss duration errors unacked
  eport=$(free_port)
  CELERY_REDIS_EXPORTER_REDIS_PASSWORD=bench-password \
  "$bin" --redis.url="redis://celery-exporter@127.0.0.1:$RPORT/0" --web.listen-address="127.0.0.1:$eport" \
    --poll.interval="${INTERVAL}s" --log.level="${LOG_LEVEL:-warn}" ${EXPORTER_FLAGS:-} 2>"$work/$label.log" &
  pid=$!
  pids+=("$pid")
  sleep 1
  for _ in $(seq "$POLLS"); do
    sleep "$INTERVAL"
    if ! kill -0 "$pid" 2>/dev/null; then echo "$label: exporter exited"; break; fi
    body=$(curl -s "http://127.0.0.1:$eport/metrics" || true)
    if ! grep -q '^celery_redis_last_poll_timestamp_seconds' <<<"$body"; then pending=$((pending + 1))
    elif grep -q '^celery_redis_up 1$' <<<"$body"; then up=$((up + 1)); else down=$((down + 1)); fi
  done
  ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$eport/-/ready" || true)
  curl -s "http://127.0.0.1:$eport/metrics" >"$work/$label.metrics" || true
  duration=$(awk '/^celery_redis_poll_duration_seconds / {print $2}' "$work/$label.metrics")
  errors=$(awk '/^celery_redis_command_errors_total/ {s += $2} END {print s + 0}' "$work/$label.metrics")
  unacked=$(awk '/^celery_redis_unacked_tasks\{/ {s += $2} END {print s + 0}' "$work/$label.metrics")
  hwm=$(proc_kb "$pid" VmHWM)
  rss=$(rss_kb "$pid")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -n "${KEEP_LOGS:-}" ]; then cp "$work/$label.log" "$KEEP_LOGS.$label.log"; fi
  printf '%-10s peak RSS %6.1f MiB  RSS at end %6.1f MiB  scrapes up=1: %d, up=0: %d, before the first poll: %d  /-/ready %s  last poll %ss  unacked by queue %s/42  command errors %s\n' \
    "$label" "$(echo "$hwm / 1024" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$up" "$down" "$pending" "$ready" "${duration:-?}" "$unacked" "$errors"
  grep -E '^celery_redis_(unacked_unread_tasks|queue_unread_tail_messages|queue_oldest_message_age_seconds)' "$work/$label.metrics" | sed 's/^/    /' || true
}

run candidate "$BIN"
if [ -n "${BASELINE_BIN:-}" ]; then run baseline "$BASELINE_BIN"; fi
