#!/usr/bin/env bash
# Census benchmark (issue 3 "Measure"): seeds a large Celery deployment into a private
# redis-server and runs the release exporter against it at a 15 s poll, then prints, side by side:
#   - Redis CPU used while the exporter runs (INFO commandstats usec delta and INFO cpu
#     used_cpu_sys+used_cpu_user delta, as % of one core), with an idle baseline;
#   - the floor: one full `SCAN 0 MATCH celery-task-meta-* COUNT 1000` pass, measured the same way;
#   - poll wall time (celery_redis_poll_duration_seconds of every poll), and where it goes: p50/max
#     per phase of celery_redis_poll_phase_seconds{phase} (discovery, queues, unacked, fold_in, tails
#     sum to the poll; rules is the alert evaluation after the previous poll, outside it);
#   - count freshness: at each poll, the age of the counts (poll time -
#     celery_redis_census_updated_timestamp_seconds) and of the last full pass (poll time -
#     celery_redis_census_last_complete_timestamp_seconds), max;
#   - exporter RSS (VmRSS from /proc/<pid>/status, max of the 1 s samples, and VmHWM, the peak).
# Goals: <= 2% of one Redis core; meta counts never older than 60 s; one poll <= 50 ms; RSS <= 70 MB.
#
#   scripts/bench-census.sh [--minutes N] [--metas N] [--unacked N] [--poll SECONDS] [--writes PER_SECOND]
#                           [--before BINARY] [-- EXPORTER FLAGS...]
# --before BINARY runs that binary first (e.g. main's release build) against the same seeded Redis,
# then the one under test, and prints both side by side (poll p50/p99/max and per phase, time to
# the first /metrics with result counts, census first-pass progress, RSS). --unacked N seeds N
# tasks in flight (default 10,000; issue 11 asks for 100,000 too).
# --writes N simulates Celery workers finishing N tasks a second (SETEX + PUBLISH of a SUCCESS meta,
# as a worker writes it) during the run; their own cost (setex, publish) is left out of the commandstats
# figure, and at the end the exporter's SUCCESS count is compared with the truth.
# Defaults: 5 minutes, 1,000,000 meta keys, 15 s poll; 100,000 queued messages over 50 queues x
# 10 priorities; 10,000 unacked entries. SCRATCH=<dir> picks the SwiftPM scratch path (default .build);
# BIN=<path> skips the build and benchmarks that binary.
# Only loopback is used; everything started here is stopped by pid at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-common.sh
MINUTES=5
METAS=1000000
POLL=15
WRITES=0
UNACKED=10000
BEFORE=""
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES=$2; shift 2 ;;
    --metas) METAS=$2; shift 2 ;;
    --poll) POLL=$2; shift 2 ;;
    --writes) WRITES=$2; shift 2 ;;
    --unacked) UNACKED=$2; shift 2 ;;
    --before) BEFORE=$2; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    *) echo "usage: $0 [--minutes N] [--metas N] [--unacked N] [--poll SECONDS] [--writes PER_SECOND] [--before BINARY] [-- EXPORTER FLAGS...]" >&2; exit 2 ;;
  esac
done

command -v redis-server >/dev/null || scripts/install-deps.sh >/dev/null
exporter_bin   # BIN=<path> (or CELERY_REDIS_EXPORTER_BIN) benchmarks an already built binary
# KEEP_LOG=<file> keeps the exporter's log (e.g. with `-- --log.level=debug`).
bench_init

RPORT=$(free_port); EPORT=$(free_port)
start_redis "$RPORT"

echo "seeding: $METAS meta keys, 100000 queued messages (50 queues x 10 priorities), $UNACKED unacked ..." >&2
python3 - "$RPORT" "$METAS" "$UNACKED" <<'PY'
# A RESP writer over one socket: commands are sent in large pipelined batches (fast, no client library).
import socket, sys, time, uuid, random
from resp import cmd
port, metas, unacked = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s = socket.create_connection(("127.0.0.1", port))
pending = 0
buf = []
def send(c):
    global pending
    buf.append(c); pending += 1
    if pending >= 20000: flush()
