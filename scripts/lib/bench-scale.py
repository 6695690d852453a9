#!/usr/bin/env python3
"""Driver of scripts/bench-scale.sh: one row per size, each row measured three ways on the same data.

  exporter        celery-redis-exporter at a short poll interval: poll wall time (p50/max of
                  celery_redis_poll_duration_seconds over the polls), Redis cost per poll (INFO
                  commandstats usec and used_cpu_sys+user deltas / polls), RSS, /metrics bytes, and
                  whether the exported totals match what was seeded.
  floor           the very commands the exporter sent during some polls (captured with MONITOR after
                  the measured polls), replayed by `redis-cli --pipe`: wall time and Redis cost per poll.
  redis_exporter  Debian's prometheus-redis-exporter with --check-keys/--count-keys over the same keys:
                  scrape wall time, Redis cost per scrape, RSS, /metrics bytes.

Seeding is done with Lua (EVAL in batches), so a million keys take seconds. Everything listens on
loopback only; every process started here is stopped by its pid.
"""
import argparse, base64, json, os, re, signal, socket, subprocess, sys, tempfile, time, urllib.request

from resp import cmd  # scripts/lib/resp.py, beside this file

# ---------------------------------------------------------------- a small RESP client


class Redis:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    encode = staticmethod(cmd)

    def read(self):
        line = self.f.readline()
        t, rest = line[:1], line[1:-2]
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            return self.f.read(n + 2)[:-2]
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        if t == b":":
            return int(rest)
        if t == b"-":
            raise RuntimeError(rest.decode())
        return rest

    def call(self, *args):
        self.s.sendall(self.encode(*args))
        return self.read()

    def close(self):
        self.s.close()


def redis_cost(port):
    """(used_cpu_sys+used_cpu_user seconds, commandstats usec of every command but INFO and PUBLISH)."""
    r = Redis(port)
    text = r.call("INFO", "all").decode()
    r.close()
    cpu, usec = 0.0, 0
    for line in text.splitlines():
        if line.startswith(("used_cpu_sys:", "used_cpu_user:")):
            cpu += float(line.split(":")[1])
        if line.startswith("cmdstat_") and line.split(":")[0] not in ("cmdstat_info", "cmdstat_publish"):
            usec += int(line.split("usec=")[1].split(",")[0])
    return cpu, usec


# ---------------------------------------------------------------- seeding (Lua, batched)

SEP = "\x06\x16"
MESSAGE = ('{"body": "W1sxLCAxXSwge30sIHt9XQ==", "content-encoding": "utf-8", "content-type": "application/json", '
           '"headers": {"lang": "py", "task": "app.tasks.process_%d", "id": "%s", "shadow": null, "eta": null, '
           '"expires": null, "group": null, "group_index": null, "retries": 0, "timelimit": [null, null], '
           '"root_id": "%s", "parent_id": null, "argsrepr": "[1, 1]", "kwargsrepr": "{}", "origin": "gen1@vm", '
           '"ignore_result": false}, "properties": {"correlation_id": "%s", "reply_to": "4213a6cf-d674-3e0d-ac78-b5f0e17b71ec", '
           '"delivery_mode": 2, "delivery_info": {"exchange": "", "routing_key": "%s"}, "priority": %d, '
           '"body_encoding": "base64", "delivery_tag": "%s"}}')
# Lua's string.format has %d and %s like Python's; ids are uuid-shaped from a counter.
LUA_ID = "local function id(p, i) return string.format('%08x-%04x-4000-8000-%012x', p, i % 65536, i) end\n"

