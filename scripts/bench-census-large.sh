#!/usr/bin/env bash
# Census memory with large result metas (issue 9 row 2): seeds N `celery-task-meta-*` values of
# SIZE bytes each into a private redis-server, laid out exactly as Celery 5.7 stores them (a third
# SUCCESS with a large result, a third FAILURE with a large traceback, a third STARTED with large
# args under result_extended; built inside Redis by a Lua script, so seeding needs no big buffers),
# then runs the release exporter with a short census interval and reads /proc/<pid>/status:
#   - VmHWM (peak RSS) and VmRSS / RssAnon once the first census pass has completed;
#   - VmRSS / RssAnon again after a few more passes (STARTED metas are re-read by every pass), to
#     see whether memory comes back;
#   - the census counts by state, and whether a pass ever completed;
#   - with --publish N: N live result writes of SIZE bytes (SETEX + PUBLISH of a SUCCESS meta, as
#     Celery's worker does), then VmHWM / VmRSS again and the live-write count.
# Goal: peak RSS <= 64 MB with 1 GB of large values in Redis, and no growth across passes.
#
#   scripts/bench-census-large.sh [--metas N] [--size BYTES] [--huge] [--passes N] [--publish N]
# --huge adds one 70 MB meta (beyond the 64 MiB reply limit). Defaults: 1000 metas of 3,000,000
# bytes (3 GB in Redis: check free memory first), 3 passes after the first.
# BIN=<path> benchmarks that binary (e.g. another commit's build); otherwise this tree's release
# build (SCRATCH=<dir> picks the SwiftPM scratch path). Only loopback is used; everything started
# here is stopped by pid at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-common.sh
METAS=1000
SIZE=3000000
HUGE=0
PASSES=3
PUBLISH=0
while [ $# -gt 0 ]; do
  case "$1" in
    --metas) METAS=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --huge) HUGE=1; shift ;;
    --passes) PASSES=$2; shift 2 ;;
    --publish) PUBLISH=$2; shift 2 ;;
    *) echo "usage: $0 [--metas N] [--size BYTES] [--huge] [--passes N] [--publish N]" >&2; exit 2 ;;
  esac
done
exporter_bin
bench_init

RPORT=$(free_port); EPORT=$(free_port)
start_redis "$RPORT"

echo "seeding $METAS metas of $SIZE bytes$([ "$HUGE" = 1 ] && echo ' + one of 70 MB') ..." >&2
python3 - "$RPORT" "$METAS" "$SIZE" "$HUGE" <<'PY'
import socket, sys
from resp import cmd
port, metas, size, huge = (int(a) for a in sys.argv[1:5])
BUILD = b"""
redis.call('SET', KEYS[1], ARGV[1])
local n = tonumber(ARGV[3])
local per = math.min(n, math.max(1, math.floor(1048576 / #ARGV[2])))
local chunk = string.rep(ARGV[2], per)
while n >= per and per > 0 do redis.call('APPEND', KEYS[1], chunk); n = n - per end
if n > 0 then redis.call('APPEND', KEYS[1], string.rep(ARGV[2], n)) end
redis.call('APPEND', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], 86400000)
return redis.call('STRLEN', KEYS[1])
"""
date = b'"date_done": "2026-11-25T16:48:16.098057+00:00", "task_id": "%s"}'
def shapes(tid, size):
    """(head, unit, units, tail) in Celery 5.7's key order (status, result, …, as in Tests/CeleryTests/EventsFixtures.swift)."""
    kind = int(tid.split(b"-")[-1]) % 3
    if kind == 0:
        return (b'{"status": "SUCCESS", "result": "', b"x", size,
                b'", "traceback": null, "children": [], ' + date % tid)
    if kind == 1:
        unit = b'  File \\"/app/tasks.py\\", line 12, in run\\n'
        return (b'{"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["boom"], '
                b'"exc_module": "builtins"}, "traceback": "Traceback (most recent call last):\\n', unit, size // len(unit),
                b'ValueError: boom\\n", "children": [], ' + date % tid)
    return (b'{"status": "STARTED", "result": {"pid": 19859, "hostname": "w1@vm"}, "traceback": null, '
            b'"children": [], "date_done": null, "name": "app.big", "args": ["', b"a", size,
            b'"], "kwargs": {}, "worker": "w1@vm", "retries": 0, "queue": "celery", "task_id": "%s"}' % tid)
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
jobs = [(b"bench-%d" % i, size) for i in range(metas)]
if huge:
    jobs.append((b"huge-0", 70 * 1024 * 1024))
