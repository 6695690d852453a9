#!/usr/bin/env python3
"""A webhook receiver for tests and the chaos soak: plain HTTP or HTTPS (optionally requiring
client certificates), verifying Standard Webhooks or GitHub signatures itself, answering from a
plan and a few hostile modes, and recording every request as one JSON line.

Usage: webhook_receiver.py CONFIG.json, where CONFIG has:
  port, record (JSONL path), ready (file created once listening)
  cert, key, client_ca        TLS (optional)
  scheme, secret_b64          signature verification (optional)
  plan                        statuses for the first requests, then 200
  fail_contains, fail_status  answer fail_status (default 500) to bodies containing this text
  retry_after                 Retry-After header value sent with every 429/503
  hang                        read the request, record it, then never answer
  drop_first                  read and record the first N requests, then close without answering
  slow_first, slow_seconds    answer the first N requests only after slow_seconds (default 1.5)
"""
import base64, hashlib, hmac, json, ssl, sys, threading, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

args = json.load(open(sys.argv[1]))
plan = list(args.get("plan", []))
drops = [int(args.get("drop_first", 0))]
slows = [int(args.get("slow_first", 0))]
lock = threading.Lock()
key = base64.b64decode(args["secret_b64"]) if args.get("secret_b64") else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ok = None
        if args.get("scheme") == "standard-webhooks":
            mid = self.headers.get("webhook-id", "")
            ts = self.headers.get("webhook-timestamp", "0")
            signed = ("%s.%s." % (mid, ts)).encode() + body
            expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
            given = self.headers.get("webhook-signature", "").split(" ")
            ok = any(hmac.compare_digest(expected, g) for g in given) and abs(time.time() - int(ts)) < 300
        elif args.get("scheme") == "github":
            expected = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
            ok = hmac.compare_digest(expected, self.headers.get("X-Hub-Signature-256", ""))
        cert = False
        try:
            cert = bool(self.connection.getpeercert())
        except Exception:
            pass
        text = body.decode("utf-8")
        with lock:
            drop = False
            slow = slows[0] > 0
            if slow:
                slows[0] -= 1
            if args.get("hang"):
                status = 0
            elif drops[0] > 0:
                drops[0] -= 1
                drop, status = True, 0
            elif args.get("fail_contains") and args["fail_contains"] in text:
                status = int(args.get("fail_status", 500))
            else:
                status = plan.pop(0) if plan else 200
            record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                      "body": text, "sig_ok": ok, "status": status, "client_cert": cert, "time": time.time()}
            with open(args["record"], "a") as f:
                f.write(json.dumps(record) + "\n")
        if args.get("hang"):
            time.sleep(3600)
            return
        if slow:
            time.sleep(float(args.get("slow_seconds", 1.5)))
        if drop:
            self.close_connection = True
            self.connection.close()
            return
        reply = b"ok"
        self.send_response(status)
        if status in (429, 503) and args.get("retry_after") is not None:
            self.send_header("Retry-After", str(args["retry_after"]))
        self.send_header("Content-Length", str(len(reply)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *a):
        pass


ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer(("127.0.0.1", args["port"]), Handler)
if args.get("cert"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args["cert"], args["key"])
    if args.get("client_ca"):
        ctx.load_verify_locations(args["client_ca"])
        ctx.verify_mode = ssl.CERT_REQUIRED
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
open(args["ready"], "w").write("ready")
server.serve_forever()