LUA_QUEUES = LUA_ID + """
local first, last, tmpl, sep = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]
for i = first, last do
  local q = string.format('bench.q%05d', i)
  redis.call('SADD', '_kombu.binding.' .. q, q .. sep .. sep .. q)
  for p = 0, 9 do
    local key = q
    if p > 0 then key = q .. sep .. p end
    local t = id(1, i * 10 + p)
    redis.call('RPUSH', key, string.format(tmpl, (i + p) % 20, t, t, t, q, p, t))
  end
end
return last - first + 1
"""
LUA_UNACKED = LUA_ID + """
local first, last, tmpl, now, queues = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
for i = first, last do
  local q = string.format('bench.q%05d', i % queues)
  local t = id(2, i)
  local msg = string.format(tmpl, i % 20, t, t, t, q, 0, t)
  redis.call('HSET', 'unacked', t, '[' .. msg .. ', "", "' .. q .. '"]')
  redis.call('ZADD', 'unacked_index', now - (i % 1800), t)  -- all younger than the visibility timeout
end
return last - first + 1
"""
LUA_RESULTS = LUA_ID + """
local first, last = tonumber(ARGV[1]), tonumber(ARGV[2])
local states = {'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'FAILURE', 'STARTED'}
for i = first, last do
  local t = id(3, i)
  local st = states[(i % 10) + 1]
  local v = '{"status": "' .. st .. '", "result": 5, "traceback": null, "children": [], "date_done": "2026-11-25T16:48:16.098057+00:00", "task_id": "' .. t .. '"}'
  redis.call('SET', 'celery-task-meta-' .. t, v, 'EX', 86400 - (i % 3600))
end
return last - first + 1
"""


def seed(port, kind, n):
    r = Redis(port)
    r.call("FLUSHALL")
    base_queues = 10

    def batched(script, total, batch, *extra):
        sha = r.call("SCRIPT", "LOAD", script).decode()
        i = 0
        while i < total:
            j = min(total, i + batch) - 1
            r.call("EVALSHA", sha, 0, i, j, *extra)
            i = j + 1

    if kind == "queues":
        batched(LUA_QUEUES, n, 500, MESSAGE, SEP)
    else:
        batched(LUA_QUEUES, base_queues, 500, MESSAGE, SEP)
    if kind == "unacked":
        batched(LUA_UNACKED, n, 5000, MESSAGE, "%.3f" % time.time(), base_queues)
    if kind == "results":
        batched(LUA_RESULTS, n, 20000)
    keys = r.call("DBSIZE")
    mem = [l for l in r.call("INFO", "memory").decode().splitlines() if l.startswith("used_memory_human:")][0]
    r.close()
    return keys, mem.split(":")[1]


def heartbeat_forger(port, n, stop):
    """n workers' worker-heartbeat events, each every 2 s, by PUBLISH on /0.celeryev/worker.heartbeat, in kombu's
    envelope (the event JSON, base64, as `body` of a message whose properties name the celeryev exchange)."""
    r = Redis(port)
    while not stop.is_set():
        start = time.time()
        buf = []
        for i in range(n):
            body = {"hostname": "w%04d@bench" % i, "utcoffset": 0.0, "pid": 1000 + i, "clock": int(start), "freq": 2.0,
                    "active": i % 4, "processed": int(start) % 100000, "loadavg": [0.1, 0.1, 0.1], "sw_ident": "py-celery",
                    "sw_ver": "5.5.0", "sw_sys": "Linux", "timestamp": time.time(), "type": "worker-heartbeat"}
            env = {"body": base64.b64encode(json.dumps(body).encode()).decode(), "content-encoding": "utf-8",
                   "content-type": "application/json", "headers": {"hostname": body["hostname"]},
                   "properties": {"delivery_mode": 1, "delivery_info": {"exchange": "celeryev", "routing_key": "worker.heartbeat"},
                                  "priority": 0, "body_encoding": "base64", "delivery_tag": "x"}}
            buf.append(Redis.encode("PUBLISH", "/0.celeryev/worker.heartbeat", json.dumps(env)))
        r.s.sendall(b"".join(buf))
        for _ in range(n):
            r.read()
        stop.wait(max(0.0, 2.0 - (time.time() - start)))
    r.close()


