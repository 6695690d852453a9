import Foundation

/// Errors raised by the test harness itself (a missing tool is a failure, never a skip).
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Finds an executable on PATH (plus the usual sbin folders); throws a clear error when missing,
/// so a test that needs a tool CI lacks fails instead of skipping.
public func requireTool(_ name: String) throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/local/bin"] {
        let candidate = dir + "/" + name
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw HarnessError("required tool '\(name)' is not installed (see .ci/run for the apt/pip packages)")
}

/// Asks the kernel for a free TCP port on 127.0.0.1 (bind to port 0, read it back, close).
public func freePort() throws -> UInt16 {
    let (fd, port) = try bindLoopback()
    close(fd)
    return port
}

/// A fresh temporary directory, removed by the caller (or left for post-mortem on failure).
public func makeTemporaryDirectory(_ prefix: String = "cre-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs a command to completion and returns (exit status, stdout, stderr).
@discardableResult
public func runCommand(
    _ executable: String, _ arguments: [String], input: Data? = nil,
    environment: [String: String]? = nil
) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let inPipe = Pipe()
    process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
    try spawnWithDefaultSignalMask { try process.run() }
    if let input {
        inPipe.fileHandleForWriting.write(input)
        try inPipe.fileHandleForWriting.close()
    }
    // Read both pipes before waiting, so a chatty child never blocks on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (
        process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self)
    )
}

/// Polls `condition` every 50 ms until it holds or `timeout` seconds pass.
public func waitUntil(timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

/// Runs `body` (a `Process.run()`) with an empty signal mask on the calling thread, so the child
/// starts with no signals blocked. Swift Testing's worker threads block almost every signal and
/// `posix_spawn` hands that mask down: a redis-server or exporter started from a test could then
/// ignore SIGTERM forever.
public func spawnWithDefaultSignalMask<T>(_ body: () throws -> T) rethrows -> T {
    var empty = sigset_t()
    var saved = sigset_t()
    sigemptyset(&empty)
    pthread_sigmask(SIG_SETMASK, &empty, &saved)
    defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
    return try body()
}
