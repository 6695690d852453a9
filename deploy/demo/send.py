"""Publishes demo tasks and waits for them to start; prints one JSON object per task.

    python send.py slow COUNT SECONDS     publish COUNT celery_demo.slow(SECONDS) tasks, wait until each
                                         is STARTED, print {"id", "pid", "hostname"} (what to SIGKILL)

Used by scripts/e2e-prometheus.sh to kill a worker mid-task; also handy to break a demo on purpose.
"""
import json
import sys
import time

from celery_demo import app, slow


def main(argv):
    if len(argv) != 4 or argv[1] != "slow":
        print(__doc__, file=sys.stderr)
        return 2
    count, seconds = int(argv[2]), float(argv[3])
    results = [slow.delay(seconds) for _ in range(count)]
    deadline = time.time() + 30
    pending = list(results)
    started = []
    while pending and time.time() < deadline:
        for r in list(pending):
            if r.state == "STARTED":
                info = r.info or {}
                started.append({"id": r.id, "pid": info.get("pid"), "hostname": info.get("hostname")})
                pending.remove(r)
        time.sleep(0.2)
    for s in started:
        print(json.dumps(s), flush=True)
    if pending:
        print(f"send.py: {len(pending)} of {count} tasks did not start within 30 s", file=sys.stderr)
        return 1
    app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