def rules_file(path, n):
    shapes = ["celery_redis_queue_length{queue=\"bench.q%05d\"} > 1e12",
              "sum(celery_redis_unacked_tasks) > 1e12 + %d",
              "max by (queue) (celery_redis_queue_oldest_message_age_seconds) > 1e9 + %d",
              "celery_redis_up == 2 + %d"]
    with open(path, "w") as f:
        f.write("groups:\n  - name: bench\n    rules:\n")
        for i in range(n):
            f.write("      - alert: BenchRule%04d\n        expr: %s\n        for: 1m\n" % (i, shapes[i % len(shapes)] % i))


# ---------------------------------------------------------------- processes and scraping


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def get(url, timeout=60):
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read()


def parse_metrics(text):
    vals = []
    for line in text.splitlines():
        if not line or line.startswith("#") or " " not in line:
            continue
        name, v = line.rsplit(" ", 1)
        try:
            vals.append((name, float(v)))
        except ValueError:
            pass
    return vals


def family(vals, name):
    return [(k, v) for k, v in vals if k == name or k.startswith(name + "{")]


def stop(proc):
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


PHASES = ["discovery", "queues", "unacked", "fold_in", "tails", "rules"]


def q(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")


def measure_exporter(a, rport, kind, n, work, idle_rate):
    eport = free_port()
    cmd = [a.bin, "--redis.url=redis://127.0.0.1:%d/0" % rport, "--web.listen-address=127.0.0.1:%d" % eport,
           "--poll.interval=%ds" % a.interval, "--redis.read-timeout=60s", "--log.level=warn"]
    if kind == "rules":
        path = os.path.join(work, "rules.yml")
        rules_file(path, n)
        cmd.append("--rules.file=" + path)
    log = open(os.path.join(work, "exporter-%s-%d.log" % (kind, n)), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    url = "http://127.0.0.1:%d/metrics" % eport
    res = {}
    try:
        # Warm-up: the first poll done (and for result keys, the census's first full pass).
        deadline = time.time() + a.warmup_timeout
        last_ts, history = None, []
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("exporter exited %s; see %s" % (proc.returncode, log.name))
            try:
                vals = dict(parse_metrics(get(url).decode()))
            except Exception:
                time.sleep(0.5)
                continue
            ready = "celery_redis_last_poll_timestamp_seconds" in vals
            if kind == "results":
                ready = ready and "celery_redis_census_last_complete_timestamp_seconds" in vals
            if kind == "unacked" and ready:
                # Tags are decoded a batch per poll: steady state is when every tag is attributed, or
                # when the unattributed count stops falling (the sample limit) for three polls.
                ts, left = vals["celery_redis_last_poll_timestamp_seconds"], vals.get("celery_redis_unacked_unclassified_tasks", 0)
                if ts != last_ts:
                    last_ts = ts
                    history.append(left)
                ready = left == 0 or (len(history) >= 4 and history[-1] == history[-4])
            if ready:
                break
            time.sleep(0.5)
        res["warmup_s"] = time.time() - (deadline - a.warmup_timeout)
        if kind == "workers":
            time.sleep(3)  # a heartbeat round arrived
        seen, durs, phases = set(), [], {p: [] for p in PHASES}
        c0, u0 = redis_cost(rport)
        t0 = time.time()
        last_text = b""
        deadline = time.time() + a.polls * a.interval * 4 + 60
        while len(durs) < a.polls and time.time() < deadline:
            last_text = get(url)
            vals = parse_metrics(last_text.decode())
            d = dict(vals)
            ts = d.get("celery_redis_last_poll_timestamp_seconds")
            if ts is not None and ts not in seen:
                if seen:  # the poll that was current when measuring began is not counted
                    durs.append(d.get("celery_redis_poll_duration_seconds", float("nan")))
                    for p in PHASES:
                        v = d.get('celery_redis_poll_phase_seconds{phase="%s"}' % p)
                        if v is not None:
                            phases[p].append(v)
                seen.add(ts)
            time.sleep(0.25)
        c1, u1 = redis_cost(rport)
        wall = time.time() - t0
        polls = max(1, len(durs))
        res.update(polls=len(durs), p50=q(durs, .5), max=max(durs) if durs else float("nan"),
                   redis_ms=(u1 - u0) / 1000 / polls, cpu_ms=max(0.0, (c1 - c0) - idle_rate * wall) * 1000 / polls,
                   rss_mb=rss_kb(proc.pid) / 1024, bytes=len(last_text),
                   phases={p: q(v, .5) for p, v in phases.items() if v})
        vals = parse_metrics(last_text.decode())
        if kind == "queues":
            ql = family(vals, "celery_redis_queue_length")
            got = len({re.search(r'queue="([^"]*)"', k).group(1) for k, _ in ql if 'queue="bench.q' in k})
        elif kind == "unacked":
            attributed = int(sum(v for _, v in family(vals, "celery_redis_unacked_tasks")))
            total = attributed + int(sum(v for _, v in family(vals, "celery_redis_unacked_unclassified_tasks")))
            got = "%s by queue (%s total)" % (human(attributed), human(total))
        elif kind == "results":
            got = int(sum(v for _, v in family(vals, "celery_redis_task_meta_keys")))
        elif kind == "workers":
            got = int(sum(v for k, v in family(vals, "celery_redis_worker_up")))
        else:
            got = None
        res["seen"] = got
        res["floor"] = floor(a, rport, proc, url, work, "%s-%d" % (kind, n))
    finally:
        stop(proc)
        log.close()
    return res


MONITOR_LINE = re.compile(r'^\d+\.\d+ \[\d+ ([^\]]+)\] (.*)$')
SKIP = {"INFO", "PING", "CLIENT", "HELLO", "AUTH", "SELECT", "SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE",
        "PUNSUBSCRIBE", "MONITOR", "PUBLISH", "QUIT", "RESET", "SSUBSCRIBE"}


def unquote_args(s):
    """MONITOR's argument list: "a" "b\\x06" ... -> [bytes]."""
    out, i = [], 0
    while i < len(s):
        if s[i] != '"':
            i += 1
            continue
        i += 1
        buf = bytearray()
        while s[i] != '"':
            c = s[i]
            if c == "\\":
                nxt = s[i + 1]
                if nxt == "x":
                    buf.append(int(s[i + 2:i + 4], 16))
                    i += 4
                    continue
                buf += {"n": b"\n", "r": b"\r", "t": b"\t", "a": b"\a", "b": b"\b"}.get(nxt, nxt.encode())
                i += 2
                continue
            buf += c.encode("latin-1") if ord(c) < 256 else c.encode()
            i += 1
        out.append(bytes(buf))
        i += 1
    return out


def floor(a, rport, proc, url, work, tag):
    """Capture what the exporter sends for some polls with MONITOR, stop it, replay with redis-cli --pipe."""
    import threading
    mon = socket.create_connection(("127.0.0.1", rport))
    mon.sendall(Redis.encode("MONITOR"))
    mf = mon.makefile("rb")
    mf.readline()  # +OK
    captured = []  # (arrival time, line)

    def reader():
        for line in mf:
            captured.append((time.time(), line))
    threading.Thread(target=reader, daemon=True).start()
    # The window runs from one poll's completion (as seen on /metrics) to floor_polls completions later.
    seen, marks = set(), []
    deadline = time.time() + a.floor_polls * a.interval * 4 + 60
    while time.time() < deadline and len(marks) < a.floor_polls + 2:
        ts = dict(parse_metrics(get(url).decode())).get("celery_redis_last_poll_timestamp_seconds")
        if ts is not None and ts not in seen:
            seen.add(ts)
            marks.append(time.time())
        time.sleep(0.1)
    polls = len(marks) - 2 if len(marks) >= 3 else 0
    # Lines are cut by Redis's own timestamp (the reader may lag behind on a loaded machine).
    for _ in range(100):
        if captured and float(captured[-1][1][1:].split(b" ", 1)[0]) >= marks[-1]:
            break
        time.sleep(0.1)
    lines = [l for _, l in captured if polls and marks[1] <= float(l[1:].split(b" ", 1)[0]) < marks[-1]]
    mon.shutdown(socket.SHUT_RDWR)
    mon.close()
    stop(proc)
    cmds = []
    for raw in lines:
        m = MONITOR_LINE.match(raw.decode("utf-8", "replace").lstrip("+").rstrip("\r\n"))
        if not m or m.group(1) == "lua":
            continue
        args = unquote_args(m.group(2))
        if not args or args[0].upper().decode() in SKIP:
            continue
        cmds.append(args)
    path = os.path.join(work, "floor-%s.resp" % tag)
    with open(path, "wb") as f:
        for c in cmds:
            f.write(Redis.encode(*c))
    if polls == 0 or not cmds:
        return {"polls": polls, "cmds": len(cmds)}
    c0, u0 = redis_cost(rport)
    t0 = time.time()
    with open(path, "rb") as f:
        subprocess.run(["redis-cli", "-p", str(rport), "--pipe"], stdin=f, stdout=subprocess.DEVNULL, check=True)
    wall = time.time() - t0
    c1, u1 = redis_cost(rport)
    return {"polls": polls, "cmds": len(cmds) / polls, "wall_ms": wall * 1000 / polls, "redis_ms": (u1 - u0) / 1000 / polls,
            "cpu_ms": (c1 - c0) * 1000 / polls}


def measure_redis_exporter(a, rport, work):
    if not a.redis_exporter:
        return None
    port = free_port()
    cmd = [a.redis_exporter, "-redis.addr=redis://127.0.0.1:%d" % rport, "-web.listen-address=127.0.0.1:%d" % port,
           "-check-keys=bench.q*,unacked,unacked_index", "-count-keys=celery-task-meta-*"]
    log = open(os.path.join(work, "redis_exporter.log"), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    url = "http://127.0.0.1:%d/metrics" % port
    try:
        for _ in range(100):
            try:
                get("http://127.0.0.1:%d/" % port, 2)
                break
            except Exception:
                time.sleep(0.1)
        get(url, 600)  # warm-up scrape
        times, body = [], b""
        c0, u0 = redis_cost(rport)
        for _ in range(a.scrapes):
            t = time.time()
            body = get(url, 600)
            times.append(time.time() - t)
        c1, u1 = redis_cost(rport)
        return {"p50": q(times, .5), "max": max(times), "redis_ms": (u1 - u0) / 1000 / a.scrapes,
                "cpu_ms": (c1 - c0) * 1000 / a.scrapes, "rss_mb": rss_kb(proc.pid) / 1024, "bytes": len(body)}
    finally:
        stop(proc)
        log.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--redis-port", type=int, required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--huge", action="store_true", help="add the 10M result keys row")
    ap.add_argument("--only", default="", help="comma list of rows, e.g. queues=1000,results=1000000")
    ap.add_argument("--polls", type=int, default=8)
    ap.add_argument("--interval", type=int, default=2)
    ap.add_argument("--floor-polls", type=int, default=3)
    ap.add_argument("--scrapes", type=int, default=5)
    ap.add_argument("--warmup-timeout", type=int, default=900)
    ap.add_argument("--redis-exporter", default="")
    a = ap.parse_args()

    full = [("queues", 10), ("queues", 100), ("queues", 1000), ("queues", 10000),
            ("unacked", 1000), ("unacked", 10000), ("unacked", 100000),
            ("results", 100000), ("results", 1000000),
            ("workers", 10), ("workers", 100), ("workers", 1000),
            ("rules", 10), ("rules", 100)]
    if a.huge:
        full.insert(9, ("results", 10000000))
    quick = [("queues", 10), ("queues", 100), ("unacked", 1000), ("unacked", 10000), ("results", 100000),
             ("workers", 10), ("workers", 100), ("rules", 10), ("rules", 100)]
    rows = quick if a.quick else full
    if a.only:
        rows = [(k, int(v)) for k, v in (x.split("=") for x in a.only.split(","))]

    c0, _ = redis_cost(a.redis_port)
    time.sleep(5)
    c1, _ = redis_cost(a.redis_port)
    idle_rate = (c1 - c0) / 5

    results = []
    import threading
    for kind, n in rows:
        t = time.time()
        keys, mem = seed(a.redis_port, kind, n)
        print("row %s=%d: seeded %d keys (%s) in %.1f s; load %s" % (kind, n, keys, mem, time.time() - t,
              open("/proc/loadavg").read().split()[0]), file=sys.stderr, flush=True)
        stop_ev = threading.Event()
        forger = None
        if kind == "workers":
            forger = threading.Thread(target=heartbeat_forger, args=(a.redis_port, n, stop_ev), daemon=True)
            forger.start()
        try:
            e = measure_exporter(a, a.redis_port, kind, n, a.work, idle_rate)
            r = measure_redis_exporter(a, a.redis_port, a.work)
        except Exception as ex:  # a row that fails is reported, the others still run
            print("row %s=%d failed: %s" % (kind, n, ex), file=sys.stderr, flush=True)
            e, r = None, None
        finally:
            stop_ev.set()
            if forger:
                forger.join(5)
        results.append((kind, n, e, r))
        print_row(kind, n, e, r, file=sys.stderr)

    print()
    print("Redis cmdstats = INFO commandstats usec (time inside commands; inflated when Redis is descheduled on a loaded "
          "machine); CPU = used_cpu_sys+user delta (exporter: idle-corrected).")
    print()
    print("| row | exported / seeded | warm-up s | poll p50 / max ms | Redis ms / poll (cmdstats, CPU) | RSS MB | /metrics KB "
          "| floor / poll: cmds, wall ms, Redis cmdstats ms, CPU ms | redis_exporter / scrape: p50 ms, Redis cmdstats ms, CPU ms, RSS MB, KB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind, n, e, r in results:
        print(row_md(kind, n, e, r))
    print()
    print("Poll phases, p50 ms (celery_redis_poll_phase_seconds; rules runs after the poll):")
    print("| row | " + " | ".join(PHASES) + " |")
    print("|---|" + "---|" * len(PHASES))
    for kind, n, e, r in results:
        if e:
            print("| %s %s | %s |" % (kind, human(n), " | ".join(fmt(1000 * e["phases"].get(p, float("nan")), 1) for p in PHASES)))


def human(n):
    if n == 0:
        return "0"
    for div, suf in ((1000000, "M"), (1000, "k")):
        if n >= div and n % div == 0:
            return "%d%s" % (n // div, suf)
    return str(n)


def fmt(x, d=1):
    return "—" if x != x else ("%.*f" % (d, x))


def row_md(kind, n, e, r):
    if not e:
        return "| %s %s | failed | | | | | | | |" % (kind, human(n))
    f = e.get("floor") or {}
    nan = float("nan")
    floor = "%s, %s, %s, %s" % (fmt(f.get("cmds", nan), 0), fmt(f.get("wall_ms", nan), 1), fmt(f.get("redis_ms", nan), 2),
                                fmt(f.get("cpu_ms", nan), 1)) if f.get("polls") else "—"
    re_ = "%s, %s, %s, %s, %s" % (fmt(1000 * r["p50"], 0), fmt(r["redis_ms"], 1), fmt(r["cpu_ms"], 1), fmt(r["rss_mb"], 1),
                                  fmt(r["bytes"] / 1024, 1)) if r else "—"
    seen = "—" if e["seen"] is None else "%s / %s" % (e["seen"] if isinstance(e["seen"], str) else human(e["seen"]), human(n))
    return "| %s %s | %s | %s | %s / %s | %s, %s | %s | %s | %s | %s |" % (
        kind, human(n), seen, fmt(e["warmup_s"], 0), fmt(1000 * e["p50"]), fmt(1000 * e["max"]), fmt(e["redis_ms"], 2), fmt(e["cpu_ms"], 1),
        fmt(e["rss_mb"]), fmt(e["bytes"] / 1024), floor, re_)


def print_row(kind, n, e, r, file):
    print("  " + row_md(kind, n, e, r), file=file, flush=True)


if __name__ == "__main__":
    main()
