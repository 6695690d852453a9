#!/usr/bin/env python3
"""usage: rcmd.py PORT 'python-expr yielding list of commands (lists of bytes/str)'"""
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
def enc(a):
    if isinstance(a, int): a = str(a)
    if isinstance(a, str): a = a.encode('utf-8', 'surrogateescape')
    return a
cmds = eval(sys.argv[2])
out = b''.join(b'*%d\r\n' % len(c) + b''.join(b'$%d\r\n%s\r\n' % (len(enc(a)), enc(a)) for a in c) for c in cmds)
s.sendall(out); s.shutdown(socket.SHUT_WR)
data = b''
while True:
    d = s.recv(1 << 20)
    if not d: break
    data += d
print(data[:300])
