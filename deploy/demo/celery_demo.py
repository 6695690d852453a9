"""A tiny Celery app that keeps celery-redis-exporter's dashboards busy.

Run by deploy/docker-compose.yml and by scripts/e2e-prometheus.sh (the CI proof), the same way:

    celery -A celery_demo worker -Q celery,slow -c 2 --hostname=demo-worker@%h
    celery -A celery_demo beat --schedule=/tmp/celerybeat-schedule

Beat publishes a steady mix: a quick task, a slow task on its own queue, a failing task and a
task that retries. Settings come from the environment:

  DEMO_BROKER_URL            broker and result backend (default redis://localhost:6379/0)
  DEMO_VISIBILITY_TIMEOUT    kombu visibility_timeout in seconds (default 3600, kombu's own);
                             give the exporter the same value as --celery.visibility-timeout
  DEMO_BEAT_PERIOD           seconds between beat rounds (default 2)
  DEMO_SLOW_SECONDS          how long celery_demo.slow sleeps (default 5)

acks_late and track_started are on, so a worker killed mid-task leaves what the exporter reports
as stranded (unacked past the visibility timeout) and orphaned (STARTED by a dead worker) tasks.
"""
import os
import random
import time

from celery import Celery

BROKER_URL = os.environ.get("DEMO_BROKER_URL", "redis://localhost:6379/0")
VISIBILITY_TIMEOUT = int(os.environ.get("DEMO_VISIBILITY_TIMEOUT", "3600"))
BEAT_PERIOD = float(os.environ.get("DEMO_BEAT_PERIOD", "2"))
SLOW_SECONDS = float(os.environ.get("DEMO_SLOW_SECONDS", "5"))

app = Celery("celery_demo", broker=BROKER_URL, backend=BROKER_URL)

transport_options = {"visibility_timeout": VISIBILITY_TIMEOUT}
if VISIBILITY_TIMEOUT < 60:
    # kombu >= 5.7: sweep for expired unacked entries every second instead of every ~100 s, so a
    # short visibility timeout behaves as configured (used by the CI proof).
    transport_options.update(unacked_restore_interval=1, unacked_restore_throttle=1)

app.conf.update(
    broker_transport_options=transport_options,
    result_backend_transport_options={},
    broker_connection_retry_on_startup=True,
    task_acks_late=True,
    task_track_started=True,
    # Task events (-E) and task-sent events: the exporter counts every task from both sources
    # (each once), and measures queue wait from task-sent to task-started.
    worker_send_task_events=True,
    task_send_sent_event=True,
    worker_prefetch_multiplier=1,
    result_expires=3600,
    task_routes={"celery_demo.slow": {"queue": "slow"}},
    beat_schedule={
        "quick": {"task": "celery_demo.add", "schedule": BEAT_PERIOD, "args": (2, 3)},
        "slow": {"task": "celery_demo.slow", "schedule": BEAT_PERIOD * 3, "args": (SLOW_SECONDS,)},
        "failing": {"task": "celery_demo.boom", "schedule": BEAT_PERIOD * 2},
        "flaky": {"task": "celery_demo.flaky", "schedule": BEAT_PERIOD * 5},
    },
)


@app.task
def add(x, y):
    """Quick: a few milliseconds of jitter so the runtime histogram has a shape."""
    time.sleep(random.uniform(0.0, 0.05))
    return x + y


@app.task
def slow(seconds):
    """Slow: sleeps on the 'slow' queue; the proof kills workers while these run."""
    time.sleep(float(seconds))
    return seconds


@app.task
def boom():
    """Always fails, so FAILURE results show up."""
    raise ValueError("boom: this demo task always fails")


@app.task(bind=True, max_retries=1, default_retry_delay=1)
def flaky(self):
    """Fails once, then succeeds on the retry, so RETRY results show up."""
    if self.request.retries == 0:
        raise self.retry(exc=RuntimeError("flaky: first attempt fails"))
    return "ok on retry"
