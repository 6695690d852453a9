#!/usr/bin/env python3
"""Raw RESP publisher for forged Celery events. usage: hb.py PORT MODE"""
import socket, sys, json, base64, time
port = int(sys.argv[1]); mode = sys.argv[2]
s = socket.create_connection(('127.0.0.1', port))
def cmd(*args):
    out = b'*%d\r\n' % len(args)
    for a in args:
        if isinstance(a, str): a = a.encode('utf-8', 'surrogateescape')
        out += b'$%d\r\n%s\r\n' % (len(a), a)
    return out
def drain():
    s.setblocking(False)
    try:
        while s.recv(1 << 20): pass
    except BlockingIOError: pass
    s.setblocking(True)
def envelope(body_bytes, rk='worker.heartbeat'):
    return json.dumps({"body": base64.b64encode(body_bytes).decode(), "content-encoding": "utf-8",
      "content-type": "application/json", "headers": {"hostname": "w1@vm"},
      "properties": {"delivery_mode": 1, "delivery_info": {"exchange": "celeryev", "routing_key": rk},
      "priority": 0, "body_encoding": "base64", "delivery_tag": "3f0e6b8a"}}).encode()
def hb(host, freq=2.0, ts=None, typ='worker-heartbeat', extra=None):
    d = {"hostname": host, "utcoffset": 0.0, "pid": 1, "clock": 6, "freq": freq, "active": 0, "processed": 1,
         "loadavg": [0.1, 0.2, 0.3], "sw_ident": "py-celery", "sw_ver": "5.7.0", "sw_sys": "Linux",
         "timestamp": time.time() if ts is None else ts, "type": typ}
    if extra: d.update(extra)
    return json.dumps(d, allow_nan=True).encode()
CH = '/0.celeryev/worker.heartbeat'
def pub(ch, payload): s.sendall(cmd('PUBLISH', ch, payload))
if mode == 'names':
    for h in ['evil"host\n@x', 'back\\slash@x', 'nl\nline{a="b"} 1\n@x', 'ok@vm', 'utf\udcff\udcfe@x', 'x' * 5000 + '@long']:
        pub(CH, envelope(hb(h).decode('utf-8', 'surrogateescape').encode('utf-8', 'surrogateescape') if False else json.dumps({"hostname": h, "freq": 2.0, "timestamp": time.time(), "type": "worker-heartbeat", "active": 0, "processed": 1}, ensure_ascii=False).encode('utf-8', 'surrogateescape')))
elif mode == 'badtypes':
    for f in ['"2"', '1e308', '-5', 'NaN', 'Infinity', '-Infinity', 'null', '[]', '{}', '1e-308', '0']:
        body = ('{"hostname": "bt%s@x", "freq": %s, "timestamp": %s, "type": "worker-heartbeat", "active": "x", "processed": -1}' % (abs(hash(f)) % 1000, f, f)).encode()
        pub(CH, envelope(body))
    for ts in ['1e308', '-1e308', 'NaN', '"now"', '99999999999999999999999']:
        body = ('{"hostname": "ts%s@x", "freq": 2, "timestamp": %s, "type": "worker-heartbeat"}' % (abs(hash(ts)) % 1000, ts)).encode()
        pub(CH, envelope(body))
    # offline / online with bad types
    pub('/0.celeryev/worker.offline', envelope(b'{"hostname": 5, "type": "worker-offline"}', 'worker.offline'))
    pub(CH, b'not json at all \xff\xfe')
    pub(CH, b'{"body": 5}')
    pub(CH, b'{"body": "!!!notbase64", "properties": {"body_encoding": "base64"}}')
    pub('celery-task-meta-abc', b'{"status": 5}')
    pub('celery-task-meta-def', b'{"status": "STARTED", "result": {"pid": "x", "hostname": ["a"]}}')
    pub('celery-task-meta-' + 'q' * 100000, b'{"status": "SUCCESS", "result": 1, "date_done": "garbage"}')
    pub('celery-task-meta-\xff\xfe\n"', b'{"status": "STARTED", "result": {"pid": 1, "hostname": "h\\n\\"x"}}')
elif mode == 'deep':
    n = int(sys.argv[3])
    pub(CH, envelope(b'[' * n + b']' * n))
    pub(CH, b'[' * n + b']' * n)
    pub(CH, b'{"a":' * n + b'1' + b'}' * n)
    pub('celery-task-meta-deep', b'{"status": "SUCCESS", "result": ' + b'[' * n + b']' * n + b'}')
    pub('celery-task-meta-deep2', b'[' * n)
elif mode == 'huge':
    n = int(sys.argv[3]) << 20
    pub(CH, envelope(hb('huge@x', extra={"pad": 'p' * n})))
    pub('celery-task-meta-huge', b'{"status": "SUCCESS", "result": "' + b'r' * n + b'", "date_done": "2026-12-05T07:00:00+00:00"}')
    pub(CH, b'{' * n)
    pub(CH, hb('after-huge@x'))
    pub(CH, envelope(hb('after-huge@x')))
elif mode == 'flood':
    secs = float(sys.argv[3]); rate = int(sys.argv[4])
    t0 = time.time(); i = 0
    batch = []
    while time.time() - t0 < secs:
        buf = b''.join(cmd('PUBLISH', CH, envelope(hb('flood%d@x' % (i + k)))) if (i + k) % 2 else cmd('PUBLISH', 'celery-task-meta-f%d' % (i + k), b'{"status": "SUCCESS", "result": 1, "date_done": "2026-12-05T07:00:00+00:00", "task_id": "f"}') for k in range(1000))
        s.sendall(buf); i += 1000
        drain()
        target = t0 + i / rate
        if target > time.time(): time.sleep(target - time.time())
    print('sent', i, 'in', round(time.time() - t0, 1), 's')
elif mode == 'one':
    pub(CH, envelope(hb(sys.argv[3])))
time.sleep(0.5); drain()
