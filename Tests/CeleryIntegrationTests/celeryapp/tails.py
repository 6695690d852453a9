"""Waiting-age truth: the next-in-line message (LINDEX <list> -1) of every priority list of each
queue, with the publish time the message itself carries, read in ONE MULTI/EXEC and printed as JSON.

usage: tails.py PORT PREFIX QUEUE [QUEUE ...]

Output:
  {"time": <Redis TIME, epoch seconds>,
   "queues": {q: [{"list": "<key repr>", "tag": delivery_tag, "id": task id,
                   "sent_at": s | null,       # headers.sent_at (before_task_publish hook)
                   "published": s | null,     # sent_at, else headers.expires - properties.expiration/1000
                   "eta": s | null,           # headers.eta as epoch seconds
                   "redelivered": bool}]}}    # only non-empty lists
"""
import json
import sys
from datetime import datetime

import redis

SEP = '\x06\x16'
port, prefix, queues = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
r = redis.Redis(host='127.0.0.1', port=port)
pipe = r.pipeline(transaction=True)
pipe.time()
for q in queues:
    for step in range(10):
        pipe.lindex(prefix + q + (SEP + str(step) if step else ''), -1)
replies = pipe.execute()
secs, micros = replies[0]
out = {'time': secs + micros / 1e6, 'queues': {}}


def epoch(iso):
    return datetime.fromisoformat(iso).timestamp() if iso else None


i = 1
for q in queues:
    tails = []
    for step in range(10):
        raw = replies[i]
        i += 1
        if raw is None:
            continue
        message = json.loads(raw)
        headers = message.get('headers', {})
        props = message.get('properties', {})
        sent_at = headers.get('sent_at')
        published = sent_at
        if published is None and headers.get('expires') and props.get('expiration'):
            published = epoch(headers['expires']) - float(props['expiration']) / 1000
        tails.append({'list': q + (f'\\x06\\x16{step}' if step else ''), 'tag': props.get('delivery_tag'),
                      'id': headers.get('id'), 'sent_at': sent_at, 'published': published,
                      'eta': epoch(headers.get('eta')),
                      'redelivered': bool(headers.get('redelivered') or
                                          props.get('delivery_info', {}).get('redelivered'))})
    out['queues'][q] = tails
print(json.dumps(out))
