import socket, sys, json, base64, time
port = int(sys.argv[1])
s = socket.create_connection(('127.0.0.1', port))
def cmd(*args):
    out = b'*%d\r\n' % len(args)
    for a in args:
        if isinstance(a, str): a = a.encode()
        out += b'$%d\r\n%s\r\n' % (len(a), a)
    return out
def envelope(body):
    return json.dumps({"body": base64.b64encode(body).decode(), "content-encoding": "utf-8", "content-type": "application/json",
      "headers": {}, "properties": {"delivery_info": {"exchange": "celeryev", "routing_key": "worker.heartbeat"}, "body_encoding": "base64", "delivery_tag": "x"}}).encode()
now = time.time()
cases = {'f-str': ('"2"', now), 'f-1e308': ('1e308', now), 'f-neg': ('-5', now), 'f-nan': ('NaN', now), 'f-inf': ('Infinity', now),
 'f-null': ('null', now), 'f-zero': ('0', now), 'f-tiny': ('1e-308', now),
 't-1e308': ('2', '1e308'), 't-neg1e308': ('2', '-1e308'), 't-nan': ('2', 'NaN'), 't-str': ('2', '"now"'), 't-big': ('2', '99999999999999999999999'),
 't-future1h': ('2', repr(now + 3600)), 't-past1d': ('2', repr(now - 86400)), 't-missing': ('2', None)}
for name, (f, t) in cases.items():
    ts = '' if t is None else ', "timestamp": %s' % t
    body = ('{"hostname": "%s@x", "freq": %s%s, "type": "worker-heartbeat", "active": 1, "processed": 1}' % (name, f, ts)).encode()
    s.sendall(cmd('PUBLISH', '/0.celeryev/worker.heartbeat', envelope(body)))
time.sleep(0.5)
