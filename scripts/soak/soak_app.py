"""The Celery app the chaos soak (scripts/soak.sh) runs: ordinary tasks with ordinary sizes.

Large arguments and results are normal Celery; the soak sends both so the exporter's byte budgets
are exercised by a real worker, not only by keys the soak writes itself.

  SOAK_URL   broker and result backend URL (required)
"""
import os

from celery import Celery

app = Celery('soak', broker=os.environ['SOAK_URL'], backend=os.environ['SOAK_URL'])
app.conf.update(
    task_track_started=True,
    worker_prefetch_multiplier=4,
    broker_connection_retry_on_startup=True,
    # Redis restarts are part of the soak: keep retrying instead of giving up.
    broker_connection_max_retries=None,
    result_expires=600,
    worker_send_task_events=False,
)


@app.task(name='soak.add')
def add(x, y):
    return x + y


@app.task(name='soak.big_args')
def big_args(blob):
    return len(blob)


@app.task(name='soak.big_result')
def big_result(size):
    return 'r' * int(size)


@app.task(name='soak.boom')
def boom():
    raise ValueError('soak boom')


@app.task(name='soak.alarm')
def alarm():
    """Never consumed: it is sent to the queue 'soak-alarm', which no worker listens to."""
    return None
