#!/usr/bin/env bash
# Issue 9 row 12: how big /metrics and the process get when Redis holds names of a megabyte.
# Seeds a 1 MB queue name, two 900-byte queue names sharing a prefix, a 1 MB worker node name
# (heartbeat on the real channel) and 1000 forged heartbeats with freq 1e12, then reports the
# /metrics size and the exporter's VmRSS.
# Usage: scripts/measure-long-names.sh [path/to/celery-redis-exporter]   (default .build/debug/...)
set -euo pipefail
bin=${1:-.build/debug/celery-redis-exporter}
. "$(dirname "$0")/lib/bench-common.sh"
bench_init
port=$(free_port)
web=$(free_port)
start_redis "$port"
python3 - "$port" <<'PY'
import base64, json, socket, sys
from resp import cmd
port = int(sys.argv[1])
sep = b"\x06\x16"
payload = b""
for q in [b"x" * (1 << 20), b"q" * 900 + b"-a", b"q" * 900 + b"-b", b"celery"]:
    payload += cmd(b"SADD", b"_kombu.binding." + q[:64], q + sep + sep + q)
payload += cmd(b"RPUSH", b"celery", b"{}")
s = socket.create_connection(("127.0.0.1", port)); s.sendall(payload + cmd("PING"))
buf = b""
while not buf.endswith(b"+PONG\r\n"): buf += s.recv(65536)
PY
"$bin" --redis.url="redis://127.0.0.1:$port/0" --web.listen-address="127.0.0.1:$web" --poll.interval=1s \
    --log.level=error >"$work/out.log" 2>&1 &
exp=$!
pids+=("$exp")
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$web/-/ready" >/dev/null && break; sleep 0.2; done
sleep 1
python3 - "$port" <<'PY'
import base64, json, socket, sys
from resp import cmd
port = int(sys.argv[1])
def heartbeat(host, freq):
    body = json.dumps({"hostname": host, "freq": freq, "active": 0, "processed": 1, "type": "worker-heartbeat"})
    return json.dumps({"body": base64.b64encode(body.encode()).decode(), "content-type": "application/json",
                       "properties": {"body_encoding": "base64"}})
channel = "/0.celeryev/worker.heartbeat"
payload = cmd("PUBLISH", channel, heartbeat("w" * (1 << 20) + "@vm", 2.0))
for i in range(1000):
    payload += cmd("PUBLISH", channel, heartbeat("forged-%d@evil" % i, 1e12))
payload += cmd("PUBLISH", channel, heartbeat("w1@vm", 2.0))
s = socket.create_connection(("127.0.0.1", port)); s.sendall(payload + cmd("PING"))
buf = b""
while not buf.endswith(b"+PONG\r\n"): buf += s.recv(65536)
PY
sleep 3
curl -s "http://127.0.0.1:$web/metrics" >"$work/metrics.txt"
echo "metrics_bytes $(wc -c <"$work/metrics.txt")"
echo "longest_line_bytes $(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$work/metrics.txt")"
grep -E '^celery_redis_(workers|workers_evicted_total|discovered_queues|discovered_queues_ignored|label_values_truncated_total)[ {]' "$work/metrics.txt" || true
{ grep -c 'worker_up{worker="w1@vm"} 1' "$work/metrics.txt" || true; } | sed 's/^/real_worker_up_lines /'
grep VmRSS /proc/$exp/status
grep VmHWM /proc/$exp/status
