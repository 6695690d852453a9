#!/usr/bin/env bash
# Serving benchmark: wrk against the exporter's /metrics (plain and gzip, a ~50 KB body from
# seeded queues) side by side with nginx serving the very same bytes as static files, in one run.
# Prints requests/s, p99 latency and the ratio. Goal: >= 1.0x nginx's requests/s, p99 <= 5 ms at 64 connections.
# Also the CPU each server spent per request (user + system, from /proc): on a shared, noisy machine
# requests/s and p99 follow the neighbours' load, while CPU per request follows the code.
#   scripts/bench-serve.sh [DURATION_SECONDS] [CONNECTIONS]
# Only loopback addresses are used. Everything started here is stopped by pid at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-common.sh
DURATION=${1:-10}
CONNECTIONS=${2:-64}
THREADS=${BENCH_LOOP_THREADS:-1}
QUEUES=${BENCH_QUEUES:-60}
scripts/install-deps.sh --bench >/dev/null
exporter_bin   # CELERY_REDIS_EXPORTER_BIN=<path> skips the build
bench_init

RPORT=$(free_port); EPORT=$(free_port); NPORT=$(free_port)
start_redis "$RPORT"

# BENCH_QUEUES (default 60) queues with a few messages each: a /metrics body of about 50 KB.
python3 - "$RPORT" "$QUEUES" <<'PY'
import socket, sys
from resp import cmd
port = int(sys.argv[1])
buf = b""
n = 0
for i in range(int(sys.argv[2])):
    q = f"tasks.department_{i:03d}.high_priority_queue".encode()
    buf += cmd("SADD", b"_kombu.binding." + q, q + b"\x06\x16\x06\x16" + q); n += 1
    for j in range(i % 5):
        buf += cmd("LPUSH", q, b'{"headers": {"id": "x"}, "properties": {"delivery_tag": "t%d-%d"}}' % (i, j)); n += 1
s = socket.create_connection(("127.0.0.1", port))
s.sendall(buf)
got = b""
while got.count(b"\r\n") < n:
    got += s.recv(65536)
PY

"$BIN" --redis.url="redis://127.0.0.1:$RPORT/0" --web.listen-address="127.0.0.1:$EPORT" --poll.interval=5s \
  --log.level=warn 2>"$work/exporter.log" &
EXPORTER_PID=$!
pids+=("$EXPORTER_PID")
for _ in $(seq 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$EPORT/-/ready")" = 200 ] && break; sleep 0.1; done

mkdir -p "$work/www"
chmod 755 "$work" "$work/www"   # nginx workers run as an unprivileged user
curl -s "http://127.0.0.1:$EPORT/metrics" -o "$work/www/metrics"
curl -s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$EPORT/metrics" -o "$work/www/metrics.gz"
chmod 644 "$work/www/metrics" "$work/www/metrics.gz"
cat > "$work/nginx.conf" <<CONF
worker_processes $THREADS;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 1000000;
  gzip_static on;
  server { listen 127.0.0.1:$NPORT; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" &
NGINX_PID=$!
pids+=("$NGINX_PID")
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$NPORT/metrics" && break; sleep 0.1; done

echo "body: $(stat -c %s "$work/www/metrics") bytes plain, $(stat -c %s "$work/www/metrics.gz") bytes gzip;" \
     "wrk -t2 -c$CONNECTIONS -d${DURATION}s; exporter loop threads and nginx workers: $THREADS"
# cpu_ticks PID...: user + system clock ticks of the processes and their children (nginx's workers).
cpu_ticks() {
  local total=0 p
  for p in "$@" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}
TICK=$(getconf CLK_TCK)
run_wrk() { # url header pid -> "rps p99_ms cpu_us_per_request notes"
  local out before after
  before=$(cpu_ticks "$3")
  if [ -n "$2" ]; then out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "$2" "$1"); else out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1"); fi
  after=$(cpu_ticks "$3")
  local rps p99 requests cpu
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  cpu=$(awk -v t="$((after - before))" -v n="$requests" -v hz="$TICK" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")
  local errors
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  echo "$rps $p99 $cpu $errors"
}
# Both servers must really answer 200 with the same bytes, or the comparison means nothing.
for url in "http://127.0.0.1:$EPORT/metrics" "http://127.0.0.1:$NPORT/metrics"; do
  for enc in identity gzip; do
    status=$(curl -s -o /dev/null -w "%{http_code}" -H "Accept-Encoding: $enc" "$url")
    [ "$status" = 200 ] || { echo "error: $url (Accept-Encoding: $enc) answered HTTP $status, not 200" >&2; exit 1; }
  done
done
printf '%-8s %-10s %12s %10s %12s %s\n' case server req/s p99_ms cpu_us/req notes
for mode in plain gzip; do
  header=""; [ "$mode" = gzip ] && header="Accept-Encoding: gzip"
  read -r e_rps e_p99 e_cpu e_notes <<<"$(run_wrk "http://127.0.0.1:$EPORT/metrics" "$header" "$EXPORTER_PID")" || true
  read -r n_rps n_p99 n_cpu n_notes <<<"$(run_wrk "http://127.0.0.1:$NPORT/metrics" "$header" "$NGINX_PID")" || true
  printf '%-8s %-10s %12s %10s %12s %s\n' "$mode" exporter "$e_rps" "$e_p99" "$e_cpu" "${e_notes:-}"
  printf '%-8s %-10s %12s %10s %12s %s\n' "$mode" nginx "$n_rps" "$n_p99" "$n_cpu" "${n_notes:-}"
  awk -v e="$e_rps" -v n="$n_rps" -v ec="$e_cpu" -v nc="$n_cpu" -v m="$mode" \
    'BEGIN { printf "%-8s ratio exporter/nginx = %.2f (requests/s), %.2f (requests per CPU second)\n", m, e/n, (ec > 0 ? nc/ec : 0) }'
done