def flush():
    global pending, buf
    if not buf: return
    s.sendall(b"".join(buf)); buf = []
    need, got = pending, 0
    data = b""
    while got < need:  # every reply here is a one-line integer/status
        chunk = s.recv(1 << 20)
        data += chunk
        got = data.count(b"\r\n")
        if got > need: break
    pending = 0
random.seed(1)
now = time.time()
SEP = b"\x06\x16"
def message(queue, tag, priority, eta="null"):
    tid = str(uuid.uuid4())
    return ('{"body": "W1sxLCAxXSwge30sIHsiY2FsbGJhY2tzIjogbnVsbCwgImVycmJhY2tzIjogbnVsbCwgImNoYWluIjogbnVsbCwgImNob3JkIjogbnVsbH1d", '
            '"content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "app.tasks.process_%d", '
            '"id": "%s", "shadow": null, "eta": %s, "expires": null, "group": null, "group_index": null, "retries": 0, '
            '"timelimit": [null, null], "root_id": "%s", "parent_id": null, "argsrepr": "[1, 1]", "kwargsrepr": "{}", '
            '"origin": "gen12999@vm", "ignore_result": false, "replaced_task_nesting": 0, "stamped_headers": null, "stamps": {}}, '
            '"properties": {"correlation_id": "%s", "reply_to": "4213a6cf-d674-3e0d-ac78-b5f0e17b71ec", "delivery_mode": 2, '
            '"delivery_info": {"exchange": "", "routing_key": "%s"}, "priority": %d, "body_encoding": "base64", "delivery_tag": "%s"}}'
            % (random.randrange(20), tid, eta, tid, tid, queue, priority, tag)).encode()
queues = ["bench.queue_%02d" % i for i in range(50)]
for q in queues:
    send(cmd("SADD", "_kombu.binding." + q, q.encode() + SEP + SEP + q.encode()))
    for p in range(10):
        key = q.encode() if p == 0 else q.encode() + SEP + str(p).encode()
        send(cmd("LPUSH", key, *[message(q, str(uuid.uuid4()), p) for _ in range(200)]))
for i in range(unacked):
    q = queues[i % 50]; tag = str(uuid.uuid4())
    send(cmd("HSET", "unacked", tag, b"[" + message(q, tag, 0) + b', "", "' + q.encode() + b'"]'))
    send(cmd("ZADD", "unacked_index", "%.6f" % (now - random.uniform(0, 7200)), tag))
states = ([b'{"status": "SUCCESS", "result": 5, "traceback": null, "children": [], "date_done": "2026-11-25T16:48:16.098057+00:00", "task_id": "%s"}'] * 90
          + [b'{"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["boom!"], "exc_module": "builtins"}, "traceback": "Traceback (most recent call last):\\n  File \\"app.py\\", line 3, in boom\\nValueError: boom!\\n", "children": [], "date_done": "2026-11-25T16:48:16.1+00:00", "task_id": "%s"}'] * 7
          + [b'{"status": "FAILURE", "result": {"exc_type": "WorkerLostError", "exc_message": ["Worker exited prematurely: signal 9 (SIGKILL) Job: 1."], "exc_module": "billiard.exceptions"}, "traceback": null, "children": [], "date_done": "2026-11-25T16:48:16.1+00:00", "task_id": "%s"}']
          + [b'{"status": "STARTED", "result": {"pid": 14240, "hostname": "w1@vm"}, "traceback": null, "children": [], "date_done": null, "task_id": "%s"}']
          + [b'{"status": "RETRY", "result": {"exc_type": "RuntimeError", "exc_message": ["try again"], "exc_module": "builtins"}, "traceback": null, "children": [], "date_done": null, "task_id": "%s"}'])
