#!/usr/bin/env bash
# Cost of the backlog breakdown (celery_redis_queue_tasks_by_name, issue 17 item 6) at 200k waiting
# messages of three task names, some of several MB, while producers push and workers pop.
# Usage: scripts/bench-backlog.sh [exporter-binary] [seconds] [extra exporter flags...]
#   e.g. scripts/bench-backlog.sh .build/debug/celery-redis-exporter 60 --celery.task-name-limit=0  (off: "before")
#        scripts/bench-backlog.sh .build/debug/celery-redis-exporter 60 --celery.task-name-limit=20 (on)
# Prints per-poll duration and backlog phase (p50/max), peak RSS, the breakdown, what it read and
# copied, and Redis's own time in the script (INFO commandstats).
set -euo pipefail
BIN=${1:-.build/debug/celery-redis-exporter}
SECS=${2:-60}
shift 2 || true
. "$(dirname "$0")/lib/bench-common.sh"
bench_init
P=$(free_port); W=$(free_port)
start_redis "$P"

# A Celery 5 message (protocol 2) with the body first; NAME, ID and PAD are replaced per message.
MSG='{"body": "PAD", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "NAME", "id": "ID", "shadow": null, "eta": null, "expires": null, "group": null, "group_index": null, "retries": 0, "timelimit": [null, null], "root_id": "ID", "parent_id": null, "argsrepr": "(42,)", "kwargsrepr": "{}", "origin": "gen1@bench", "ignore_result": false}, "properties": {"correlation_id": "ID", "reply_to": "r", "delivery_mode": 2, "delivery_info": {"exchange": "", "routing_key": "celery"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "ID"}}'
SEED='local names = {"app.email", "app.email", "app.email", "app.email", "app.email", "app.report", "app.report", "app.report", "app.resize", "app.resize"}
local pad = string.rep("A", 400)
local big = string.rep("B", tonumber(ARGV[3]) * 1024 * 1024)
for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do
  local name = names[(i % 10) + 1]
  local body = pad
  if i % 20000 == 7 then body = big; name = "app.resize" end
  local m = string.gsub(string.gsub(string.gsub(KEYS[2], "NAME", name), "ID", "id-" .. i), "PAD", body)
  redis.call("LPUSH", KEYS[1], m)
end
return 1'
for start in $(seq 0 20000 180000); do
  redis-cli -p "$P" EVAL "$SEED" 2 celery "$MSG" "$start" "$(( start + 19999 ))" 5 >/dev/null
done
echo "seeded: $(redis-cli -p "$P" LLEN celery) messages, $(redis-cli -p "$P" MEMORY USAGE celery) bytes in the list"
redis-cli -p "$P" CONFIG RESETSTAT >/dev/null

# Workers pop 20 and producers push 20 (one of 5 MB) every second.
FLOW='for i = 1, 20 do redis.call("RPOP", KEYS[1]) end
for i = 1, 20 do
  local body = string.rep("A", 400)
  if i == 1 then body = string.rep("B", 5 * 1024 * 1024) end
  local m = string.gsub(string.gsub(string.gsub(KEYS[2], "NAME", "app.email"), "ID", "f-" .. ARGV[1] .. "-" .. i), "PAD", body)
  redis.call("LPUSH", KEYS[1], m)
end
return 1'
( n=0; while true; do n=$((n + 1)); redis-cli -p "$P" EVAL "$FLOW" 2 celery "$MSG" "$n" >/dev/null; sleep 1; done ) &
pids+=($!)

"$BIN" --redis.url="redis://127.0.0.1:$P/0" --web.listen-address="127.0.0.1:$W" --poll.interval=2s \
  --celery.queues=celery --no-celery.census "$@" >"$work/exporter.log" 2>&1 &
pids+=($!)
durations=(); backlog=(); rss=0
for _ in $(seq $(( SECS / 2 ))); do
  sleep 2
  m=$(curl -s "127.0.0.1:$W/metrics") || continue
  durations+=("$(awk '/^celery_redis_poll_duration_seconds /{print $2}' <<<"$m")")
  backlog+=("$(awk '/^celery_redis_poll_phase_seconds\{phase="backlog"\}/{print $2}' <<<"$m")")
  r=$(awk '/^process_resident_memory_bytes /{printf "%d", $2}' <<<"$m"); [ "${r:-0}" -gt "$rss" ] && rss=$r
done
stats() { printf '%s\n' "$@" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR) printf "p50 %.1f ms  max %.1f ms (%d polls)", a[int((NR+1)/2)]*1000, a[NR]*1000, NR}'; }
echo "binary=$BIN seconds=$SECS flags=$*"
echo "poll duration: $(stats "${durations[@]}")"
echo "backlog phase: $(stats "${backlog[@]}")"
echo "peak RSS: $(( rss / 1024 / 1024 )) MiB"
curl -s "127.0.0.1:$W/metrics" | grep -E '^celery_redis_(queue_length|queue_tasks_by_name|queue_sampled_messages|queue_unclassified_messages|queue_sample_[a-z_]+|up) ' || true
curl -s "127.0.0.1:$W/metrics" | grep -E '^celery_redis_(queue_tasks_by_name|queue_sampled_messages|queue_unclassified_messages|queue_sample_[a-z_]+)\{' || true
redis-cli -p "$P" INFO commandstats | grep -E "evalsha|cmdstat_lindex|cmdstat_llen" || true
