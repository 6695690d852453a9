"""One Redis command as RESP, for the scripts' inline Python (no client library needed).

    from resp import cmd            # scripts/lib on PYTHONPATH: scripts/lib/bench-common.sh puts it there
    sock.sendall(cmd("SET", "k", b"v") + cmd("EXPIRE", "k", 60))

Arguments may be bytes, str or numbers (sent as their decimal text).
"""


def cmd(*args):
    """The RESP array of bulk strings that sends `args` as one command."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)
