"""The Celery app the real-Celery integration tests run (workers, beat and the publisher).

Every setting is switched by an environment variable, so one module serves every scenario; the
Swift harness (CeleryConfig.environment) sets them. Task names are 'app.<function>'.

  CIT_URL                 broker + result backend URL (required, e.g. redis://127.0.0.1:PORT/0)
  CIT_BACKEND_URL         result backend URL when it is not the broker's (e.g. redis://127.0.0.1:PORT/1)
  CIT_BACKEND_MASTER=name result_backend_transport_options master_name (a sentinel:// CIT_BACKEND_URL)
  CIT_PREFIX=str          broker and result backend global_keyprefix (e.g. 'prod:')
  CIT_VT=seconds          broker visibility_timeout, with kombu 5.7's restore sweep every ~1 s
                          (unacked_restore_interval / unacked_restore_throttle)
  CIT_PRIORITY_STEPS=all  priority_steps=list(range(10)) + queue_order_strategy='priority'
                          (default: kombu's steps 0, 3, 6, 9)
  CIT_ACKS_LATE=1         task_acks_late=True
  CIT_TRACK_STARTED=1     task_track_started=True
  CIT_REJECT_ON_LOST=1    task_reject_on_worker_lost=True
  CIT_EXTENDED=1          result_extended=True
  CIT_RESULT_EXPIRES=n    result_expires=n seconds
  CIT_PREFETCH=n          worker_prefetch_multiplier (default 4; the worker's --prefetch-multiplier wins)
  CIT_SENT_AT=1           before_task_publish hook adds a 'sent_at' header (epoch seconds)
  CIT_BEAT_EVERY=seconds  beat schedule: app.add(1, 2) every n seconds (for `celery beat`)
  CIT_BEAT_QUEUE=name     queue the beat entry publishes to (default 'celery')
  CIT_BEAT_FILE=path      beat's schedule file (PersistentScheduler; default in the cwd)
  CIT_MEDIA_QUEUE=1       task_queues: 'celery' plus 'videos' bound to direct exchange 'media' with
                          routing key 'media.video' (the Celery routing docs' example: queue name and
                          routing key differ)
  CIT_EVENTS=1            worker_send_task_events=True (as -E) and task_send_sent_event=True (task-sent
                          events from the producer)
  CIT_FLAKY_RETRIES=n     max_retries of app.flaky (default 2); CIT_FLAKY_DELAY=s its retry delay (default 1)
"""
import os
import time

from celery import Celery
from kombu import Exchange, Queue
from celery.exceptions import Reject
from celery.signals import before_task_publish

URL = os.environ['CIT_URL']
PREFIX = os.environ.get('CIT_PREFIX', '')

app = Celery('app', broker=URL, backend=os.environ.get('CIT_BACKEND_URL') or URL)

transport = {}
if os.environ.get('CIT_VT'):
    transport['visibility_timeout'] = float(os.environ['CIT_VT'])
    # kombu >= 5.7: sweep unacked for entries older than the visibility timeout every ~1 s
    # instead of every ~100 s, so restore scenarios fit in a short test.
    transport['unacked_restore_interval'] = 1
    transport['unacked_restore_throttle'] = 1
if PREFIX:
    transport['global_keyprefix'] = PREFIX
if os.environ.get('CIT_PRIORITY_STEPS') == 'all':
    transport['queue_order_strategy'] = 'priority'
    transport['priority_steps'] = list(range(10))

backend_transport = {'global_keyprefix': PREFIX} if PREFIX else {}
if os.environ.get('CIT_BACKEND_MASTER'):
    backend_transport['master_name'] = os.environ['CIT_BACKEND_MASTER']

app.conf.update(
    broker_transport_options=transport,
    result_backend_transport_options=backend_transport,
    task_track_started=bool(os.environ.get('CIT_TRACK_STARTED')),
    task_acks_late=bool(os.environ.get('CIT_ACKS_LATE')),
    task_reject_on_worker_lost=bool(os.environ.get('CIT_REJECT_ON_LOST')),
    result_extended=bool(os.environ.get('CIT_EXTENDED')),
    worker_prefetch_multiplier=int(os.environ.get('CIT_PREFETCH', '4')),
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=True,
    worker_send_task_events=bool(os.environ.get('CIT_EVENTS')),
    task_send_sent_event=bool(os.environ.get('CIT_EVENTS')),
    beat_schedule_filename=os.environ.get('CIT_BEAT_FILE', 'celerybeat-schedule'),
)
if os.environ.get('CIT_MEDIA_QUEUE'):
    app.conf.task_queues = (
        Queue('celery', Exchange('celery'), routing_key='celery'),
        Queue('videos', Exchange('media', type='direct'), routing_key='media.video'),
    )
if os.environ.get('CIT_RESULT_EXPIRES'):
    app.conf.result_expires = int(os.environ['CIT_RESULT_EXPIRES'])
if os.environ.get('CIT_BEAT_EVERY'):
    app.conf.beat_schedule = {
        'add-every-n': {'task': 'app.add', 'schedule': float(os.environ['CIT_BEAT_EVERY']),
                        'args': (1, 2), 'options': {'queue': os.environ.get('CIT_BEAT_QUEUE', 'celery')}},
    }

if os.environ.get('CIT_SENT_AT'):
    @before_task_publish.connect
    def _stamp_sent_at(headers=None, **kwargs):
        # Protocol 2: 'headers' is the message's header dict and is sent as-is.
        headers['sent_at'] = time.time()


@app.task(name='app.add')
def add(x, y):
    return x + y


@app.task(name='app.slow')
def slow(seconds, tag='', pad=''):
    # pad: a large argument (issue 9: messages of hundreds of KB are ordinary); unused.
    time.sleep(float(seconds))
    return f'slept {seconds} {tag}'


@app.task(name='app.boom')
def boom():
    raise ValueError('boom!')


@app.task(name='app.flaky', bind=True, max_retries=int(os.environ.get('CIT_FLAKY_RETRIES', '2')),
          default_retry_delay=float(os.environ.get('CIT_FLAKY_DELAY', '1')))
def flaky(self):
    raise self.retry(exc=RuntimeError('try again'))


@app.task(name='app.quiet', ignore_result=True)
def quiet():
    return 'nobody stores me'


@app.task(name='app.quiet_boom', ignore_result=True)
def quiet_boom():
    # A fire-and-forget task that fails: no result is written; only task events report it.
    raise KeyError('k')


@app.task(name='app.reject')
def reject():
    # task-rejected: the worker drops the message (requeue=False).
    raise Reject('no thanks', requeue=False)
