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
        let time: Double
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
        signing: (scheme: String, key: [UInt8])? = nil, extra: [String: Any] = [:]
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
        for (k, v) in extra { c[k] = v }
        if let signing {
            c["scheme"] = signing.scheme
            c["secret_b64"] = Data(signing.key).base64EncodedString()
        }
        config = c
    }

    /// Starts the process and waits until it listens.
    func start() throws {
        let python = try requireTool("python3")
        let script = URL(fileURLWithPath: Self.scriptPath)
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
                clientCertificate: o["client_cert"] as? Bool ?? false, time: o["time"] as? Double ?? 0)
        }
    }

    /// `scripts/webhook_receiver.py`, shared with the chaos soak.
    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/webhook_receiver.py").path
    }

}
