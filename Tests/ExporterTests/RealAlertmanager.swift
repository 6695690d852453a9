import Foundation
import TestSupport

/// Debian's real `prometheus-alertmanager` on a free port with `config` (YAML), killed when
/// released. Fails (never skips) when the tool is missing.
final class RealAlertmanager {
    let port: UInt16
    private let process = Process()

    init(config: String) throws {
        let dir = try makeTemporaryDirectory("real-am")
        try config.write(to: dir.appendingPathComponent("am.yml"), atomically: true, encoding: .utf8)
        port = try freePort()
        process.executableURL = URL(fileURLWithPath: try requireTool("prometheus-alertmanager"))
        process.arguments = [
            "--config.file=\(dir.path)/am.yml", "--storage.path=\(dir.path)/am-data",
            "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try spawnWithDefaultSignalMask { try process.run() }
        guard waitUntil(timeout: 15, { (try? httpRequest(port: port, path: "/-/ready"))?.status == 200 }) else {
            kill(process.processIdentifier, SIGKILL)
            throw HarnessError("alertmanager did not become ready")
        }
    }

    /// The alerts Alertmanager holds as active or suppressed (its API leaves out resolved ones).
    func alerts() throws -> [[String: Any]] {
        let r = try httpRequest(port: port, path: "/api/v2/alerts")
        return (try JSONSerialization.jsonObject(with: Data(r.body)) as? [[String: Any]]) ?? []
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
