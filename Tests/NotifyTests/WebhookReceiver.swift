import Foundation
import TestSupport

/// A real HTTPS webhook receiver for integration tests: Python's `ssl` + `http.server`, started
/// as a child process. It verifies Standard Webhooks or GitHub signatures itself (so the test
/// does not trust our own signing code to check our signing code), answers from a status plan,
/// and records every request as a JSON line.
final class WebhookReceiver {
    struct Request {
        let path: String
        let headers: [String: String]
        let body: String
        let signatureValid: Bool?
        let status: Int
        let clientCertificate: Bool
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    let port: UInt16
    let directory: URL
    private var process: Process?
    private let config: [String: Any]

    /// - Parameters:
    ///   - tls: server certificate and key, nil for plain HTTP.
    ///   - clientCA: require client certificates signed by this CA.
    ///   - plan: statuses for the first requests, then 200.
    ///   - signing: scheme and raw key bytes for verification.
    init(
        port: UInt16? = nil, tls: (cert: String, key: String)?, clientCA: String? = nil, plan: [Int] = [],
        signing: (scheme: String, key: [UInt8])? = nil
    ) throws {
        self.port = try port ?? freePort()
        directory = try makeTemporaryDirectory("receiver")
        var c: [String: Any] = [
            "port": Int(self.port), "record": directory.appendingPathComponent("requests.jsonl").path,
            "ready": directory.appendingPathComponent("ready").path, "plan": plan,
        ]
        if let tls {
            c["cert"] = tls.cert
            c["key"] = tls.key
        }
        if let clientCA { c["client_ca"] = clientCA }
        if let signing {
            c["scheme"] = signing.scheme
            c["secret_b64"] = Data(signing.key).base64EncodedString()
        }
        config = c
    }

    /// Starts the process and waits until it listens.
    func start() throws {
        let python = try requireTool("python3")
        let script = directory.appendingPathComponent("receiver.py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        let configFile = directory.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: config).write(to: configFile)
        try? FileManager.default.removeItem(atPath: config["ready"] as! String)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script.path, configFile.path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        process = p
        let ready = waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: config["ready"] as! String) }
        guard ready else { throw HarnessError("webhook receiver did not start on port \(port)") }
    }

    /// Kills the receiver with SIGKILL: the test runner's threads block SIGTERM, and a spawned
    /// child inherits that mask, so `terminate()` would leave Python running.
    func stop() {
        if let p = process, p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            _ = waitUntil(timeout: 5) { !p.isRunning }
        }
        process = nil
    }

    deinit { stop() }

    /// Every request recorded so far.
    var requests: [Request] {
        guard let text = try? String(contentsOfFile: config["record"] as! String, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Request(
                path: o["path"] as? String ?? "", headers: o["headers"] as? [String: String] ?? [:],
                body: o["body"] as? String ?? "", signatureValid: o["sig_ok"] as? Bool,
                status: o["status"] as? Int ?? 0,
                clientCertificate: o["client_cert"] as? Bool ?? false)
        }
    }

    static let script = #"""
        import base64, hashlib, hmac, json, ssl, sys, threading, time
        from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

        args = json.load(open(sys.argv[1]))
        plan = list(args.get("plan", []))
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
                with lock:
                    status = plan.pop(0) if plan else 200
                    record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                              "body": body.decode("utf-8"), "sig_ok": ok, "status": status, "client_cert": cert}
                    with open(args["record"], "a") as f:
                        f.write(json.dumps(record) + "\n")
                reply = b"ok"
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *a):
                pass

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
        """#
}
