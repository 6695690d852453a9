#!/usr/bin/env bash
# Notification memory benchmark (issue 16 item 2/7: "1200 alerts x 20 routes with the receiver
# down stays under 64 MB RSS"). Runs the real release exporter against a private redis-server
# seeded with 1200 queues (one message each), a rule that fires for every queue, grouped by
# queue, and 20 routes (`continue: true`) to 20 receivers that are down: even ones refuse the
# connection (a closed port), odd ones accept and never answer (a hanging receiver). One queue
# flaps (its list is emptied and refilled every few seconds), so its alert fires and resolves.
# That is 24,000 aggregation groups, each with one notification pending.
#
# Prints, for the binary under test and (when BASELINE_BIN is set) a baseline binary run at the
# same time against the same Redis, and the binary under test without a notifier (the floor: the
# same rules and alerts, nothing to send): peak RSS (VmHWM), RSS after the warm-up minute and at the
# end, the largest RSS seen, and pending groups / bytes held from the exporter's metrics.
#
#   scripts/bench-notify-memory.sh [--minutes N] [--queues N] [--routes N]   (N ≤ 999: one receiver per route, at most 1,000 receivers)
# BIN=<path> benchmarks that binary (default: build release here); BASELINE_BIN=<path> adds a
# baseline column (e.g. main's release binary copied to /tmp). Defaults: 3 minutes, 1200
# queues, 20 routes. Only loopback is used; everything started here is stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-common.sh
MINUTES=3
QUEUES=1200
ROUTES=20
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES=$2; shift 2 ;;
    --queues) QUEUES=$2; shift 2 ;;
    --routes) ROUTES=$2; shift 2 ;;
    *) echo "usage: $0 [--minutes N] [--queues N] [--routes N]" >&2; exit 2 ;;
  esac
done

command -v redis-server >/dev/null || scripts/install-deps.sh >/dev/null
exporter_bin
bench_init

RPORT=$(free_port)
CLOSED=$(free_port)  # nothing listens here: connection refused
HANG=$(free_port)
start_redis "$RPORT"

# A receiver that accepts every connection and never answers (until the exporter times out).
python3 - "$HANG" <<'PY' &
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1024)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
    if len(held) > 2000: held.pop(0).close()
PY
pids+=($!)

# 1200 queues with one message each (kombu's list layout; the body only needs to parse).
python3 - "$RPORT" "$QUEUES" <<'PY'
import socket, sys, json, base64
from resp import cmd
port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
buf = []
for i in range(n):
    q = "q%04d" % i
    body = json.dumps({"body": base64.b64encode(b"[[], {}, {}]").decode(), "content-encoding": "utf-8",
        "content-type": "application/json", "headers": {"id": "t-%d" % i, "task": "bench.task"},
        "properties": {"delivery_tag": "tag-%d" % i, "delivery_info": {"exchange": "", "routing_key": q},
        "priority": 0, "body_encoding": "base64"}})
    buf.append(cmd("LPUSH", q, body))
    buf.append(cmd("SADD", "_kombu.binding." + q, q + "\x06\x16\x06\x16" + q))
s.sendall(b"".join(buf))
s.settimeout(10)
want, got = 2 * n, 0
data = b""
while got < want:
    data += s.recv(65536)
    got = data.count(b"\r\n")
PY

cat > "$work/rules.yml" <<'YML'
groups:
  - name: bench
    rules:
      - alert: QueueBacked
        expr: celery_redis_queue_length >= 0
        labels: {severity: warning}
        annotations:
          summary: "Queue {{ $labels.queue }} has {{ $value }} messages"
          description: "A realistic annotation of a hundred characters or so, as rules usually carry one."
      - alert: QueueFlapping
        expr: celery_redis_queue_length{queue="q0000"} > 0
        labels: {severity: page}
YML
{
  echo "route:"
  echo "  receiver: r0"
  echo "  group_by: ['queue']"
  echo "  group_wait: 1s"
  echo "  group_interval: 5s"
  echo "  repeat_interval: 1h"
  echo "  routes:"
  for r in $(seq 0 $((ROUTES - 1))); do
    echo "    - receiver: r$r"
    echo "      matchers: ['severity=~\"warning|page\"']"
    echo "      continue: true"
  done
  echo "receivers:"
  for r in $(seq 0 $((ROUTES - 1))); do
    port=$CLOSED; [ $((r % 2)) -eq 1 ] && port=$HANG
    echo "  - name: r$r"
    echo "    webhook_configs:"
    echo "      - url: http://127.0.0.1:$port/hook/$r"
    echo "        timeout: 10s"
  done
} > "$work/alerting.yml"

