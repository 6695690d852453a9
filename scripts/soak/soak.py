"""Chaos soak for celery-redis-exporter (run through scripts/soak.sh, which prepares everything).

A real Celery worker and producer run through a real redis-server while the soak, in cycles of
120 s, breaks things on purpose and checks that the exporter tells the truth:

  t=0     alarm on: a task is sent to queue 'soak-alarm' (no worker consumes it); rule SoakAlarm fires
  t=0-20  receiver fault, rotating per cycle: none, HTTP 500, hang past the timeout, 503 Retry-After: 0
  t=40    alarm off: the queue is deleted; SoakAlarm resolves
  t=45    hostile HTTP for 15 s: 1100 idle connections, slowloris heads, bare CRLFs, garbage,
          pipelined POST /-/reload
  t=60    large payloads: a 70 MB message at the tail of queue 'soak-big', a 20 MB unacked entry, a 50 MB result
          meta, besides the worker's own 700 KB arguments and 1-3 MB results all along
  t=80    Redis fault, rotating: restart (data lost), SIGSTOP for 8 s, CLIENT KILL of every client
  t=100   large payloads removed

Throughout: /metrics scraped every second, RSS sampled every 5 s, every webhook request recorded.
It prints, and judges:
  - crashes (the exporter must be alive at the end and exit 0 within 10 s of SIGTERM);
  - false "Redis down": scrapes with celery_redis_up 0 although Redis was up (with a grace after
    each real outage of 2 poll intervals + the read timeout);
  - false alerts: any firing notification other than SoakAlarm (rules that must never fire here),
    or SoakAlarm firing outside its windows;
  - notifications: each alarm cycle owes one firing and one resolved delivery; counted delivered,
    missing, duplicated (the same state delivered twice) and stale (firing delivered after resolved);
  - scrapes that failed (non-200 or no answer within 3 s);
  - RSS: start, peak, end, and growth per hour after warm-up (least squares), three ways: over every
    sample, over the lowest sample of each cycle (the same phase each time, so the big values of the
    cycle do not count as growth), and RssAnon (the heap alone) over every sample.
Exit status 0 only when there are no crashes, no false downs, no false alerts, no missing, stale or
duplicate notifications and no failed scrapes; RSS growth is judged (< 1 MB/h, on the lowest sample
of each cycle) on runs of 30 min or more.
"""
import argparse
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CYCLE = 120.0
POLL_INTERVAL = 2.0
READ_TIMEOUT = 3.0
DOWN_GRACE = 2 * POLL_INTERVAL + READ_TIMEOUT + 3.0
RECEIVER_FAULTS = ['none', '500', 'hang', 'retry-after-0']
REDIS_FAULTS = ['restart', 'sigstop', 'client-kill']


def slope_mb_per_hour(samples):
    """Least-squares slope of (time, kB) samples, in MB per hour; None with fewer than 3."""
    if len(samples) < 3:
        return None
    n = len(samples)
    mt = sum(t for t, _ in samples) / n
    mk = sum(kb for _, kb in samples) / n
    num = sum((t - mt) * (kb - mk) for t, kb in samples)
    den = sum((t - mt) ** 2 for t, _ in samples) or 1
    return num / den * 3600 / 1024


def fmt_growth(value):
    return 'n/a' if value is None else f'{value:.2f}'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def log(msg):
    print(f'[soak {time.strftime("%H:%M:%S")}] {msg}', flush=True)


