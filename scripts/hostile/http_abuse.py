import socket, sys, time, threading
port = int(sys.argv[1]); mode = sys.argv[2]
A = ('127.0.0.1', port)
def scrape(timeout=5):
    t = time.time()
    try:
        s = socket.create_connection(A, timeout=timeout)
        s.sendall(b'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        d = b''
        while True:
            c = s.recv(65536)
            if not c: break
            d += c
        return d.split(b'\r\n', 1)[0].decode(), round(time.time() - t, 2), len(d)
    except Exception as e:
        return 'ERR ' + str(e), round(time.time() - t, 2), 0
if mode == 'conns':
    n = int(sys.argv[3]); socks = []
    for i in range(n):
        try: socks.append(socket.create_connection(A, timeout=2))
        except Exception as e: print('connect failed at', i, e); break
    print('opened', len(socks)); print('scrape while', n, 'idle:', scrape())
    # half of them send a partial request
    for s in socks[: len(socks)//2]:
        try: s.sendall(b'GET /metrics HTTP/1.1\r\nHost: x\r\n')
        except Exception: pass
    print('scrape with half partial:', scrape())
    time.sleep(11)
    print('scrape after 11s:', scrape())
elif mode == 'slowreaders':
    n = int(sys.argv[3]); socks = []
    for i in range(n):
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096); s.connect(A)
        s.sendall(b'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n' * 50)
        socks.append(s)
    time.sleep(3)
    print('scrape with', n, 'slow readers x50 pipelined:', scrape())
    time.sleep(5); print('again:', scrape())
elif mode == 'pipeline':
    n = int(sys.argv[3]); s = socket.create_connection(A, timeout=30)
    t = time.time()
    s.sendall(b'GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n' * n)
    got = 0; d = b''
    while got < n:
        c = s.recv(1 << 20)
        if not c: break
        d += c; got = d.count(b'HTTP/1.1 200')
    print('pipelined', n, 'got', got, 'in', round(time.time() - t, 2), 's')
elif mode == 'smuggle':
    cases = {
     'cl+te': b'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /-/reload HTTP/1.1\r\nHost: x\r\n\r\n',
     'dup-cl': b'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd',
     'cl-neg': b'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
     'cl-plus': b'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: +4\r\n\r\nabcd',
     'cl-huge': b'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n',
     'cl-comma': b'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 4, 4\r\n\r\nabcd',
     'te-obf': b'POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n',
     'te-xchunked': b'POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n',
     'lf-only': b'GET /metrics HTTP/1.1\nHost: x\n\n',
     'obs-fold': b'GET /metrics HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n',
     'space-before-colon': b'GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n',
     'nul-in-path': b'GET /met\x00rics HTTP/1.1\r\nHost: x\r\n\r\n',
     'abs-uri': b'GET http://evil/metrics HTTP/1.1\r\nHost: x\r\n\r\n',
     'two-hosts': b'GET /metrics HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n',
     'http09': b'GET /metrics\r\n\r\n',
     'http2-preface': b'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
     'huge-header': b'GET /metrics HTTP/1.1\r\nHost: x\r\nX: ' + b'a' * 100000 + b'\r\n\r\n',
     'many-headers': b'GET /metrics HTTP/1.1\r\nHost: x\r\n' + b'X: a\r\n' * 5000 + b'\r\n',
     'http10-ka': b'GET /-/healthy HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /-/healthy HTTP/1.0\r\n\r\n',
     'ae-weird': b'GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip;q=0, *;q=1, identity;q=0\r\n\r\n',
     'ae-junk': b'GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: ' + b'gzip;q=0.5,' * 2000 + b'\r\n\r\n',
     'ae-qnan': b'GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip;q=NaN, identity;q=1e999\r\n\r\n',
     'accept-om-weird': b'GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/openmetrics-text;version=9.9.9;q=1\r\n\r\n',
     'expect-100': b'POST /-/reload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n',
     'reload-post': b'POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
     'method-long': b'X' * 20000 + b' / HTTP/1.1\r\nHost: x\r\n\r\n',
     'crlf-resp-split': b'GET /metrics%0d%0aSet-Cookie:x HTTP/1.1\r\nHost: x\r\n\r\n',
     'path-traversal': b'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
    }
    for name, req in cases.items():
        try:
            s = socket.create_connection(A, timeout=4); s.sendall(req)
            try: s.shutdown(socket.SHUT_WR)
            except Exception: pass
            d = b''; t = time.time()
            while True:
                c = s.recv(65536)
                if not c: break
                d += c
            lines = [l for l in d.split(b'\r\n') if l.startswith(b'HTTP/')]
            print('%-20s %s bytes=%d %.1fs' % (name, [l.decode('latin1') for l in lines][:3], len(d), time.time() - t))
        except Exception as e: print('%-20s EXC %s' % (name, e))
