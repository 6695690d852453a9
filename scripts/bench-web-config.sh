#!/usr/bin/env bash
# What --web.config.file costs: wrk against /metrics (about 50 KB, seeded queues) served three ways
# by the same release binary: plain HTTP, TLS, and TLS + basic auth (bcrypt cost 10; the password is
# checked once, then remembered). Each with keep-alive connections (the way Prometheus scrapes) and
# with "Connection: close" (a full TLS handshake per request: the worst case).
#   scripts/bench-web-config.sh [DURATION_SECONDS] [CONNECTIONS]   (CELERY_REDIS_EXPORTER_BIN=path: skip the build)
# Only loopback addresses are used. Everything started here is stopped by pid at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-common.sh
DURATION=${1:-10}
CONNECTIONS=${2:-64}
exporter_bin   # CELERY_REDIS_EXPORTER_BIN: a release binary built already (skips the build)
bench_init

RPORT=$(free_port)
start_redis "$RPORT"
for i in $(seq -w 0 59); do
  q="tasks.department_$i.high_priority_queue"
  printf 'SADD _kombu.binding.%s "%s\x06\x16\x06\x16%s"\nLPUSH %s "{}"\n' "$q" "$q" "$q" "$q"
done | redis-cli -p "$RPORT" >/dev/null

# Certificates and a web config per case (bcrypt hash made with libxcrypt, as the exporter checks it).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -days 2 -subj "/CN=bench CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/server.key" -out "$work/server.csr" -subj "/CN=localhost" 2>/dev/null
echo "subjectAltName=DNS:localhost,IP:127.0.0.1" > "$work/ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -out "$work/server.pem" \
  -days 2 -extfile "$work/ext" 2>/dev/null
HASH=$(python3 -c 'import crypt; print(crypt.crypt("bench", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1<<10)))' 2>/dev/null)
printf 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n' > "$work/tls.yml"
cp "$work/tls.yml" "$work/tls-auth.yml"
printf 'basic_auth_users:\n  bench: %s\n' "$HASH" >> "$work/tls-auth.yml"
AUTH="Authorization: Basic $(printf 'bench:bench' | base64)"

start() { # config-file-or-empty scheme -> sets PORT (no subshell: the EXIT trap would stop everything)
  local port args=()
  port=$(free_port)
  [ -n "$1" ] && args+=(--web.config.file="$1")
  "$BIN" --redis.url="redis://127.0.0.1:$RPORT/0" --web.listen-address="127.0.0.1:$port" --poll.interval=5s \
    --log.level=warn "${args[@]}" 2>>"$work/exporter.log" &
  pids+=($!)
  for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/ca.pem" -H "$AUTH" "$2://localhost:$port/-/healthy")" = 200 ] && break
    sleep 0.1
  done
  PORT=$port
}
run_wrk() { # url extra-headers... -> "rps p99_ms notes"
  local url=$1; shift
  local args=() out rps p99 notes
  for h in "$@"; do args+=(-H "$h"); done
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "${args[@]}" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")
  notes=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  echo "$rps $p99 $notes"
}

start "" http; P_PLAIN=$PORT
start "$work/tls.yml" https; P_TLS=$PORT
start "$work/tls-auth.yml" https; P_AUTH=$PORT
for u in "http://localhost:$P_PLAIN" "https://localhost:$P_TLS" "https://localhost:$P_AUTH"; do
  status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/ca.pem" -H "$AUTH" "$u/metrics")
  [ "$status" = 200 ] || { echo "error: $u/metrics answered $status" >&2; exit 1; }
done
echo "body: $(curl -s "http://127.0.0.1:$P_PLAIN/metrics" | wc -c) bytes; wrk -t2 -c$CONNECTIONS -d${DURATION}s; one loop thread"
printf '%-14s %-11s %12s %10s %s\n' case connections req/s p99_ms notes
for c in "plain http://127.0.0.1:$P_PLAIN" "tls https://127.0.0.1:$P_TLS" "tls+auth https://127.0.0.1:$P_AUTH"; do
  read -r name url <<<"$c"
  read -r rps p99 notes <<<"$(run_wrk "$url/metrics" "$AUTH")" || true
  printf '%-14s %-11s %12s %10s %s\n' "$name" keep-alive "$rps" "$p99" "${notes:-}"
  read -r rps p99 notes <<<"$(run_wrk "$url/metrics" "$AUTH" "Connection: close")" || true
  printf '%-14s %-11s %12s %10s %s\n' "$name" close "$rps" "$p99" "${notes:-}"
done