class Receiver:
    """A webhook receiver whose behaviour the soak switches; records every request."""

    def __init__(self):
        self.mode = 'none'
        self.lock = threading.Lock()
        self.requests = []  # (time, mode, status_answered, payload or None, webhook_id)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get('Content-Length', '0'))
                body = self.rfile.read(length)
                mode = receiver.mode
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = None
                wid = self.headers.get('webhook-id', '')
                if mode == 'hang':
                    with receiver.lock:
                        receiver.requests.append((time.time(), mode, None, payload, wid))
                    time.sleep(30)
                    self.close_connection = True
                    return
                status = {'none': 200, '500': 500, 'retry-after-0': 503}[mode]
                with receiver.lock:
                    receiver.requests.append((time.time(), mode, status, payload, wid))
                self.send_response(status)
                if mode == 'retry-after-0':
                    self.send_header('Retry-After', '0')
                self.send_header('Content-Length', '0')
                self.end_headers()

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Redis:
    """A redis-server the soak owns: it can restart it on the same port and SIGSTOP it."""

    def __init__(self, workdir):
        self.port = free_port()
        self.workdir = workdir
        self.proc = None
        self.down = []  # [start, end) windows where Redis did not answer
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            ['redis-server', '--port', str(self.port), '--bind', '127.0.0.1', '--save', '',
             '--appendonly', 'no', '--dir', self.workdir, '--maxmemory', '4gb',
             '--proto-max-bulk-len', '512mb', '--client-output-buffer-limit', 'pubsub 256mb 128mb 60'],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if self.cli('PING') == 'PONG':
                return
            time.sleep(0.05)
        raise RuntimeError('redis-server did not start')

    def cli(self, *args, stdin=None):
        r = subprocess.run(['redis-cli', '-p', str(self.port), *args], input=stdin,
                           capture_output=True, text=stdin is None or isinstance(stdin, str), timeout=60)
        out = r.stdout
        return out.strip() if isinstance(out, str) else out

    def restart(self):
        t0 = time.time()
        self.proc.kill()
        self.proc.wait()
        time.sleep(5)
        self.start()
        self.down.append((t0, time.time()))

    def sigstop(self, seconds=8):
        t0 = time.time()
        self.proc.send_signal(signal.SIGSTOP)
        time.sleep(seconds)
        self.proc.send_signal(signal.SIGCONT)
        self.down.append((t0, time.time()))

    def client_kill(self):
        t0 = time.time()
        self.cli('CLIENT', 'KILL', 'TYPE', 'normal')
        self.cli('CLIENT', 'KILL', 'TYPE', 'pubsub')
        self.down.append((t0, time.time() + 0.5))

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
            self.proc.wait()


def set_big(redis, key, size, kind, field=None):
    """Writes a value of about `size` bytes with a server-side script, so the soak sends little."""
    rep = "local s = string.rep('A', tonumber(ARGV[1])) "
    if kind == 'meta':
        script = (rep + "local m = '{\"status\": \"SUCCESS\", \"result\": \"' .. s .. '\", "
                  "\"traceback\": null, \"children\": [], \"date_done\": \"2026-01-01T00:00:00.000000+00:00\", "
                  "\"task_id\": \"soak-big\"}' redis.call('SET', KEYS[1], m) return #m")
        redis.cli('EVAL', script, '1', key, str(size))
    elif kind == 'tail':
        # A kombu-shaped envelope with a huge body, the oldest message of a known queue.
        script = (rep + "local m = '{\"body\": \"' .. s .. '\", \"content-encoding\": \"utf-8\", "
                  "\"content-type\": \"application/json\", \"headers\": {\"lang\": \"py\", "
                  "\"task\": \"soak.big_args\", \"id\": \"big-tail\"}, \"properties\": "
                  "{\"delivery_tag\": \"big-tail\", \"delivery_info\": {\"exchange\": \"\", "
                  "\"routing_key\": \"soak-big\"}, \"priority\": 0, \"body_encoding\": \"base64\"}}' "
                  "redis.call('RPUSH', KEYS[1], m) return #m")
        redis.cli('EVAL', script, '1', key, str(size))
    elif kind == 'unacked':
        script = (rep + "local m = '[{\"body\": \"' .. s .. '\", \"headers\": {\"task\": \"soak.big_args\", "
                  "\"id\": \"' .. ARGV[2] .. '\"}, \"properties\": {\"delivery_tag\": \"' .. ARGV[2] .. '\", "
                  "\"delivery_info\": {\"exchange\": \"\", \"routing_key\": \"soak-big\"}}}, \"\", \"soak-big\"]' "
                  "redis.call('HSET', 'unacked', ARGV[2], m) "
                  "redis.call('ZADD', 'unacked_index', ARGV[3], ARGV[2]) return #m")
        redis.cli('EVAL', script, '0', str(size), field, str(time.time()))


