import socket, sys, time, threading
port = int(sys.argv[1]); n = int(sys.argv[2]); dur = float(sys.argv[3])
A = ('127.0.0.1', port)
socks = []
def opener():
    t0 = time.time()
    while time.time() - t0 < dur:
        alive = []
        for s in socks:
            try:
                s.setblocking(False)
                d = s.recv(4096)
                if d == b'' or d: s.close(); continue
            except BlockingIOError: alive.append(s); continue
            except Exception: s.close(); continue
        socks[:] = alive
        while len(socks) < n:
            try:
                s = socket.create_connection(A, timeout=1); s.sendall(b'GET /metrics HTTP/1.1\r\nHost: x\r\n'); socks.append(s)
            except Exception: break
        time.sleep(0.2)
th = threading.Thread(target=opener, daemon=True); th.start()
time.sleep(2)
ok = bad = 0; codes = {}
t0 = time.time()
while time.time() - t0 < dur - 3:
    try:
        s = socket.create_connection(A, timeout=3); s.sendall(b'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        d = s.recv(64); c = d.split(b' ')[1].decode() if d else 'EOF'
    except Exception as e: c = type(e).__name__
    codes[c] = codes.get(c, 0) + 1
    time.sleep(1)
print('scrapes during slowloris with', n, 'partial-request conns:', codes)