start_exporter() {  # name binary [extra flags...]
  local port name=$1 bin=$2; port=$(free_port); shift 2
  "$bin" --redis.url="redis://127.0.0.1:$RPORT/0" --poll.interval=2s --celery.events=false --celery.census=false \
    --rules.file="$work/rules.yml" --web.listen-address="127.0.0.1:$port" "$@" >"$work/$name.log" 2>&1 &
  echo "$! $port"
}
read -r PID PORT < <(start_exporter test "$BIN" --alerting.config="$work/alerting.yml")
names=(test); epids=($PID); eports=($PORT)
if [ -n "${BASELINE_BIN:-}" ]; then
  read -r BPID BPORT < <(start_exporter baseline "$BASELINE_BIN" --alerting.config="$work/alerting.yml")
  names+=(baseline); epids+=($BPID); eports+=($BPORT)
fi
# The floor: the binary under test with the same rules and no notifier (alerts evaluated, nothing sent).
read -r FPID FPORT < <(start_exporter no-notifier "$BIN")
names+=(no-notifier); epids+=($FPID); eports+=($FPORT)
pids+=("${epids[@]}")  # stopped at exit (start_exporter runs in a subshell: it cannot add them)

rss() { echo $(( $(proc_kb "$1" VmRSS) / 1024 )); }  # MB
hwm() { echo $(( $(proc_kb "$1" VmHWM) / 1024 )); }
metric() {  # port name -> sum of samples
  curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" 'index($1, n "{") == 1 || $1 == n {s += $NF} END {printf "%d\n", s}'
}

declare -A maxrss warm
for n in "${names[@]}"; do maxrss[$n]=0; warm[$n]=0; done
echo "running ${MINUTES} min: $QUEUES queues x $ROUTES routes, one queue flapping every 3 s ..." >&2
end=$(( $(date +%s) + MINUTES * 60 ))
start=$(date +%s)
tick=0
while [ "$(date +%s)" -lt "$end" ]; do
  # Flap q0000: empty, then refill, every 3 s.
  if [ $((tick % 6)) -lt 3 ]; then redis-cli -p "$RPORT" ltrim q0000 1 0 >/dev/null
  else redis-cli -p "$RPORT" lpush q0000 x >/dev/null; fi
  for i in "${!names[@]}"; do
    n=${names[$i]}; r=$(rss "${epids[$i]}")
    [ "$r" -gt "${maxrss[$n]}" ] && maxrss[$n]=$r
    [ $(( $(date +%s) - start )) -le 60 ] && warm[$n]=$r
  done
  if [ $((tick % 30)) -eq 0 ]; then
    line="t=$(( $(date +%s) - start ))s"
    for i in "${!names[@]}"; do
      line+="  ${names[$i]}: rss=$(rss "${epids[$i]}")MB groups=$(metric "${eports[$i]}" celery_redis_notification_pending_groups)"
    done
    echo "$line" >&2
  fi
  tick=$((tick + 1)); sleep 1
done

printf '\n| %-34s |' "measure"; for n in "${names[@]}"; do printf ' %12s |' "$n"; done; echo
printf '|%s|' "------------------------------------"; for n in "${names[@]}"; do printf '%s|' "--------------"; done; echo
row() { printf '| %-34s |' "$1"; shift; for v in "$@"; do printf ' %12s |' "$v"; done; echo; }
vals=(); for i in "${!names[@]}"; do vals+=("$(hwm "${epids[$i]}") MB"); done; row "peak RSS (VmHWM)" "${vals[@]}"
vals=(); for n in "${names[@]}"; do vals+=("${maxrss[$n]} MB"); done; row "max sampled RSS" "${vals[@]}"
vals=(); for n in "${names[@]}"; do vals+=("${warm[$n]} MB"); done; row "RSS after 1 min" "${vals[@]}"
vals=(); for i in "${!names[@]}"; do vals+=("$(rss "${epids[$i]}") MB"); done; row "RSS after $MINUTES min" "${vals[@]}"
vals=(); for i in "${!names[@]}"; do vals+=("$(metric "${eports[$i]}" celery_redis_notification_pending_groups)"); done
row "pending groups" "${vals[@]}"
vals=(); for i in "${!names[@]}"; do vals+=("$(metric "${eports[$i]}" celery_redis_notification_pending_bytes)"); done
row "pending bytes (budget estimate)" "${vals[@]}"
vals=(); for i in "${!names[@]}"; do vals+=("$(metric "${eports[$i]}" celery_redis_alerts)"); done
row "alerts (celery_redis_alerts sum)" "${vals[@]}"