for start in range(0, len(jobs), 20):
    batch = jobs[start:start + 20]
    s.sendall(b"".join(cmd("EVAL", BUILD, 1, b"celery-task-meta-" + tid, *shapes(tid, n)) for tid, n in batch))
    for _ in batch:
        line = f.readline()
        if not line.startswith(b":"):
            sys.exit("seeding failed: %r" % line)
PY
echo "redis used_memory: $(redis-cli -p "$RPORT" info memory | awk -F: '/^used_memory_human/ {print $2}' | tr -d '\r')" >&2

"$BIN" --redis.url="redis://127.0.0.1:$RPORT/0" --web.listen-address="127.0.0.1:$EPORT" \
  --celery.census-interval=5s --redis.read-timeout=30s --log.level=warn 2>"$work/exporter.log" &
EXP_PID=$!
pids+=($EXP_PID)
python3 - "$EPORT" "$EXP_PID" "$PASSES" "$RPORT" "$PUBLISH" "$SIZE" <<'PY'
import socket, sys, time, urllib.request
from resp import cmd
port, pid, passes, rport, publish, size = (int(a) for a in sys.argv[1:7])
def status():
    out = {}
    with open("/proc/%d/status" % pid) as fh:
        for line in fh:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS", "RssAnon"):
                out[k] = int(v.split()[0]) / 1024
    return out
def metrics():
    try:
        text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10).read().decode()
    except Exception:
        return {}
    out = {}
    for line in text.splitlines():
        if line.startswith("celery_redis_task_meta_keys{") or line.startswith("celery_redis_census_"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out
def completed(m):
    return m.get("celery_redis_census_last_complete_timestamp_seconds") is not None
start = time.time()
peak = {}
m = {}
first = None
while time.time() - start < 300:
    st = status()
    for k, v in st.items(): peak[k] = max(peak.get(k, 0), v)
    m = metrics()
    if completed(m) and first is None:
        first = (time.time() - start, status())
    if first is not None and time.time() - start > first[0] + 5.5 * passes:
        break
    time.sleep(0.2)
end = status()
print("first census pass complete: %s" % ("after %.1f s" % first[0] if first else "NEVER (within 300 s)"))
if first:
    print("  at that moment: VmRSS %.1f MB, RssAnon %.1f MB" % (first[1]["VmRSS"], first[1]["RssAnon"]))
print("after %s more s: VmRSS %.1f MB, RssAnon %.1f MB" % ("%.0f" % (5.5 * passes) if first else "300", end["VmRSS"], end["RssAnon"]))
print("peak (VmHWM): %.1f MB" % end["VmHWM"])
states = {k.split('"')[1]: int(v) for k, v in m.items() if k.startswith("celery_redis_task_meta_keys{") and v}
print("task_meta_keys: %s" % (states or "absent (no complete pass)"))
if publish:
    s = socket.create_connection(("127.0.0.1", rport))
    f = s.makefile("rb")
    filler = b"x" * size
    for i in range(publish):
        tid = b"live-%d" % i
        key = b"celery-task-meta-" + tid
        val = (b'{"status": "SUCCESS", "result": "' + filler + b'", "traceback": null, "children": [], '
               b'"date_done": "2026-11-25T16:48:16.098057+00:00", "task_id": "' + tid + b'"}')
        s.sendall(cmd("SETEX", key, 86400, val) + cmd("PUBLISH", key, val))
        f.readline(); f.readline()
    want = states.get("SUCCESS", 0) + publish
    deadline = time.time() + 60
    while time.time() < deadline and metrics().get('celery_redis_task_meta_keys{state="SUCCESS"}') != want:
        time.sleep(0.5)
    st = status()
    m = metrics()
    print("after %d live writes of %d bytes: VmRSS %.1f MB, RssAnon %.1f MB, peak (VmHWM) %.1f MB; SUCCESS %s (want %d)"
          % (publish, size, st["VmRSS"], st["RssAnon"], st["VmHWM"], m.get('celery_redis_task_meta_keys{state="SUCCESS"}'), want))
PY
if grep -qi "census pass failed\|error" "$work/exporter.log"; then
  echo "exporter log (warnings and errors):"; grep -i "census\|error" "$work/exporter.log" | head -5
fi
