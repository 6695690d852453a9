import Foundation
import TestSupport

/// A real `openssl s_server` on a free port of 127.0.0.1, started for one test and stopped
/// (by pid) when released. Output goes to a log file, so the server can never block on a pipe.
final class OpenSSLServer {
    let port: UInt16
    private let process = Process()
    private let directory: URL
    private var logPath: String { directory.appendingPathComponent("s_server.log").path }

    /// Starts `openssl s_server -accept 127.0.0.1:<port> <arguments>` and waits until it prints ACCEPT.
    init(_ arguments: [String]) throws {
        let openssl = try requireTool("openssl")
        port = try freePort()
        directory = try makeTemporaryDirectory("s_server")
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("s_server.log").path, contents: nil)
        let log = try FileHandle(forWritingTo: directory.appendingPathComponent("s_server.log"))
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = ["s_server", "-accept", "127.0.0.1:\(port)"] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let ready = waitUntil(timeout: 10) { self.output.contains("ACCEPT") || !self.process.isRunning }
        guard ready, process.isRunning else {
            throw HarnessError("openssl s_server \(arguments.joined(separator: " ")) did not start: \(output)")
        }
    }

    /// Everything the server printed so far (stdout and stderr).
    var output: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    deinit {
        // SIGKILL, not terminate(): children spawned from Swift Testing's worker threads inherit a
        // signal mask that blocks SIGTERM, so `terminate()` can leave s_server running and
        // `waitUntilExit()` waiting forever.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