for i in range(metas):
    tid = str(uuid.uuid4()).encode()
    send(cmd("SETEX", b"celery-task-meta-" + tid, 86400 - random.randrange(3600), states[i % len(states)] % tid))
flush()
PY
echo "seeded: $(redis-cli -p "$RPORT" dbsize) keys, $(redis-cli -p "$RPORT" info memory | grep '^used_memory_human' | tr -d '\r')" >&2


# Idle baseline (Redis's own cron), 10 s.
read -r c0 u0 < <(redis_cost "$RPORT"); t0=$(now); sleep 10; read -r c1 u1 < <(redis_cost "$RPORT"); t1=$(now)
IDLE="$c0 $u0 $t0 $c1 $u1 $t1"

# Floor: one full SCAN ... COUNT 1000 pass over the meta keys, keys discarded.
read -r c0 u0 < <(redis_cost "$RPORT"); t0=$(now)
python3 - "$RPORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
def read():
    line = f.readline()
    t = line[:1]
    if t == b"$":
        n = int(line[1:]); data = f.read(n + 2); return data[:-2]
    if t == b"*":
        return [read() for _ in range(int(line[1:]))]
    return line[1:].strip()
cursor, calls, keys = b"0", 0, 0
while True:
    s.sendall(b"*6\r\n$4\r\nSCAN\r\n$%d\r\n%s\r\n$5\r\nMATCH\r\n$18\r\ncelery-task-meta-*\r\n$5\r\nCOUNT\r\n$4\r\n1000\r\n" % (len(cursor), cursor))
    cursor, batch = read(); calls += 1; keys += len(batch)
    if cursor == b"0": break
print("floor pass: %d SCAN calls, %d keys" % (calls, keys), file=sys.stderr)
PY
read -r c1 u1 < <(redis_cost "$RPORT"); t1=$(now)
FLOOR="$c0 $u0 $t0 $c1 $u1 $t1"

# One exporter binary, for MINUTES at a POLL s interval: run_one LABEL BINARY. Writes a summary
# line to $work/summary-LABEL for the side-by-side table at the end.
run_one() {
local label=$1 bin=$2
EPORT=$(free_port)
echo "== $label: $bin ==" >&2
read -r c0 u0 < <(redis_cost "$RPORT"); t0=$(now)
"$bin" --redis.url="redis://127.0.0.1:$RPORT/0" --web.listen-address="127.0.0.1:$EPORT" --poll.interval="${POLL}s" \
  --redis.read-timeout=30s --log.level=info "${EXTRA[@]}" 2>"$work/exporter.log" &
EXP_PID=$!
pids+=($EXP_PID)
python3 - "$EPORT" "$EXP_PID" "$MINUTES" "$POLL" "$work/samples" "$RPORT" "$WRITES" "$METAS" <<'PY'
import os, socket, sys, time, threading, uuid, urllib.request
from resp import cmd
port, pid, minutes, poll, out, rport = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], int(sys.argv[6])
writes_per_sec, metas = float(sys.argv[7]), int(sys.argv[8])
written = [0]
stop_writer = threading.Event()
def writer():
    """Celery's result write: SETEX key result_expires json, then PUBLISH the same json on the key's name."""
    if writes_per_sec <= 0: return
    s = socket.create_connection(("127.0.0.1", rport))
    f = s.makefile("rb")
    start = time.time()
    while not stop_writer.is_set():
        due = int((time.time() - start) * writes_per_sec)
        while written[0] < due:
            tid = str(uuid.uuid4()).encode()
            key = b"celery-task-meta-" + tid
            val = b'{"status": "SUCCESS", "result": 5, "traceback": null, "children": [], "date_done": "2026-11-25T16:48:16.098057+00:00", "task_id": "%s"}' % tid
            s.sendall(cmd("SETEX", key, 86400, val) + cmd("PUBLISH", key, val))
            f.readline(); f.readline()
            written[0] += 1
        time.sleep(0.01)
