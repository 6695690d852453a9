import Foundation

/// The built `celery-redis-exporter` binary run as a child process on a free port, the way a
/// user runs it; standard error is captured so tests can check log lines (and that no secret leaks).
public final class ExporterProcess: @unchecked Sendable {
    // @unchecked: the process and pipe are only touched by the owning test.
    public let port: UInt16
    public let process: Process
    private let errorPipe = Pipe()
    private let errorBuffer = LockedBuffer()

    /// Path of the binary built next to the test bundle, or `EXPORTER_TEST_BINARY` when set (to
    /// run the end-to-end tests against another build, e.g. main's, to see a regression test fail).
    public static func binaryPath() throws -> String {
        if let override = ProcessInfo.processInfo.environment["EXPORTER_TEST_BINARY"], !override.isEmpty {
            return override
        }
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("celery-redis-exporter").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw HarnessError(
            "celery-redis-exporter binary not found next to the tests (run `swift build --build-tests` first)")
    }

    /// Starts the exporter with `arguments` (a `--web.listen-address` on a free port is added).
    /// `fileLimit` starts it with that soft and hard `RLIMIT_NOFILE` (through `sh -c ulimit`,
    /// which then execs the exporter, so ``process`` is still the exporter's pid).
    /// `isUp` says when the exporter serves (default: plain `GET /-/healthy` answers 200); a
    /// test of TLS or authentication passes its own probe.
    public init(
        arguments: [String], environment: [String: String] = [:], fileLimit: (soft: Int, hard: Int)? = nil,
        isUp: ((UInt16) -> Bool)? = nil
    ) throws {
        port = try freePort()
        process = Process()
        let binary = try Self.binaryPath()
        let exporterArguments = ["--web.listen-address=127.0.0.1:\(port)"] + arguments
        if let fileLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments =
                [
                    "-c", "ulimit -S -n \(fileLimit.soft) && ulimit -H -n \(fileLimit.hard) && exec \"$0\" \"$@\"",
                    binary,
                ] + exporterArguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = exporterArguments
        }
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CELERY_REDIS_EXPORTER_") }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorPipe
        let buffer = errorBuffer
        errorPipe.fileHandleForReading.readabilityHandler = { handle in buffer.append(handle.availableData) }
        try spawnWithDefaultSignalMask { try process.run() }
        let port = self.port
        let probe = isUp ?? { (try? httpRequest(port: $0, path: "/-/healthy"))?.status == 200 }
        let up = waitUntil(timeout: 10) { probe(port) }
        if !up { throw HarnessError("exporter did not serve /-/healthy within 10 s; stderr:\n\(stderr)") }
    }

    /// Everything the exporter wrote to standard error so far.
    public var stderr: String { errorBuffer.text }

    /// GET (or another method) against the exporter.
    public func get(_ path: String, headers: [String: String] = [:], method: String = "GET") throws -> TestHTTPResponse
    {
        try httpRequest(port: port, method: method, path: path, headers: headers)
    }

    /// Sends SIGTERM and waits up to `timeout` seconds; returns the exit status (nil if it hung).
    @discardableResult
    public func terminate(timeout: Double = 10) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let exited = waitUntil(timeout: timeout) { !self.process.isRunning }
        if !exited {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        errorPipe.fileHandleForReading.readabilityHandler = nil
    }
}

/// Thread-safe growing byte buffer for captured output.
final class LockedBuffer: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) {
        lock.lock()
        data.append(more)
        lock.unlock()
    }
    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Runs the exporter binary to completion (for start-up errors); returns status and stderr.
public func runExporterToExit(
    _ arguments: [String], environment: [String: String] = [:],
    timeout: Double = 10
) throws -> (status: Int32, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try ExporterProcess.binaryPath())
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CELERY_REDIS_EXPORTER_") }
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    try spawnWithDefaultSignalMask { try process.run() }
    let finished = waitUntil(timeout: timeout) { !process.isRunning }
    if !finished {
        process.terminate()
        throw HarnessError("exporter did not exit within \(timeout) s for arguments \(arguments)")
    }
    let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return (process.terminationStatus, text)
}
