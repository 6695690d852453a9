import socket, sys, time
port = int(sys.argv[1]); n = int(sys.argv[2]); A = ('127.0.0.1', port)
socks = []
for i in range(n):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096); s.connect(A)
    s.sendall(b'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n' * 50); socks.append(s)
time.sleep(2)
for trial in range(4):
    t = time.time()
    try:
        s = socket.create_connection(A, timeout=20); s.sendall(b'GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        d = s.recv(100); print(n, 'healthy ->', d.split(b'\r\n')[0], round(time.time() - t, 2), 's')
    except Exception as e: print(n, 'healthy ->', e, round(time.time() - t, 2))
    time.sleep(3)
