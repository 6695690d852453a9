#!/usr/bin/env python3
"""The status page of an exporter watching several Celery deployments (--targets.file), in a real
browser: Debian's chromium, headless, through chromium-driver and Selenium.

Run by Tests/ExporterTests/MultiTargetStatusBrowserTests.swift, which starts one redis-server per
target and an exporter with one target per server. Checks:
  1. one section per target, in configuration order, each with its own queue table;
  2. a queue that grows in one target's Redis grows in that target's section within two polls,
     without a reload, while the other target's number stays exact;
  3. hostile queue names in a target render as text and run nothing;
  4. no console errors, no Content-Security-Policy violations.
Helpers (Celery writes, the browser, checks) come from status_page_browser.py beside this file.
"""
import argparse
import os
import time

from status_page_browser import (HOSTILE_QUEUES, Celery, By, check, check_console_and_csp, fetch, finish, row_cells,
                                 start_browser, status, wait_for)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--targets", required=True, help="name=redis-port,name=redis-port")
    parser.add_argument("--poll-interval", type=float, required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    base = args.url
    poll = args.poll_interval
    targets = [(pair.split("=")[0], int(pair.split("=")[1])) for pair in args.targets.split(",")]
    celeries = [Celery(port) for _, port in targets]
    for i, celery in enumerate(celeries):
        celery.bind("celery")
        celery.enqueue("celery", 3 + i)

    driver = start_browser()
    try:
        wait_for("the exporter has polled every target",
                 lambda: all(t["health"]["redis_up"] for t in status(base)["targets"]), 15)
        # The queues are bound after the exporter started: wait until discovery has found them.
        wait_for("every target's queue is discovered",
                 lambda: all(any(q["name"] == "celery" and q["depth"] == 3 + i for q in t["queues"]["items"])
                             for i, t in enumerate(status(base)["targets"])), 15)
        driver.get(base + "/")
        names = driver.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('section.target'), function (s) { return s.getAttribute('data-target'); });")
        check(names == [name for name, _ in targets], f"one section per target, in order: {names}")
        for i in range(len(targets)):
            cells = row_cells(driver, f"t{i}-queues", "celery")
            check(cells is not None and cells[1].strip() == str(3 + i), f"target {i} shows its own depth: {cells}")

        # --- live: one target's queue grows; only its section changes; no reload ---
        driver.execute_script("window.__noReload = 'still here';")
        celeries[-1].enqueue("celery", 5)
        last = len(targets) - 1
        wait_for("the grown queue shows in its target's section within two polls",
                 lambda: row_cells(driver, f"t{last}-queues", "celery")[1].strip() == str(3 + last + 5), 2 * poll + 3)
        check(row_cells(driver, "t0-queues", "celery")[1].strip() == "3", "the other target's depth is unchanged")
        check(driver.execute_script("return window.__noReload") == "still here", "the page was not reloaded")

        # --- hostile names in one target ---
        for queue in HOSTILE_QUEUES[:3]:
            celeries[0].bind(queue)
            celeries[0].enqueue(queue, 1)
        wait_for("the hostile queues are discovered",
                 lambda: sum(1 for q in status(base)["targets"][0]["queues"]["items"] if q["name"] in HOSTILE_QUEUES[:3]) == 3, 20)
        time.sleep(2 * poll + 0.5)
        shown = driver.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('#t0-queues-body tbody th'), function (t) { return t.firstChild.nodeValue; });")
        for queue in HOSTILE_QUEUES[:3]:
            check(queue in shown, f"queue {queue!r} is shown as text in its target's section")
        counts = driver.execute_script(
            "return {img: document.querySelectorAll('img').length, script: document.scripts.length, alerts: window.__alerts.length};")
        check(counts == {"img": 0, "script": 1, "alerts": 0}, f"nothing from a name became markup or ran: {counts}")

        driver.save_screenshot(os.path.join(args.screenshots, "status-targets.png"))
        check_console_and_csp(driver)
        _, _, headers = fetch(base + "/")
        check("script-src 'self'" in headers.get("content-security-policy", ""), "the page carries the strict CSP")
    finally:
        driver.quit()
    finish()


if __name__ == "__main__":
    main()