class Exporter:
    def __init__(self, binary, args, logpath):
        self.logfile = open(logpath, 'wb')
        self.proc = subprocess.Popen([binary, *args], stdout=self.logfile, stderr=subprocess.STDOUT)

    def rss_kb(self, field='VmRSS'):
        try:
            with open(f'/proc/{self.proc.pid}/status') as f:
                for line in f:
                    if line.startswith(field + ':'):
                        return int(line.split()[1])
        except OSError:
            return None
        return None


def scrape(port, timeout=3.0):
    req = urllib.request.Request(f'http://127.0.0.1:{port}/metrics')
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read().decode('utf-8', 'replace')


def metric_value(text, name):
    for line in text.splitlines():
        if line.startswith(name + ' ') or line.startswith(name + '{'):
            try:
                return float(line.rsplit(' ', 1)[1])
            except ValueError:
                return None
    return None


def hostile_http(port, seconds, stop):
    """Idle connections, slowloris heads, bare CRLFs, garbage and pipelined reloads at once."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    socks = []

    def connect():
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect(('127.0.0.1', port))
        except OSError:
            s.close()
            return None
        socks.append(s)
        return s

    for _ in range(1100):
        connect()
    slow = [s for s in (connect() for _ in range(50)) if s]
    crlf = [s for s in (connect() for _ in range(20)) if s]
    for _ in range(20):
        s = connect()
        if s:
            try:
                s.sendall(os.urandom(random.randint(1, 4096)))
            except OSError:
                pass
    s = connect()
    if s:
        try:
            s.sendall(b'POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n' * 100)
        except OSError:
            pass
    head = b'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ' + b'a' * 100
    end = time.time() + seconds
    i = 0
    while time.time() < end and not stop.is_set():
        for s in slow:
            try:
                s.send(head[i % len(head):i % len(head) + 1])
            except OSError:
                pass
        for s in crlf:
            try:
                s.send(b'\r\n')
            except OSError:
                pass
        i += 1
        time.sleep(2)
    for s in socks:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--minutes', type=float, default=10)
    ap.add_argument('--exporter', required=True)
    ap.add_argument('--workdir', default=None)
    opts = ap.parse_args()
    work = opts.workdir or tempfile.mkdtemp(prefix='soak.')
    os.makedirs(work, exist_ok=True)
    log(f'work directory {work}; {opts.minutes:g} minutes; cycles of {CYCLE:g} s')

    redis = Redis(work)
    receiver = Receiver()
    url = f'redis://127.0.0.1:{redis.port}/0'
    os.environ['SOAK_URL'] = url
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from soak_app import app  # noqa: E402  (needs SOAK_URL)

    rules = os.path.join(work, 'rules.yml')
    with open(rules, 'w') as f:
        f.write("""groups:
  - name: soak
    rules:
      - alert: SoakAlarm
        expr: celery_redis_queue_length{queue="soak-alarm"} > 0
        labels: {severity: page}
        annotations: {summary: 'soak alarm'}
      # Outages in the soak last at most ~12 s: this must never fire.
      - alert: SoakRedisDownLong
        expr: celery_redis_up == 0
        for: 45s
      # The visibility timeout is 1 h and soak tasks last seconds: any stranded task is false.
      - alert: SoakStranded
        expr: sum(celery_redis_unacked_stranded_tasks) > 0
      # Polls fail only while Redis is really down.
      - alert: SoakPollsStale
        expr: time() - celery_redis_last_successful_poll_timestamp_seconds > 40
""")
    alerting = os.path.join(work, 'alerting.yml')
    with open(alerting, 'w') as f:
        f.write(f"""route:
  receiver: soak
  group_by: ['alertname', 'queue']
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 4h
receivers:
  - name: soak
    webhook_configs:
      - url: http://127.0.0.1:{receiver.port}/hook
        timeout: 2s