threading.Thread(target=writer, daemon=True).start()
def redis_cost():
    """(used_cpu_sys+used_cpu_user, sum of commandstats usec except INFO) from INFO."""
    s = socket.create_connection(("127.0.0.1", rport))
    s.sendall(b"*2\r\n$4\r\nINFO\r\n$3\r\nall\r\n")
    data = b""
    while True:
        data += s.recv(1 << 16)
        if data.startswith(b"$"):
            head, _, rest = data.partition(b"\r\n")
            if len(rest) >= int(head[1:]): break
    s.close()
    cpu, usec = 0.0, 0
    per_command.clear()
    for line in data.decode().splitlines():
        if line.startswith("used_cpu_sys:") or line.startswith("used_cpu_user:"): cpu += float(line.split(":")[1])
        if line.startswith("cmdstat_") and not line.split(":")[0] in ("cmdstat_info", "cmdstat_setex", "cmdstat_publish"):
            usec += int(line.split("usec=")[1].split(",")[0])
            per_command[line.split(":")[0][8:]] = int(line.split("usec=")[1].split(",")[0])
    return cpu, usec
per_command = {}
PHASES = ["discovery", "queues", "unacked", "fold_in", "tails", "rules"]
deadline = time.time() + minutes * 60
seen, rows = set(), []
first_complete, steady_from, first_metrics, progress = None, None, None, []
steady_cpu = None
def proc_cpu():
    """The exporter's user+system CPU seconds (all threads: poll, census, HTTP) from /proc/<pid>/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
max_rss = hwm = 0
start = time.time()
while time.time() < deadline:
    try:
        text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read().decode()
    except Exception:
        time.sleep(1); continue
    vals = {}
    for line in text.splitlines():
        if line.startswith("#") or " " not in line: continue
        name, v = line.rsplit(" ", 1)
        vals[name] = float(v)
    with open("/proc/%d/status" % pid) as f:
        status = {l.split(":")[0]: l.split()[1] for l in f if l.startswith(("VmRSS:", "VmHWM:"))}
    rss = int(status["VmRSS"])
    max_rss = max(max_rss, rss)
    hwm = max(hwm, int(status.get("VmHWM", 0)))
    last = vals.get("celery_redis_last_poll_timestamp_seconds")
    complete = vals.get("celery_redis_census_last_complete_timestamp_seconds")
    updated = vals.get("celery_redis_census_updated_timestamp_seconds", complete)
    walked = vals.get("celery_redis_census_pass_keys_walked")
    if walked is not None and first_complete is None:
        progress.append((time.time() - start, walked, vals.get("celery_redis_census_pass_keys_expected", 0)))
    if complete is not None and first_complete is None:
        first_complete = complete
        first_metrics = time.time()
        steady_from = (time.time(),) + redis_cost()   # steady state starts after the first full pass
        steady_commands = dict(per_command)
        steady_cpu = (proc_cpu(), len(rows))
    if last is not None and last not in seen:
        seen.add(last)
        phases = [vals.get('celery_redis_poll_phase_seconds{phase="%s"}' % p, float("nan")) for p in PHASES]
        unclassified = vals.get("celery_redis_unacked_unclassified_tasks", 0)
        rows.append((last, vals.get("celery_redis_poll_duration_seconds", 0), complete, rss, updated, phases, unclassified))
    time.sleep(1)
end = (time.time(),) + redis_cost()
if steady_from:
    # Redis time per command over the steady state (the census thread's SCAN/GET included), for the summary.
    with open(out + ".commands", "w") as f:
        for name, usec in sorted(per_command.items()):
            f.write("%s %d\n" % (name, usec - steady_commands.get(name, 0)))
cpu_per_poll = "-"
if steady_cpu and len(rows) > steady_cpu[1]:
    cpu_per_poll = "%.6f" % ((proc_cpu() - steady_cpu[0]) / (len(rows) - steady_cpu[1]))
stop_writer.set()
if writes_per_sec > 0:
    time.sleep(poll + 3)  # /metrics changes once per poll: wait for a poll after the last write
    text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read().decode()
    got = next((float(l.rsplit(" ", 1)[1]) for l in text.splitlines() if l.startswith('celery_redis_task_meta_keys{state="SUCCESS"}')), None)
    truth = (metas // 100) * 90 + min(metas % 100, 90) + written[0]
    print("live writes: %d SUCCESS metas written during the run; exporter SUCCESS %s, truth %d" % (written[0], got, truth), file=sys.stderr)
with open(out, "w") as f:
    for last, dur, complete, rss, updated, phases, unclassified in rows:
        f.write("%f %f %s %d %s %s %d\n" % (last, dur, "%f" % complete if complete else "-", rss, "%f" % updated if updated else "-",
                                            ",".join("%.9f" % x for x in phases), unclassified))
    f.write("# start %f first_complete %s max_rss_kb %d peak_rss_kb %d first_metrics %s progress_samples %d progress_last %s cpu_per_poll %s\n" % (
        start, first_complete or "-", max_rss, hwm, first_metrics or "-", len(progress),
        "%.0f/%.0f@%.0fs" % (progress[-1][1], progress[-1][2], progress[-1][0]) if progress else "-", cpu_per_poll))
    if steady_from:
        f.write("# steady %f %f %d %f %f %d\n" % (steady_from + end))
PY
read -r c1 u1 < <(redis_cost "$RPORT"); t1=$(now)
RUN="$c0 $u0 $t0 $c1 $u1 $t1"
grep -v '^# start' "$work/samples" > "$work/polls" || true
META=$(curl -s "http://127.0.0.1:$EPORT/metrics" | grep -E '^celery_redis_(task_meta_keys|task_meta_worker_lost_keys|census_duration_seconds|started_task_oldest_age_seconds)' || true)

python3 - "$IDLE" "$FLOOR" "$RUN" "$work/samples" "$MINUTES" "$POLL" "$work/summary-$label" "$(grep -c 'census first pass:' "$work/exporter.log" || true)" <<'PY'
import sys
def cost(spec):
    c0, u0, t0, c1, u1, t1 = map(float, spec.split())
    wall = t1 - t0
    return wall, (c1 - c0), (u1 - u0) / 1e6
idle, floor, run = cost(sys.argv[1]), cost(sys.argv[2]), cost(sys.argv[3])
rows, footer = [], None
steady_cost = None
for line in open(sys.argv[4]):
    if line.startswith("# start"):
        p = line.split(); footer = dict(zip(p[1::2], p[2::2])); continue
    if line.startswith("# steady"):
        t0, c0, u0, t1, c1, u1 = map(float, line.split()[2:])
        steady_cost = (t1 - t0, c1 - c0, (u1 - u0) / 1e6); continue
    last, dur, complete, rss, updated, phases, unclassified = line.split()
    rows.append((float(last), float(dur), None if complete == "-" else float(complete), int(rss),
                 None if updated == "-" else float(updated), [float(x) for x in phases.split(",")], int(unclassified)))
idle_rate = idle[1] / idle[0]
print("== census benchmark: %s min at a %s s poll ==" % (sys.argv[5], sys.argv[6]))
print("%-44s %12s %14s %16s" % ("", "wall s", "Redis CPU s", "cmdstats s"))
print("%-44s %12.1f %14.3f %16.3f" % ("idle baseline (no client)", *idle))
print("%-44s %12.1f %14.3f %16.3f" % ("floor: one SCAN ... COUNT 1000 pass", *floor))
print("%-44s %12.1f %14.3f %16.3f" % ("exporter run (includes the first pass)", *run))
if steady_cost and steady_cost[0] > 0:
    print("%-44s %12.1f %14.3f %16.3f" % ("exporter steady state (after first pass)", *steady_cost))
pct = lambda s, w: 100.0 * s / w
print("Redis CPU, exporter run:  INFO cpu %.2f%% of one core (idle-corrected %.2f%%), commandstats %.2f%%"
      % (pct(run[1], run[0]), pct(run[1] - idle_rate * run[0], run[0]), pct(run[2], run[0])))
if steady_cost and steady_cost[0] > 0:
    w = steady_cost[0]
    print("Redis CPU, steady state:  INFO cpu %.2f%% of one core (idle-corrected %.2f%%), commandstats %.2f%%"
          % (pct(steady_cost[1], w), pct(steady_cost[1] - idle_rate * w, w), pct(steady_cost[2], w)))
print("floor pass in Redis: INFO cpu %.3f s, commandstats %.3f s; once per 60 s that is %.2f%% of one core"
      % (floor[1], floor[2], pct(floor[2], 60)))
first = float(footer["first_complete"]) if footer and footer["first_complete"] != "-" else None
# Steady state: after the census's first complete pass and after the last poll that still had tasks
# in flight not attributed to a queue (a new exporter reads at most 10,000 new delivery tags a poll,
# so at 100k in flight the first ~10 polls are start-up, not the per-poll cost).
attributed_from = max((r[0] for r in rows if r[6] > 0), default=None)
steady = [r for r in rows if first is not None and r[0] > first + 1 and (attributed_from is None or r[0] > attributed_from)]
durs = sorted(r[1] for r in rows)
sdurs = sorted(r[1] for r in steady)
q = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")
print("polls seen: %d (steady state, after the first complete pass and once every task in flight is attributed: %d)"
      % (len(rows), len(steady)))
if first is not None:
    print("first census pass complete after %.1f s" % (first - float(footer["start"])))
print("poll wall time, all polls:    p50 %.1f ms  max %.1f ms" % (1000 * q(durs, .5), 1000 * (durs[-1] if durs else float("nan"))))
print("poll wall time, steady state: p50 %.1f ms  max %.1f ms" % (1000 * q(sdurs, .5), 1000 * (sdurs[-1] if sdurs else float("nan"))))
# Where the poll time goes (celery_redis_poll_phase_seconds, one value per poll; a phase missing
# from a scrape is nan and left out). The first five sum to the poll; rules runs after it.
PHASES = ["discovery", "queues", "unacked", "fold_in", "tails", "rules"]
for title, subset in (("all polls", rows), ("steady state", steady)):
    print("poll phases, %s (ms):%s" % (title, "" if subset else " none"))
    if not subset: continue
    print("  %-10s %9s %9s" % ("phase", "p50", "max"))
    for i, name in enumerate(PHASES):
        xs = sorted(r[5][i] for r in subset if r[5][i] == r[5][i])
        if not xs: continue
        print("  %-10s %9.1f %9.1f" % (name, 1000 * q(xs, .5), 1000 * xs[-1]))
    d = sorted(r[1] for r in subset)
    print("  %-10s %9.1f %9.1f   (celery_redis_poll_duration_seconds; rules not included)" % ("total", 1000 * q(d, .5), 1000 * d[-1]))
ages = [r[0] - r[2] for r in steady if r[2] is not None]
fresh = [r[0] - r[4] for r in steady if r[4] is not None]
print("count freshness at each steady poll (poll time - census_updated): max %.1f s" % (max(fresh) if fresh else float("nan")))
print("census completion age at each steady poll (poll time - last full pass): max %.1f s" % (max(ages) if ages else float("nan")))
if first is not None and footer.get("first_metrics", "-") != "-":
    print("time to the first /metrics with result counts (first census pass): %.1f s" % (float(footer["first_metrics"]) - float(footer["start"])))
print("census first-pass progress: %s samples of celery_redis_census_pass_keys_walked, last %s; %s progress log lines"
      % (footer.get("progress_samples", "0") if footer else "0", footer.get("progress_last", "-") if footer else "-", sys.argv[8]))
with open(sys.argv[7], "w") as out:
    def ph(subset, i, p):
        xs = sorted(r[5][i] for r in subset if r[5][i] == r[5][i])
        return 1000 * q(xs, p) if xs else float("nan")
    fields = {
        "poll p50 ms (steady)": 1000 * q(sdurs, .5), "poll p99 ms (steady)": 1000 * q(sdurs, .99),
        "poll max ms (steady)": 1000 * (sdurs[-1] if sdurs else float("nan")),
        "poll p99 ms (all)": 1000 * q(durs, .99), "poll max ms (all)": 1000 * (durs[-1] if durs else float("nan")),
    }
    for i, name in enumerate(PHASES[:5]):
        fields["%s p50 ms (steady)" % name] = ph(steady, i, .5)
        fields["%s p99 ms (steady)" % name] = ph(steady, i, .99)
        fields["%s max ms (all)" % name] = ph(rows, i, 1.0)
    fields["first /metrics with counts s"] = (float(footer["first_metrics"]) - float(footer["start"])) if footer and footer.get("first_metrics", "-") != "-" else float("nan")
    fields["steady polls"] = len(steady)
    # Contention-independent: the exporter's CPU (all its threads) per steady poll interval.
    fields["exporter CPU ms / poll (steady)"] = 1000 * float(footer["cpu_per_poll"]) if footer and footer.get("cpu_per_poll", "-") != "-" else float("nan")
    fields["RSS max MB"] = int(footer["max_rss_kb"]) / 1024 if footer else float("nan")
    fields["Redis CPU % steady (cmdstats)"] = pct(steady_cost[2], steady_cost[0]) if steady_cost and steady_cost[0] > 0 else float("nan")
    # Redis time per steady poll (INFO commandstats usec): all commands, and the poll's own
    # (LLEN, the unacked_index reads, unacked values, list tails; not the census thread's SCAN/GET/PTTL).
    import os
    per = {}
    if os.path.exists(sys.argv[4] + ".commands"):
        per = {l.split()[0]: int(l.split()[1]) for l in open(sys.argv[4] + ".commands")}
    n = max(1, len(steady))
    fields["Redis ms / poll (all cmds)"] = sum(per.values()) / 1000 / n if per else float("nan")
    poll_cmds = ("llen", "zcard", "zcount", "zrange", "zrangebyscore", "hstrlen", "hmget", "lindex", "evalsha_ro", "evalsha", "smembers")
    fields["Redis ms / poll (poll cmds)"] = sum(v for k, v in per.items() if k in poll_cmds) / 1000 / n if per else float("nan")
    for k in ("zrange", "zrangebyscore", "zcount", "llen"):
        fields["Redis ms / poll (%s)" % k] = per.get(k, 0) / 1000 / n if per else float("nan")
    for k, v in fields.items(): out.write("%s\t%s\n" % (k, v))
print("exporter RSS: max %.1f MB sampled each second, peak %.1f MB (VmHWM), last %.1f MB" % (
    int(footer["max_rss_kb"]) / 1024 if footer else float("nan"), int(footer["peak_rss_kb"]) / 1024 if footer else float("nan"),
    rows[-1][3] / 1024 if rows else float("nan")))
PY
echo "$META"
kill "$EXP_PID" 2>/dev/null || true; wait "$EXP_PID" 2>/dev/null || true
}

[ -n "$BEFORE" ] && run_one before "$BEFORE"
run_one after "$BIN"
if [ -n "$BEFORE" ]; then
  python3 - "$work/summary-before" "$work/summary-after" "$UNACKED" "$METAS" <<'PY'
import sys
def load(p): return dict(l.rstrip("\n").split("\t") for l in open(p))
b, a = load(sys.argv[1]), load(sys.argv[2])
print("== side by side: %s result keys, %s unacked, 100000 waiting over 50 queues x 10 priorities ==" % (sys.argv[4], sys.argv[3]))
print("%-38s %12s %12s" % ("", "before", "after"))
for k in b:
    fb, fa = float(b[k]), float(a.get(k, "nan"))
    print("%-38s %12.2f %12.2f" % (k, fb, fa))
PY
fi
uptime
