"""Result-backend census truth: every PREFIX celery-task-meta-* key, counted by status, read with
SCAN + one MULTI/EXEC of GET/PTTL, printed as JSON.

usage: metas.py PORT[/DB] PREFIX RESULT_EXPIRES

Output:
  {"time": <Redis TIME, epoch seconds, taken in the MULTI>,
   "keys": n,
   "by_status": {"SUCCESS": n, ...},
   "worker_lost": n,                     # FAILURE metas whose exc_type is WorkerLostError
   "started_by_host": {"w1@host": n},    # STARTED metas by result.hostname
   "started_oldest_age": s | null}       # max over STARTED of RESULT_EXPIRES - PTTL/1000
"""
import json
import sys

import redis

port, _, db = sys.argv[1].partition('/')
prefix, expires = sys.argv[2], float(sys.argv[3])
r = redis.Redis(host='127.0.0.1', port=int(port), db=int(db or 0))
keys = list(r.scan_iter(match=f'{prefix}celery-task-meta-*', count=1000))
pipe = r.pipeline(transaction=True)
pipe.time()
for k in keys:
    pipe.get(k)
    pipe.pttl(k)
replies = pipe.execute()
secs, micros = replies[0]
out = {'time': secs + micros / 1e6, 'keys': 0, 'by_status': {}, 'worker_lost': 0, 'started_by_host': {},
       'started_oldest_age': None}
for n in range(len(keys)):
    raw, pttl = replies[1 + 2 * n], replies[2 + 2 * n]
    if raw is None:  # expired or forgotten between SCAN and MULTI
        continue
    out['keys'] += 1
    meta = json.loads(raw)
    status = meta.get('status')
    out['by_status'][status] = out['by_status'].get(status, 0) + 1
    result = meta.get('result')
    if status == 'FAILURE' and isinstance(result, dict) and result.get('exc_type') == 'WorkerLostError':
        out['worker_lost'] += 1
    if status == 'STARTED':
        host = result.get('hostname') if isinstance(result, dict) else None
        out['started_by_host'][host] = out['started_by_host'].get(host, 0) + 1
        if pttl is not None and pttl >= 0:
            age = expires - pttl / 1000
            if out['started_oldest_age'] is None or age > out['started_oldest_age']:
                out['started_oldest_age'] = age
print(json.dumps(out))