""")
    http_port = free_port()
    base_args = [f'--redis.url={url}', f'--web.listen-address=127.0.0.1:{http_port}',
                 f'--poll.interval={POLL_INTERVAL:g}s', f'--redis.read-timeout={READ_TIMEOUT:g}s',
                 '--celery.queues=celery,soak-alarm,soak-big', f'--rules.file={rules}', f'--alerting.config={alerting}',
                 '--celery.census-interval=30s', '--log.level=info']
    help_text = subprocess.run([opts.exporter, '--help'], capture_output=True, text=True).stdout \
        + subprocess.run([opts.exporter, '--help'], capture_output=True, text=True).stderr
    if 'web.enable-lifecycle' in help_text:
        base_args.append('--web.enable-lifecycle')
    if 'storage.path' in help_text:
        os.makedirs(os.path.join(work, 'storage'), exist_ok=True)
        base_args.append(f'--storage.path={os.path.join(work, "storage")}')
    exporter = Exporter(opts.exporter, base_args, os.path.join(work, 'exporter.log'))

    venv_celery = os.path.join(os.path.dirname(sys.executable), 'celery')
    worker_log = open(os.path.join(work, 'worker.log'), 'wb')
    worker = subprocess.Popen(
        [venv_celery, '-A', 'soak_app', 'worker', '-Q', 'celery', '-c', '2', '-n', 'soak@%h',
         '--loglevel=WARNING', '--without-mingle', '--without-gossip'],
        cwd=os.path.dirname(os.path.abspath(__file__)), stdout=worker_log, stderr=subprocess.STDOUT,
        env=dict(os.environ))

    stop = threading.Event()
    # Scrapes count only while the exporter is meant to answer: from its first answer to SIGTERM
    # (a refused connection before it listens, or after it exits, is not a failed scrape).
    scraping = threading.Event()
    scrapes = []  # (time, ok, up)
    scrape_failures = []  # (time, seconds taken, reason): to tell a slow exporter from a refused one
    cycle_starts = []  # start time of each cycle, to place a failure in the cycle's fault schedule
    rss = []  # (time, kb)
    rss_anon = []  # (time, kb): the exporter's own heap, without mapped libraries
    alarm_windows = []  # [on, off)

    def scraper():
        started = time.time()
        while not scraping.is_set() and time.time() - started < 30:
            try:
                scrape(http_port)
                scraping.set()
            except Exception:
                time.sleep(0.1)
        if not scraping.is_set():
            scrapes.append((started, False, None))
            scrape_failures.append((started, 30.0, 'no answer within 30 s of start'))
            scraping.set()
        while not stop.is_set() and scraping.is_set():
            t = time.time()
            try:
                status, text = scrape(http_port)
                scrapes.append((t, status == 200, metric_value(text, 'celery_redis_up')))
            except Exception as error:
                scrapes.append((t, False, None))
                scrape_failures.append((t, time.time() - t, f'{type(error).__name__}: {error}'))
            time.sleep(max(0.0, 1.0 - (time.time() - t)))

    def sampler():
        while not stop.is_set():
            kb = exporter.rss_kb()
            if kb:
                rss.append((time.time(), kb))
            anon = exporter.rss_kb('RssAnon')
            if anon:
                rss_anon.append((time.time(), anon))
            stop.wait(5)

    def producer():
        n = 0
        blob = 'x' * 700_000
        while not stop.is_set():
            try:
                add.apply_async((n, 1), queue='celery')
                if n % 5 == 0:
                    big_args.apply_async((blob,), queue='celery')
                if n % 7 == 0:
                    big_result.apply_async((random.randint(1_000_000, 3_000_000),), queue='celery')
                if n % 11 == 0:
                    boom.apply_async(queue='celery')
            except Exception:
                time.sleep(1)  # Redis is down on purpose; the producer just waits.
            n += 1
            stop.wait(0.5)

    from soak_app import add, big_args, big_result, boom, alarm  # noqa: E402
    for fn in (scraper, sampler, producer):
        threading.Thread(target=fn, daemon=True).start()

    time.sleep(10)  # first polls, worker start
    t_start = time.time()
    deadline = t_start + opts.minutes * 60
    cycle = 0
    while time.time() + CYCLE <= deadline + 1:
        c0 = time.time()
        cycle_starts.append(c0)
        rfault = RECEIVER_FAULTS[cycle % len(RECEIVER_FAULTS)]
        dfault = REDIS_FAULTS[cycle % len(REDIS_FAULTS)]
        log(f'cycle {cycle}: receiver fault {rfault}, redis fault {dfault}')

        def at(offset):
            time.sleep(max(0.0, c0 + offset - time.time()))

        alarm.apply_async(queue='soak-alarm')
        on = time.time()
        receiver.mode = rfault
        at(20)
        receiver.mode = 'none'
        at(40)
        redis.cli('DEL', 'soak-alarm')
        alarm_windows.append((on, time.time()))
        at(45)
        hostile_http(http_port, 15, stop)
        at(60)
        # Building 140 MB inside Redis blocks it for a moment: that is Redis busy, not up.
        t_busy = time.time()
        set_big(redis, 'soak-big', 70_000_000, 'tail')
        set_big(redis, None, 20_000_000, 'unacked', field=f'soak-big-{cycle}')
        set_big(redis, 'celery-task-meta-soak-big', 50_000_000, 'meta')
        redis.down.append((t_busy, time.time()))
        at(80)
        if dfault == 'restart':
            redis.restart()
        elif dfault == 'sigstop':
            redis.sigstop(8)
        else:
            redis.client_kill()
        at(100)
        redis.cli('DEL', 'soak-big', 'celery-task-meta-soak-big')
        redis.cli('HDEL', 'unacked', f'soak-big-{cycle}')
        redis.cli('ZREM', 'unacked_index', f'soak-big-{cycle}')
        at(CYCLE)
        cycle += 1

    time.sleep(15)  # let the last resolve go out
    alive = exporter.proc.poll() is None
    scraping.clear()
    time.sleep(3.5)  # a scrape under way finishes (3 s timeout) before the exporter is told to stop
    t_term = time.time()
    exit_code = None
    if alive:
        exporter.proc.send_signal(signal.SIGTERM)
        try:
            exit_code = exporter.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            exporter.proc.kill()
            exit_code = 'killed after 30 s'
    term_seconds = time.time() - t_term
    stop.set()
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
    redis.stop()

    # Every request the receiver saw, for a look at what was judged.
    with open(os.path.join(work, 'receiver-requests.jsonl'), 'w') as f:
        for t, mode, status, payload, wid in receiver.requests:
            alerts = [(a.get('labels', {}).get('alertname'), a.get('status'), a.get('startsAt'))
                      for a in (payload or {}).get('alerts', [])]
            f.write(json.dumps({'t': round(t, 3), 'mode': mode, 'status': status, 'id': wid,
                                'payload_status': (payload or {}).get('status'), 'alerts': alerts}) + '\n')

    # ---- judge ----
    def redis_was_down(t):
        return any(s - 1.0 <= t <= e + DOWN_GRACE for s, e in redis.down)

    false_down = [t for t, ok, up in scrapes if ok and up == 0.0 and not redis_was_down(t)]
    failed_scrapes = [t for t, ok, _ in scrapes if not ok]
    true_down = [t for t, ok, up in scrapes if ok and up == 0.0 and redis_was_down(t)]

    delivered = []  # (time, status, alertname, startsAt)
    by_mode = {}
    for t, mode, status, payload, wid in receiver.requests:
        by_mode[mode] = by_mode.get(mode, 0) + 1
        if status != 200 or not payload:
            continue
        for a in payload.get('alerts', []):
            delivered.append((t, a.get('status'), a.get('labels', {}).get('alertname'), a.get('startsAt')))
    false_alerts = [d for d in delivered if d[1] == 'firing' and d[2] != 'SoakAlarm']

    def in_alarm(t):
        return any(on - 1 <= t <= off + 30 for on, off in alarm_windows)

    false_alerts += [d for d in delivered if d[1] == 'firing' and d[2] == 'SoakAlarm' and not in_alarm(d[0])]
    alarm_deliveries = [d for d in delivered if d[2] == 'SoakAlarm']
    keys = {}
    for d in alarm_deliveries:
        keys.setdefault((d[3], d[1]), []).append(d[0])
    expected = len(alarm_windows)
    firing_ok = sum(1 for (s, st) in keys if st == 'firing')
    resolved_ok = sum(1 for (s, st) in keys if st == 'resolved')
    duplicates = sum(len(v) - 1 for v in keys.values() if len(v) > 1)
    stale = sum(1 for (s, st), v in keys.items() if st == 'firing' and (s, 'resolved') in keys
                and max(v) > min(keys[(s, 'resolved')]))

    minutes = opts.minutes
    warm = t_start + min(10 * 60, minutes * 60 / 3)
    post = [(t, kb) for t, kb in rss if t >= warm]
    growth = slope_mb_per_hour(post)
    # Every sample, least squares, mixes growth with where in its 2-minute cycle the run stopped
    # (large payloads lift RSS for a while, and glibc gives freed pages back lazily). The lowest
    # sample of each cycle after warm-up is the same phase every time: its trend is what is kept.
    troughs = []
    for i in range(cycle):
        lo, hi = t_start + i * CYCLE, t_start + (i + 1) * CYCLE
        window = [(t, kb) for t, kb in rss if lo <= t < hi and t >= warm]
        if window:
            troughs.append(min(window, key=lambda p: p[1]))
    trough_growth = slope_mb_per_hour(troughs)
    anon_growth = slope_mb_per_hour([(t, kb) for t, kb in rss_anon if t >= warm])
    rss_start = rss[0][1] / 1024 if rss else 0
    rss_peak = max(kb for _, kb in rss) / 1024 if rss else 0
    rss_end = rss[-1][1] / 1024 if rss else 0

    print()
    print(f'| soak ({minutes:g} min, {cycle} cycles) | value |')
    print('|---|---|')
    print(f'| exporter alive at the end | {"yes" if alive else "NO (crashed)"} |')
    print(f'| exit after SIGTERM | {exit_code} in {term_seconds:.1f} s |')
    print(f'| scrapes | {len(scrapes)} ({len(failed_scrapes)} failed) |')
    print(f'| Redis outages injected (incl. the moments the soak itself blocks Redis writing big values) | {len(redis.down)} |')
    print(f'| scrapes with up 0 while Redis was down (true) | {len(true_down)} |')
    print(f'| scrapes with up 0 while Redis was up (false) | {len(false_down)} |')
    print(f'| false alerts delivered | {len(false_alerts)} |')
    print(f'| alarm cycles (each owes 1 firing + 1 resolved) | {expected} |')
    print(f'| firing delivered / resolved delivered | {firing_ok} / {resolved_ok} |')
    print(f'| duplicate deliveries / stale firing after resolved | {duplicates} / {stale} |')
    print(f'| receiver requests by mode | {json.dumps(by_mode, sort_keys=True)} |')
    print(f'| RSS start / peak / end (MB) | {rss_start:.1f} / {rss_peak:.1f} / {rss_end:.1f} |')
    print(f'| RSS growth after warm-up, every sample (MB/h) | {fmt_growth(growth)} |')
    print(f'| RSS growth after warm-up, lowest sample of each cycle (MB/h) | {fmt_growth(trough_growth)} |')
    print(f'| RssAnon (own heap) growth after warm-up, every sample (MB/h) | {fmt_growth(anon_growth)} |')
    for t, st, name, s in false_alerts[:10]:
        print(f'false alert: {name} {st} at {time.strftime("%H:%M:%S", time.localtime(t))}')
    for t, took, reason in scrape_failures[:10]:
        starts = [c for c in cycle_starts if c <= t]
        where = f'cycle {len(starts) - 1} +{t - starts[-1]:.0f} s' if starts else 'before the first cycle'
        print(f'failed scrape at {time.strftime("%H:%M:%S", time.localtime(t))} ({where}) after {took:.1f} s: {reason}')
    for t in false_down[:10]:
        print(f'false down at {time.strftime("%H:%M:%S", time.localtime(t))}')

    problems = []
    if not alive or exit_code != 0 or term_seconds > 10.5:
        problems.append('crash or slow/failed shutdown')
    if false_down:
        problems.append('false Redis-down')
    if false_alerts:
        problems.append('false alerts')
    if firing_ok < expected or resolved_ok < expected:
        problems.append('missing notifications')
    if duplicates or stale:
        problems.append('duplicate or stale notifications')
    if failed_scrapes:
        problems.append('failed scrapes')
    if minutes >= 30 and trough_growth is not None and trough_growth >= 1.0:
        problems.append('RSS growth >= 1 MB/h')
    print()
    print('soak: ' + ('PASS' if not problems else 'FAIL: ' + ', '.join(problems)))
    print(f'soak: logs in {work}')
    return 0 if not problems else 1


if __name__ == '__main__':
    sys.exit(main())
