#!/usr/bin/env bash
# HTTP abuse scenarios of issue 9 against one exporter binary, printing what a scraper sees:
#   1. 100 pipelined POST /-/reload on one connection (400 alerting rules): the slowest /metrics
#      scrape from another connection meanwhile, reloads run, reload log lines.
#   2. 1030 idle connections (default cap 1024): status and time of a scrape.
#   3. RLIMIT_NOFILE 64, 100 connections each mid-request: status and time of 10 more clients.
#   scripts/bench-http-abuse.sh [BINARY]   (default: this worktree's debug build)
# Run it with main's binary and this branch's to compare. Only loopback; no Redis needed
# (the exporter polls a closed port). Everything started here is stopped by pid at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-common.sh   # free_port; one exporter at a time here, so its own cleanup
BIN=${1:-}
if [ -z "$BIN" ]; then
  swift build --product celery-redis-exporter >/dev/null
  BIN="$(swift build --show-bin-path)/celery-redis-exporter"
fi
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

python3 - "$work/rules.yml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("groups:\n  - name: many\n    rules:\n")
    for i in range(400):
        f.write(f'      - alert: Backlog{i}\n        expr: celery_redis_queue_length{{queue="q{i}"}} > {i} and on() celery_redis_up == 1\n'
                f'        for: 1m\n        labels: {{severity: warning, team: t{i % 7}}}\n'
                f'        annotations: {{summary: "Queue {{{{ $labels.queue }}}} has {{{{ $value }}}} messages"}}\n')
PY

start() {  # start [ulimit] flags...: runs the exporter on a fresh port, waits for /-/healthy
  local limit=$1; shift
  PORT=$(free_port)
  sh -c "ulimit -S -n $limit && ulimit -H -n $limit && exec \"\$0\" \"\$@\"" "$BIN" \
    --redis.url=redis://127.0.0.1:1/0 --no-celery.events --no-celery.census --poll.interval=0.2s \
    --web.listen-address="127.0.0.1:$PORT" "$@" 2>"$work/stderr" &
  pid=$!
  for _ in $(seq 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/-/healthy")" = 200 ] && break; sleep 0.1; done
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

echo "binary: $BIN"
start 20000 --web.enable-lifecycle --rules.file="$work/rules.yml"
python3 - "$PORT" "$work/stderr" <<'PY'
import socket, sys, time, re
port = int(sys.argv[1])
def scrape(path="/metrics", timeout=20):
    t = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = b""
    try:
        while chunk := s.recv(65536): data += chunk
    except OSError: pass
    return data, time.monotonic() - t
r = socket.create_connection(("127.0.0.1", port))
r.sendall(b"POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n" * 100)
slowest = 0.0
for _ in range(10):
    _, took = scrape(); slowest = max(slowest, took); time.sleep(0.05)
r.settimeout(60); got = b""; t = time.monotonic()
while got.count(b"HTTP/1.1 ") < 100 and time.monotonic() - t < 60:
    got += r.recv(65536)
time.sleep(0.5)
body = scrape()[0].decode(errors="replace")
m = re.search(r"^celery_redis_config_reloads_total (\S+)", body, re.M)
lines = [l for l in open(sys.argv[2]) if "reload" in l]
print(f"1. pipelined reloads: slowest /metrics {slowest*1000:.0f} ms; {got.count(b' 200 OK')} of 100 answered 200; "
      f"reloads run: {m.group(1) if m else 'not exported'}; reload log lines: {len(lines)}")
PY
stop

start 20000
python3 - "$PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(1030)]
time.sleep(0.3)
t = time.monotonic()
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
try: status = s.recv(100).split(b"\r\n")[0].decode()
except OSError as e: status = str(e)
print(f"2. 1030 idle connections: scraper got '{status}' after {(time.monotonic()-t)*1000:.0f} ms")
PY
stop

start 64
python3 - "$PORT" "$work/stderr" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
busy = []
for _ in range(100):
    c = socket.create_connection(("127.0.0.1", port)); c.sendall(b"GET /metrics HTTP/1.1\r\n"); busy.append(c)
time.sleep(0.3)
results = []
for _ in range(10):
    t = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    try: status = (s.recv(100).split(b"\r\n")[0].decode() or "closed")
    except socket.timeout: status = "timeout"
    except OSError as e: status = e.__class__.__name__
    results.append(f"{status} {(time.monotonic()-t)*1000:.0f}ms")
warnings = sum(1 for l in open(sys.argv[2]) if "cannot accept" in l)
print(f"3. out of descriptors (limit 64, 100 busy): {', '.join(sorted(set(r.rsplit(' ',1)[0] for r in results)))}; "
      f"slowest {max(float(r.rsplit(' ',1)[1][:-2]) for r in results):.0f} ms; 'cannot accept' warnings: {warnings}")
PY
stop
