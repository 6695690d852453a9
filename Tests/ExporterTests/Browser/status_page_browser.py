#!/usr/bin/env python3
"""The status page (issue 12) in a real browser: Debian's chromium, headless, driven by Selenium
through chromium-driver, against a real exporter polling a real redis-server.

Run by Tests/ExporterTests/StatusPageBrowserTests.swift, which starts redis-server and the
exporter binary and passes their addresses. This script writes Celery-shaped data into Redis
(queues and bindings, worker heartbeats and result writes published like Celery does), then
checks what a person would see. Any failed check, a missing chromium/chromedriver or a missing
Selenium exits non-zero with the reason: nothing here skips.

Checks:
  1. every section renders, with JavaScript on and (as HTML) with it off;
  2. a queue that grows in Redis grows on the page within two polls, without a reload;
  3. hostile names (<img onerror>, </script>, quotes, 30 KB and 300 KB) render as text and run nothing;
  4. no console errors and no Content-Security-Policy violations;
  4b. Redis going away and coming back shows on the page without a reload;
  4c. the script's live DOM reads exactly like the server-rendered page of the same poll;
  5. the page, its assets and the JSON weigh under 100 KB over the wire, nothing is fetched
     from another origin, and every response carries the CSP and nosniff headers.
Screenshots (light and dark, desktop and phone) go to --screenshots.
"""
import argparse
import gzip
import json
import os
import shutil
import sys
import threading
import time
import urllib.request

FAILURES = []


def check(condition, message):
    if condition:
        print("ok   " + message)
    else:
        print("FAIL " + message)
        FAILURES.append(message)
    return condition


def fatal(message):
    print("FAIL " + message)
    sys.exit(1)


try:
    import redis
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.common.exceptions import StaleElementReferenceException
except ImportError as error:
    fatal(f"cannot import redis-py and selenium ({error}): run scripts/setup-celery-venv.sh")

HOSTILE_QUEUES = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(2)</script>",
    "q\"uo'te&amp;<b>bold</b>",
    "x" * 1000 + "<svg onload=alert(4)>",  # longer than a label value: shown cut to 256 bytes
]
HUGE = "h" * (300 * 1024)  # a 300 KB queue name (discovery ignores it) and worker name (shown cut)
HOSTILE_WORKER = "<img src=x onerror=alert(5)>@evil"

INIT_SCRIPT = """
window.__violations = [];
window.__alerts = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
window.alert = function (m) { window.__alerts.push(String(m)); };
window.confirm = window.alert;
window.prompt = window.alert;
"""


class Celery:
    """Writes what a Celery deployment writes, via redis-py."""

    def __init__(self, port):
        self.r = redis.Redis(host="127.0.0.1", port=port)
        self.stop = threading.Event()
        self.workers = {}
        self.n = 0

    def bind(self, queue):
        sep = "\x06\x16"
        self.r.sadd("_kombu.binding." + queue, queue + sep + sep + queue)

    def enqueue(self, queue, count, task="app.tasks.work"):
        for i in range(count):
            self.n += 1
            tid = f"t-{self.n}"
            body = {"body": "W1sxLCAxXSwge30sIHt9XQ==", "content-encoding": "utf-8", "content-type": "application/json",
                    "headers": {"lang": "py", "task": task, "id": tid, "eta": None, "retries": 0},
                    "properties": {"correlation_id": tid, "delivery_mode": 2, "priority": 0, "body_encoding": "base64",
                                   "delivery_info": {"exchange": "", "routing_key": queue}, "delivery_tag": tid}}
            self.r.lpush(queue, json.dumps(body))

    def heartbeat(self, host, active=1, processed=0):
        event = {"hostname": host, "freq": 1.0, "active": active, "processed": processed, "type": "worker-heartbeat"}
        envelope = {"body": event, "content-type": "application/json", "properties": {}}
        self.r.publish("/0.celeryev/worker.heartbeat", json.dumps(envelope))

    def result(self, status):
        self.n += 1
        tid = f"r-{self.n}"
        meta = {"status": status, "result": 5 if status == "SUCCESS" else None, "traceback": None, "children": [],
                "date_done": "2026-12-05T10:00:00+00:00", "task_id": tid}
        if status == "FAILURE":
            meta["result"] = {"exc_type": "ValueError", "exc_message": ["<script>alert(6)</script>"], "exc_module": "builtins"}
        value = json.dumps(meta)
        self.r.set("celery-task-meta-" + tid, value, ex=86400)
        self.r.publish("celery-task-meta-" + tid, value)

    def run_workers(self):
        """Heartbeats every second for the live workers, a steady trickle of results."""
        tick = 0
        while not self.stop.wait(1.0):
            tick += 1
            for host, (active, processed) in list(self.workers.items()):
                self.workers[host] = (active, processed + 7)
                self.heartbeat(host, active, processed + 7)
            for _ in range(4):
                self.result("SUCCESS")
            if tick % 3 == 0:
                self.result("FAILURE")


