#!/usr/bin/env bash
# Memory of the range-selector history (issue 14 item 1): how many bytes the samples kept for
# `max_over_time(x[1h])`-style rules really take, against the estimate the exporter reports in
# celery_redis_rule_history_bytes and bounds with --rules.history-max-bytes.
#
# Runs two exporters against one private redis-server seeded with N bound queues: A with a rule
# over a 1 h range of celery_redis_queue_length (one history series per queue), B with the same
# rule as an instant comparison (no history). After the run, prints the history's series, samples
# and estimated bytes (A), and both processes' RSS: (RSS A − RSS B) / samples is the real cost per
# sample to compare with the estimate's.
#
#   scripts/measure-rule-history.sh [--queues N] [--seconds S] [--poll DURATION]
# BIN=<path> measures that binary (default: build release here). Only loopback is used;
# everything started here is stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-common.sh
QUEUES=2000
SECONDS_TO_RUN=30
POLL=0.1s
while [ $# -gt 0 ]; do
  case "$1" in
    --queues) QUEUES=$2; shift 2 ;;
    --seconds) SECONDS_TO_RUN=$2; shift 2 ;;
    --poll) POLL=$2; shift 2 ;;
    *) echo "usage: $0 [--queues N] [--seconds S] [--poll DURATION]" >&2; exit 2 ;;
  esac
done
command -v redis-server >/dev/null || scripts/install-deps.sh >/dev/null
exporter_bin
bench_init
RPORT=$(free_port)
start_redis "$RPORT"

# N bound queues with one message each, sent as raw RESP (the binding member holds \x06\x16).
python3 - "$QUEUES" >"$work/seed.resp" <<'PY'
import sys
from resp import cmd
buf = bytearray()
for i in range(int(sys.argv[1])):
    q = b"queue-%05d" % i
    buf += cmd(b"SADD", b"_kombu.binding." + q, q + b"\x06\x16\x06\x16" + q)
    buf += cmd(b"LPUSH", q, b'{"body": "", "headers": {"id": "x"}, "properties": {"delivery_tag": "t"}}')
sys.stdout.buffer.write(buf)
PY
redis-cli -p "$RPORT" --pipe <"$work/seed.resp" >/dev/null

cat >"$work/range.yml" <<'YML'
groups:
  - name: history
    rules:
      - alert: NeverFires
        expr: max_over_time(celery_redis_queue_length[1h]) > 1e15
YML
cat >"$work/instant.yml" <<'YML'
groups:
  - name: history
    rules:
      - alert: NeverFires
        expr: celery_redis_queue_length > 1e15
YML
PA=$(free_port); PB=$(free_port)
common=(--redis.url="redis://127.0.0.1:$RPORT/0" --poll.interval="$POLL" --no-celery.events --no-celery.census)
"$BIN" "${common[@]}" --web.listen-address="127.0.0.1:$PA" --rules.file="$work/range.yml" 2>"$work/a.log" &
A=$!; pids+=($A)
"$BIN" "${common[@]}" --web.listen-address="127.0.0.1:$PB" --rules.file="$work/instant.yml" 2>"$work/b.log" &
B=$!; pids+=($B)
sleep "$SECONDS_TO_RUN"
metric() { curl -s "127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n { print $2 }'; }
rss() { echo $(( $(rss_kb "$1") * 1024 )); }
series=$(metric "$PA" celery_redis_rule_history_series)
samples=$(metric "$PA" celery_redis_rule_history_samples)
estimate=$(metric "$PA" celery_redis_rule_history_bytes)
ra=$(rss "$A"); rb=$(rss "$B")
echo "queues=$QUEUES poll=$POLL seconds=$SECONDS_TO_RUN"
echo "history: series=$series samples=$samples estimated_bytes=$estimate"
echo "rss: with_history=$ra without=$rb difference=$((ra - rb))"
python3 -c "
s, e, d = float('$samples'), float('$estimate'), float($ra - $rb)
print('per sample: estimate %.1f B, measured (RSS difference) %.1f B' % (e / s, d / s))"
