#!/usr/bin/env python3
"""Hostile RESP server: answers every command with MODE's reply (loopback only)."""
import socket, sys, threading, time
port = int(sys.argv[1]); mode = sys.argv[2]
def reply(conn):
    if mode == 'bigarray': conn.sendall(b'*2147483647\r\n'); time.sleep(30)
    elif mode == 'bigbulk': conn.sendall(b'$9223372036854775807\r\n'); time.sleep(30)
    elif mode == 'overflow': conn.sendall(b'*99999999999999999999999\r\n'); time.sleep(30)
    elif mode == 'negbulk': conn.sendall(b'$-5\r\n')
    elif mode == 'negarray': conn.sendall(b'*-7\r\n')
    elif mode == 'deep':
        chunk = b'*1\r\n' * 100000
        for _ in range(10): conn.sendall(chunk)
        conn.sendall(b':1\r\n')
    elif mode == 'endless':
        blob = b'x' * 65536
        t = time.time()
        while time.time() - t < 20: conn.sendall(blob)
    elif mode == 'endlessbulk':
        conn.sendall(b'$1000000\r\n')
        blob = b'x' * 65536
        t = time.time()
        while time.time() - t < 20: conn.sendall(blob)
    elif mode == 'midhang': conn.sendall(b'*3\r\n$3\r\nfoo\r\n$10\r\nab'); time.sleep(60)
    elif mode == 'simple100m':
        blob = b'+' + b'y' * (1 << 20)
        conn.sendall(blob)
        for _ in range(99): conn.sendall(b'y' * (1 << 20))
        time.sleep(30)
    elif mode == 'resp3':
        conn.sendall(b'%1\r\n+a\r\n~2\r\n,1.5\r\n#t\r\n')
    elif mode == 'resp3push':
        conn.sendall(b'>3\r\n+message\r\n+x\r\n+y\r\n')
    elif mode == 'trickle':  # one byte per 0.5 s of a valid +PONG: never finishes within deadline
        for b in b'+PONGPONGPONGPONGPONG\r\n':
            conn.sendall(bytes([b])); time.sleep(0.5)
    elif mode == 'garbage': conn.sendall(b'\x00\xff\xfe garbage \r\n')
    elif mode == 'bigerr': conn.sendall(b'-' + b'E' * (50 << 20) + b'\r\n')
    elif mode == 'errinject': conn.sendall(b'-ERR x\nts=2026 level=error msg=FORGED\x1b[31m\r\n')
    elif mode == 'err1m': conn.sendall(b'-' + b'E' * (1 << 20) + b'\r\n')
    elif mode == 'bigint': conn.sendall(b':99999999999999999999999999\r\n')
def handle(conn):
    try:
        conn.settimeout(60)
        while True:
            d = conn.recv(65536)
            if not d: return
            reply(conn)
    except Exception: pass
    finally: conn.close()
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port)); s.listen(64)
deadline = time.time() + float(sys.argv[3] if len(sys.argv) > 3 else 120)
s.settimeout(1)
while time.time() < deadline:
    try: c, _ = s.accept()
    except socket.timeout: continue
    threading.Thread(target=handle, args=(c,), daemon=True).start()
