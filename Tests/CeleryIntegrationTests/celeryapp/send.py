"""Publish tasks from a separate process; print their ids as one JSON list on the last line.

argv[1] is a JSON list; each item is either
  {"task": "app.slow", "args": [..], "kwargs": {..}, "opts": {..}, "pad": N}   (opts go to send_task:
      queue, priority, countdown, eta, expires, ...; pad adds kwargs['pad'] = N × 'x', a large
      argument built here because argv cannot carry it)
or {"sleep": seconds}.
The Celery configuration comes from the CIT_* environment variables (see app.py).
"""
import json
import sys
import time

from app import app

ids = []
with app.producer_or_acquire() as producer:
    for item in json.loads(sys.argv[1]):
        if 'sleep' in item:
            time.sleep(item['sleep'])
            continue
        kwargs = dict(item.get('kwargs', {}))
        if item.get('pad'):
            kwargs['pad'] = 'x' * int(item['pad'])
        res = app.send_task(item['task'], args=item.get('args', []), kwargs=kwargs,
                            producer=producer, **item.get('opts', {}))
        ids.append(res.id)
print(json.dumps(ids))