def fetch(url, gzip_ok=True):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
    body = gzip.decompress(raw) if headers.get("content-encoding") == "gzip" else raw
    return raw, body, headers


def status(base):
    return json.loads(fetch(base + "/api/v1/status")[1])


def wait_for(what, predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if predicate():
                return check(True, what)
        except Exception:
            pass
        time.sleep(0.2)
    return check(False, f"{what} (waited {timeout}s)")


def rendered(read, timeout=3):
    """Reads what the page shows right now, again if the live refresh (once a poll) replaced the
    rows between finding an element and reading it (StaleElementReferenceException)."""
    deadline = time.time() + timeout
    while True:
        try:
            return read()
        except StaleElementReferenceException:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def start_browser():
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not os.access(chromium, os.X_OK) or not os.access(driver_path, os.X_OK):
        fatal("chromium and chromium-driver are not installed: run scripts/install-deps.sh (Debian packages chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--hide-scrollbars", "--force-device-scale-factor=1",
                     "--disable-extensions", "--no-first-run", "--disable-background-networking"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager never downloads anything.
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": INIT_SCRIPT})
    return driver


def row_cells(driver, section, name_prefix):
    """The texts of the row whose header starts with `name_prefix` in `section`'s table."""
    return driver.execute_script("""
        var rows = document.querySelectorAll('#' + arguments[0] + '-body tbody tr');
        for (var i = 0; i < rows.length; i++) {
          var th = rows[i].querySelector('th');
          if (th && th.firstChild && th.firstChild.nodeValue && th.firstChild.nodeValue.indexOf(arguments[1]) === 0) {
            return Array.prototype.map.call(rows[i].children, function (c) { return c.textContent; });
          }
        }
        return null;""", section, name_prefix)


def depth_on_page(driver, queue):
    cells = row_cells(driver, "queues", queue)
    if cells is None:
        return None
    return cells[1].strip()


def mirror(driver):
    """The script's live DOM reads exactly like the server-rendered page of the same poll."""
    mirrored = False
    for _ in range(20):
        result = driver.execute_async_script("""
            var done = arguments[arguments.length - 1];
            fetch('/', {cache: 'no-store'}).then(function (r) { return r.text(); }).then(function (html) {
              var server = new DOMParser().parseFromString(html, 'text/html');
              var ids = ['summary', 'alerts-body', 'queues-body', 'workers-body', 'results-body', 'health-body'];
              function texts(doc) {
                var sparks = Array.prototype.map.call(doc.querySelectorAll('#queues-body polyline, #queues-body circle'),
                  function (e) { return e.getAttribute('points') || (e.getAttribute('cx') + ',' + e.getAttribute('cy')); }).join(' | ');
                return ids.map(function (id) { return doc.getElementById(id).textContent; }).concat([sparks]);
              }
              done({same: server.documentElement.getAttribute('data-generated-at') === document.documentElement.getAttribute('data-generated-at'),
                    live: texts(document), server: texts(server)});
            });""")
        if result["same"]:
            for live, server in zip(result["live"], result["server"]):
                check(live == server, f"live and server-rendered text agree: {live[:80]!r}" if live == server
                      else f"live and server-rendered text agree:\n  live:   {live!r}\n  server: {server!r}")
            mirrored = True
            break
        time.sleep(0.1)
    check(mirrored, "caught the page and the server at the same poll to compare them")


def screenshots(driver, base, directory):
    os.makedirs(directory, exist_ok=True)
    for scheme in ["light", "dark"]:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
        for form, (width, height, mobile) in {"desktop": (1280, 900, False), "phone": (390, 844, True)}.items():
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
            time.sleep(0.4)
            path = os.path.join(directory, f"status-page-{scheme}-{form}.png")
            driver.save_screenshot(path)
            dark = driver.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches")
            check(dark == (scheme == "dark"), f"screenshot {os.path.basename(path)} ({width}x{height}, {scheme})")
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def check_console_and_csp(driver):
    """Checks that the page saw no Content-Security-Policy violation and logged no console error or
    warning; returns the console log read (reading it empties the browser's buffer)."""
    violations = driver.execute_script("return window.__violations;")
    check(violations == [], f"no Content-Security-Policy violations: {violations}")
    logs = driver.get_log("browser")
    errors = [entry for entry in logs if entry["level"] in ("SEVERE", "WARNING")]
    check(errors == [], f"no console errors or warnings: {errors}")
    return logs


def finish():
    """Ends a browser script: exit status 1 naming how many checks failed, else "all checks passed"."""
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        sys.exit(1)
    print("all checks passed")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--redis-port", type=int, required=True)
    parser.add_argument("--poll-interval", type=float, required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--warmup", type=float, default=0, help="seconds of varying load before screenshots (for docs/)")
    args = parser.parse_args()
    base = args.url.rstrip("/")
    poll = args.poll_interval

    celery = Celery(args.redis_port)
    for queue, count in [("default", 24), ("emails", 3), ("reports", 0), ("celery", 0)]:
        celery.bind(queue)
        celery.enqueue(queue, count)
    for i in range(40):
        celery.result("SUCCESS")
    celery.result("FAILURE")
    celery.workers = {"celery@web-1": (2, 310), "celery@web-2": (1, 287)}
    celery.heartbeat("celery@batch-1", 0, 52)  # one heartbeat, then silence: shown down
    feeder = threading.Thread(target=celery.run_workers, daemon=True)
    feeder.start()

    wait_for("the exporter discovers the queues", lambda: status(base)["queues"]["total"] >= 4, 20)
    wait_for("the exporter sees the workers", lambda: status(base)["workers"]["up"] == 2, 20)
    if args.warmup > 0:
        # Vary the depth over several 30 s history slots so the sparklines have a shape.
        end = time.time() + args.warmup
        while time.time() < end:
            celery.enqueue("default", 9)
            celery.enqueue("emails", 2)
            time.sleep(min(7.5, max(0, end - time.time())))
            for _ in range(5):
                celery.r.rpop("default")

    # --- JavaScript off: the server-rendered HTML alone shows the numbers ---
    raw, html, headers = fetch(base + "/")
    text = html.decode()
    depth = status(base)["queues"]["items"]
    check(all(f'id="{s}-body"' in text for s in ["alerts", "queues", "workers", "results", "health"]),
          "the HTML has every section without JavaScript")
    check("default" in text and "celery@web-1" in text, "queue and worker names are in the HTML")

    driver = start_browser()
    try:
        driver.get(base + "/")
        wait_for("the script has rendered from /api/v1/status",
                 lambda: driver.execute_script("return document.documentElement.getAttribute('data-generated-at')"), 10)
        for section in ["summary", "alerts", "queues", "workers", "results", "health"]:
            element = driver.find_element(By.ID, section)
            check(element.is_displayed() and len(element.text.strip()) > 10, f"section #{section} renders: {element.text[:60]!r}")
        wait_for("the backlog alert fires and is shown", lambda: "CeleryQueueBacklog" in driver.find_element(By.ID, "alerts").text, 15)
        wait_for("a dead worker is listed first", lambda: row_cells(driver, "workers", "celery@batch-1") is not None
                 and driver.find_elements(By.CSS_SELECTOR, "#workers-body tbody tr")[0].text.startswith("celery@batch-1"), 15)
        # An up worker shows how long ago its last heartbeat came, the absolute time on hover.
        up = next(w for w in status(base)["workers"]["items"] if w["name"] == "celery@web-1")
        check(up["up"] and 0 <= up["last_heartbeat_age_seconds"] < 5 and up["last_heartbeat"] > 0,
              f"an up worker's last heartbeat is recent: {up!r}")
        beat = driver.execute_script("""
            var cells = document.querySelectorAll('#workers-body tbody tr td[data-label="Last heartbeat"] time');
            return Array.prototype.map.call(cells, function (t) { return [t.textContent, t.getAttribute('title')]; });""")
        check(beat and all((t == "just now" or t.endswith(" ago")) and title and "UTC" in title for t, title in beat),
              f"the Last heartbeat column shows ages with the absolute time as title: {beat!r}")
        first_class, first_text = rendered(lambda: (lambda tr: (tr.get_attribute("class"), tr.text))(
            driver.find_elements(By.CSS_SELECTOR, "#queues-body tbody tr")[0]))
        check(first_class == "firing" and first_text.startswith(("default", "emails")),
              f"the worst queue (a firing alert) is first: {first_text[:40]!r}")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#queues-body svg.spark")) >= 1, "sparklines are drawn")
        wait_for("outcome rates are shown", lambda: "/min" in driver.find_element(By.ID, "results").text, 15)

        # --- the script renders exactly what the server renders (same poll, same text) ---
        mirror(driver)

        # --- screenshots of a realistic deployment ---
        screenshots(driver, base, args.screenshots)

        # --- more queues than rows: the page shows the 50 worst and says how many it left out ---
        for i in range(60):
            celery.bind(f"tenant-{i:02d}")
        wait_for("60 more queues are discovered", lambda: status(base)["queues"]["total"] >= 64, 20)
        wait_for("the page says how many queues it does not show",
                 lambda: "more queues not shown" in driver.find_element(By.ID, "queues").text, 10)
        check(len(driver.find_elements(By.CSS_SELECTOR, "#queues-body tbody tr")) == 50, "50 queue rows are shown")
        mirror(driver)

        # --- live: a queue that grows in Redis grows on the page within two polls, no reload ---
        driver.execute_script("window.__noReload = 'still here';")
        before = rendered(lambda: depth_on_page(driver, "emails"))
        grown = celery.r.llen("emails") + 300
        celery.enqueue("emails", 300, task="app.tasks.mail")
        started = time.time()
        # Two polls, plus the fetch that follows a poll (a quarter second late) and a little room for
        # a debug build on a busy machine.
        limit = 2 * poll + 1.5
        updated = wait_for(f"the emails queue grows from {before} to {grown} on the page within {limit:.1f}s",
                           lambda: depth_on_page(driver, "emails") == str(grown), limit)
        if updated:
            check(True, f"emails shows {grown} after {time.time() - started:.2f}s (poll interval {poll}s)")
        check(driver.execute_script("return window.__noReload") == "still here", "the page was not reloaded")

        # --- what the backlog is made of: the top tasks of the backed-up queue, on the page and in the API ---
        def emails_tasks():
            for tr in driver.find_elements(By.CSS_SELECTOR, "#queues-body tbody tr"):
                if tr.find_element(By.TAG_NAME, "th").text.startswith("emails"):
                    return tr.find_element(By.CSS_SELECTOR, "td[data-label='Waiting tasks']").text
            return ""
        wait_for("the emails row names app.tasks.mail first among its waiting tasks",
                 lambda: emails_tasks().startswith("app.tasks.mail"), 2 * poll + 1.5)
        item = next(q for q in status(base)["queues"]["items"] if q["name"] == "emails")
        check(item["top_tasks"][0]["task"] == "app.tasks.mail" and item["top_tasks"][0]["messages"] >= 200,
              f"/api/v1/status has the emails queue's top tasks: {item['top_tasks']}")

        # --- sorting ---
        driver.find_element(By.CSS_SELECTOR, "#queues-table th[data-key='depth'] button").click()
        first = rendered(lambda: driver.find_elements(By.CSS_SELECTOR, "#queues-body tbody tr th")[0].text)
        check(first.startswith("emails"), f"sorting by Waiting puts the deepest queue first ({first!r})")
        check(driver.find_element(By.CSS_SELECTOR, "#queues-table th[data-key='depth']").get_attribute("aria-sort") == "descending",
              "the sorted column says so (aria-sort)")

        # --- hostile names ---
        for queue in HOSTILE_QUEUES + [HUGE]:
            celery.bind(queue)
            celery.enqueue(queue, 2)
        celery.workers[HOSTILE_WORKER] = (1, 1)
        # 30 KB fits a worker event (64 KiB, body and envelope); a 300 KB one is a decode error
        celery.workers["w" * (30 * 1024) + "@long"] = (0, 0)
        celery.workers["v" * (300 * 1024) + "@huge"] = (0, 0)
        wait_for("the hostile queues are discovered",
                 lambda: sum(1 for q in status(base)["queues"]["items"] if q["name"] in HOSTILE_QUEUES[:3]) == 3, 20)
        wait_for("the hostile worker is shown", lambda: row_cells(driver, "workers", HOSTILE_WORKER) is not None, 15)
        time.sleep(poll + 0.5)
        names = driver.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('#queues-body tbody th'), function (t) { return t.firstChild.nodeValue; });")
        for queue in HOSTILE_QUEUES[:3]:
            check(queue in names, f"queue {queue!r} is shown as text")
        long_names = [n for n in names if n.startswith("xxxx")]
        check(len(long_names) == 1 and len(long_names[0].encode()) <= 256 and "\u2026" in long_names[0],
              "a 1 KB queue name is shown cut to 256 bytes")
        check(not any(n.startswith("hhhh") for n in names), "the 300 KB queue name is not sampled")
        wait_for("the alert on the hostile names is shown", lambda: "CeleryQueueNameWithMarkup" in driver.find_element(By.ID, "alerts").text, 15)
        check("<script>alert(3)</script> <img src=x onerror=alert(1)>" in driver.find_element(By.ID, "alerts").text,
              "markup in a rule's summary and in label values is shown as text")
        workers = driver.find_element(By.ID, "workers").text
        check(HOSTILE_WORKER in workers, "the hostile worker name is shown as text")
        check("w" * 200 in workers and "w" * 300 not in workers, "the 30 KB worker name is shown cut")
        check("v" * 200 not in workers, "the worker with a 300 KB name (an event past 64 KiB) is not shown")
        counts = driver.execute_script("""return {
            img: document.querySelectorAll('img').length,
            script: document.scripts.length,
            b: document.querySelectorAll('main b').length,
            svgOnload: document.querySelectorAll('svg[onload]').length,
            inlineHandlers: document.querySelectorAll('[onerror],[onload],[onclick]').length,
            alerts: window.__alerts.slice()};""")
        check(counts["img"] == 0 and counts["b"] == 0 and counts["svgOnload"] == 0 and counts["inlineHandlers"] == 0,
              f"no element was made from a name: {counts}")
        check(counts["script"] == 1, f"the only script is /static/status.js ({counts['script']} scripts)")
        check(counts["alerts"] == [], f"nothing executed (alert calls: {counts['alerts']})")
        # The same after a reload: the server-rendered page, not only the script's DOM.
        driver.refresh()
        time.sleep(0.5)
        counts = driver.execute_script(
            "return [document.querySelectorAll('img,[onerror],[onload]').length, document.scripts.length, window.__alerts.length];")
        check(counts == [0, 1, 0], f"server-rendered hostile names are inert too: {counts}")
        raw, html, headers = fetch(base + "/")
        text = html.decode()
        check("<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text, "the HTML escapes the names")
        check("</script><script>alert(2)" not in text, "no name closes a script element")

        # --- Redis goes away and comes back: the page says so, live ---
        tile = lambda: driver.find_element(By.ID, "tile-redis").text
        driver.execute_script("window.__outageMarker = 'no reload';")
        celery.stop.set()  # the feeder's connection would need the password too
        celery.r.config_set("requirepass", "status-page-test")
        guarded = redis.Redis(host="127.0.0.1", port=args.redis_port, password="status-page-test")
        guarded.client_kill_filter(_type="normal", skipme=True)
        guarded.client_kill_filter(_type="pubsub", skipme=True)
        if wait_for("the Redis tile turns down without a reload", lambda: "down" in tile(), 3 * poll + 2):
            check("down" in driver.find_element(By.ID, "health").text.lower(), "the health section says Redis is down")
        guarded.config_set("requirepass", "")
        wait_for("the Redis tile comes back up", lambda: "up" in tile().split("\n")[1], 5 * poll + 5)
        check(driver.execute_script("return window.__outageMarker") == "no reload", "the page was not reloaded through the outage")

        # --- weight, origin and headers ---
        total = 0
        for path in ["/", "/static/status.css", "/static/status.js", "/static/favicon.svg", "/api/v1/status"]:
            raw, body, headers = fetch(base + path)
            total += len(raw)
            check("script-src 'self'" in headers.get("content-security-policy", "") and "unsafe-inline" not in headers.get("content-security-policy", ""),
                  f"{path}: strict Content-Security-Policy")
            check(headers.get("x-content-type-options") == "nosniff", f"{path}: X-Content-Type-Options nosniff")
        check(total < 100 * 1024, f"page, assets and JSON weigh {total} bytes over the wire (gzip), under 100 KB")
        resources = driver.execute_script("return performance.getEntriesByType('resource').map(function (e) { return e.name; });")
        check(all(r.startswith(base + "/") for r in resources), f"nothing is fetched from another origin: {resources}")

        # --- console and CSP ---
        logs = check_console_and_csp(driver)
        check(not any("Content Security Policy" in entry["message"] for entry in logs), "no CSP messages in the console")

        # --- the two detectors above can see a violation: an inline style attribute is refused ---
        driver.execute_script("document.body.insertAdjacentHTML('beforeend', '<div id=probe style=\"color:red\">probe</div>');")
        time.sleep(0.5)
        violations = driver.execute_script("return window.__violations;")
        logs = driver.get_log("browser")
        check(any("style-src" in v for v in violations), f"an injected inline style is reported as a violation: {violations}")
        check(any("Content Security Policy" in entry["message"] for entry in logs), "and logged to the console")
    finally:
        celery.stop.set()
        driver.quit()
    finish()


if __name__ == "__main__":
    main()
