"""Ground truth for the exporter's numbers, read straight from Redis with redis-py in ONE
MULTI/EXEC transaction (a consistent snapshot), printed as JSON. Independent of the code under test.

usage: truth.py PORT PREFIX VISIBILITY_TIMEOUT QUEUE [QUEUE ...]

Output:
  {"time": <Redis TIME, epoch seconds>,
   "queues": {q: {"length": n,                  # sum of LLEN over q and q\x06\x16<1..9>
                  "lists": {"<key repr>": n},   # non-empty priority lists only
                  "unacked": n,                  # unacked_index members whose unacked value routes to q
                  "oldest_score": s | null,      # smallest unacked_index score among them
                  "stranded": n}},               # those with score < time - VISIBILITY_TIMEOUT
   "zcard": n, "hlen": n,
   "unclassified": n,   # indexed tags with no hash entry, undecodable, or routed to an unlisted queue
   "entries": [{"tag", "score", "queue", "routing_key", "exchange", "id", "task", "eta", "eta_epoch", "redelivered"}]}
  (eta_epoch: headers.eta as epoch seconds, or null)

An unacked value is [message, exchange, routing_key]. Its queue is what kombu's restore would pick:
the queue(s) bound in _kombu.binding.<exchange> under that routing key (direct exchange), or the
routing key itself for the default exchange ''. Usually routing key == queue name, but not when a
queue is declared with its own routing key (Queue('videos', Exchange('media'), routing_key='media.video')).
"""
import json
import sys
from datetime import datetime

import redis

SEP = '\x06\x16'
port, prefix, vt = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
queues = sys.argv[4:]

r = redis.Redis(host='127.0.0.1', port=port)
pipe = r.pipeline(transaction=True)
pipe.time()
for q in queues:
    for step in range(10):
        pipe.llen(prefix + q + (SEP + str(step) if step else ''))
pipe.zrange(prefix + 'unacked_index', 0, -1, withscores=True)
pipe.hgetall(prefix + 'unacked')
pipe.zcard(prefix + 'unacked_index')
pipe.hlen(prefix + 'unacked')
replies = pipe.execute()

secs, micros = replies[0]
now = secs + micros / 1e6
out = {'time': now, 'queues': {}, 'entries': []}
i = 1
for q in queues:
    lists = {}
    total = 0
    for step in range(10):
        n = replies[i]
        i += 1
        total += n
        if n:
            lists[q + (f'\\x06\\x16{step}' if step else '')] = n
    out['queues'][q] = {'length': total, 'lists': lists, 'unacked': 0, 'oldest_score': None, 'stranded': 0}
index, hashed, zcard, hlen = replies[i:i + 4]

_bindings = {}


def queue_for(exchange, routing_key):
    """Queue a message of (exchange, routing_key) was delivered from, via the binding table."""
    if not exchange:
        return routing_key
    if exchange not in _bindings:
        table = {}
        for member in r.smembers(f'{prefix}_kombu.binding.{exchange}'):
            rk, _pattern, q = member.decode().split(SEP, 2)
            table.setdefault(rk, []).append(q)
        _bindings[exchange] = table
    found = _bindings[exchange].get(routing_key, [])
    return found[0] if len(found) == 1 else routing_key

out['zcard'], out['hlen'] = zcard, hlen
unclassified = 0
for tag, score in index:
    raw = hashed.get(tag)
    entry = {'tag': tag.decode(), 'score': score, 'queue': None, 'routing_key': None, 'exchange': None,
             'id': None, 'task': None, 'eta': None, 'eta_epoch': None, 'redelivered': None}
    try:
        message, exchange, routing_key = json.loads(raw)
        headers = message.get('headers', {})
        entry.update(queue=queue_for(exchange, routing_key), routing_key=routing_key, exchange=exchange, id=headers.get('id'), task=headers.get('task'), eta=headers.get('eta'),
                     redelivered=bool(headers.get('redelivered') or
                                      message.get('properties', {}).get('delivery_info', {}).get('redelivered')))
        if entry['eta']:
            entry['eta_epoch'] = datetime.fromisoformat(entry['eta']).timestamp()
    except Exception:  # missing (None) or undecodable value
        pass
    out['entries'].append(entry)
    stats = out['queues'].get(entry['queue'])
    if stats is None:
        unclassified += 1
        continue
    stats['unacked'] += 1
    if stats['oldest_score'] is None or score < stats['oldest_score']:
        stats['oldest_score'] = score
    if score < now - vt:
        stats['stranded'] += 1
out['unclassified'] = unclassified
print(json.dumps(out))
