"""Result-backend truth: the celery-task-meta-<id> value of each task id on argv[3:], as JSON
{id: meta-or-null}. usage: results.py PORT[/DB] PREFIX ID [ID ...]"""
import json
import sys

import redis

port, _, db = sys.argv[1].partition('/')
prefix, ids = sys.argv[2], sys.argv[3:]
r = redis.Redis(host='127.0.0.1', port=int(port), db=int(db or 0))
values = r.mget([f'{prefix}celery-task-meta-{i}' for i in ids]) if ids else []
print(json.dumps({i: (json.loads(v) if v else None) for i, v in zip(ids, values)}))
