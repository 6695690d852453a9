#!/usr/bin/env bash
# Footprint of two exporter binaries side by side, measured in one run (issue 11 item 3): idle RSS
# (VmRSS, RssAnon, RssFile, and the Foundation/ICU/libyaml share from scripts/rss-breakdown.sh),
# start-up time to the first complete /metrics (median of several starts), binary size, and the
# NEEDED lines of `readelf -d`. Both poll one empty redis-server (one exporter at a time) and load
# the shipped rules and an alerting configuration with a webhook receiver (so the YAML reader is
# part of start-up).
#   scripts/measure-footprint.sh BEFORE_BINARY AFTER_BINARY [STARTS (default 7)] [IDLE_SECONDS (default 20)]
# Prints a markdown table. Build BEFORE from another revision, e.g.
#   git archive main | tar -x -C /tmp/main && (cd /tmp/main && swift build -c release)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BEFORE_BINARY AFTER_BINARY [STARTS] [IDLE_SECONDS]" >&2; exit 2; }
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null && command -v readelf >/dev/null \
  || { echo "measure-footprint: needs redis-server and readelf" >&2; exit 1; }
python3 - "$1" "$2" "${3:-7}" "${4:-20}" <<'PY'
import os, re, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request

before, after, starts, idle = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
work = tempfile.mkdtemp(prefix="footprint-")

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def wait_for(check, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check(): return True
        time.sleep(0.005)
    return False

redis_port = free_port()
redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no", "--dir", work], stdout=subprocess.DEVNULL)
def redis_up():
    try:
        with socket.create_connection(("127.0.0.1", redis_port), 0.2) as c:
            c.sendall(b"PING\r\n"); return c.recv(16).startswith(b"+PONG")
    except OSError: return False
assert wait_for(redis_up, 10), "redis-server did not start"

alerting = os.path.join(work, "alerting.yml")
open(os.path.join(work, "webhook-url"), "w").write("http://127.0.0.1:9/hook\n")
open(alerting, "w").write("route:\n  receiver: hook\n  group_by: [alertname, queue]\nreceivers:\n"
                          "  - name: hook\n    webhook_configs:\n      - url_file: webhook-url\n")
args = ["--redis.url=redis://127.0.0.1:%d/0" % redis_port, "--rules.file=deploy/prometheus/celery-redis-rules.yml",
        "--alerting.config=" + alerting]

def start(binary):
    port = free_port()
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "--web.listen-address=127.0.0.1:%d" % port] + args,
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "stderr.log"), "ab"))
    def metrics():
        try:
            body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=1).read()
            return b"celery_redis_up 1" in body
        except Exception: return False
    if not wait_for(metrics, 30):
        p.kill(); sys.exit("%s: no complete /metrics within 30 s (see %s/stderr.log)" % (binary, work))
    return p, time.monotonic() - t0

def stop(p):
    p.send_signal(signal.SIGTERM)
    try: p.wait(10)
    except subprocess.TimeoutExpired: p.kill(); p.wait()

def status(pid):
    out = {}
    for line in open("/proc/%d/status" % pid):
        k, _, v = line.partition(":")
        if k in ("VmRSS", "RssAnon", "RssFile"): out[k] = int(v.split()[0])
    return out

def mapped(pid, pattern):
    total, cur = 0, None
    for line in open("/proc/%d/smaps" % pid):
        m = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$", line)
        if m: cur = m.group(1); continue
        if line.startswith("Rss:") and cur and re.search(pattern, cur): total += int(line.split()[1])
    return total

def needed(binary):
    out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\).*\[(.*)\]", out)

rows = {}
for label, binary in (("before", before), ("after", after)):
    times = []
    for _ in range(starts):  # alternate-free: each binary's starts back to back, page cache warm
        p, t = start(binary); times.append(t); stop(p)
    p, _ = start(binary)
    time.sleep(idle)
    st = status(p.pid)
    rows[label] = {
        "idle VmRSS (MB)": "%.1f" % (st["VmRSS"] / 1024), "RssAnon (MB)": "%.1f" % (st["RssAnon"] / 1024),
        "RssFile (MB)": "%.1f" % (st["RssFile"] / 1024),
        "Foundation + ICU mapped (MB)": "%.1f" % (mapped(p.pid, r"/lib_?Foundation") / 1024),
        "libyaml mapped (MB)": "%.2f" % (mapped(p.pid, r"/libyaml") / 1024),
        "start-up to first complete /metrics, median of %d (ms)" % starts: "%.0f" % (statistics.median(times) * 1000),
        "start-up min / max (ms)": "%.0f / %.0f" % (min(times) * 1000, max(times) * 1000),
        "binary size (MB)": "%.2f" % (os.path.getsize(binary) / 1e6),
        "NEEDED": " ".join(needed(binary)),
    }
    stop(p)
redis.terminate(); redis.wait()

print("| figure | before (%s) | after (%s) |" % (before, after))
print("|---|---|---|")
for key in rows["before"]:
    print("| %s | %s | %s |" % (key, rows["before"][key], rows["after"][key]))
PY
