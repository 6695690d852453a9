import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A process as the kernel knows it: pid plus start time (field 22 of `/proc/<pid>/stat`), so a
/// pid the kernel has since reused for something else is never signalled.
struct ProcessIdentity: Sendable, Equatable, CustomStringConvertible {
    let pid: pid_t
    let startTime: String

    init?(pid: pid_t) {
        guard let fields = Self.statFields(pid) else { return nil }
        self.pid = pid
        self.startTime = fields.count > 19 ? fields[19] : ""
    }

    /// The fields of `/proc/<pid>/stat` after the `(comm)` field: [0] is the state, [19] the start time.
    private static func statFields(_ pid: pid_t) -> [String]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(after: close)...].split(separator: " ").map(String.init)
    }

    /// Still running (not gone, not a zombie) and still the same process.
    var isAlive: Bool {
        guard let fields = Self.statFields(pid), fields.count > 19 else { return false }
        return fields[19] == startTime && fields[0] != "Z"
    }

    /// Sends `signal` only if this is still the same live process.
    func send(_ signal: Int32) {
        if isAlive { kill(pid, signal) }
    }

    /// The direct children of `pid` (for a prefork worker: its pool processes).
    static func children(of pid: pid_t) -> [ProcessIdentity] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else {
            return []
        }
        return text.split(separator: " ").compactMap { pid_t($0) }.compactMap { ProcessIdentity(pid: $0) }
    }

    var description: String { String(pid) }
}

/// A long-running Celery process (worker or beat) from the venv, with standard output and error in
/// a log file. Stopped by pid: ``stop(grace:)`` is SIGTERM, then SIGKILL of the main process and
/// of its pool children after `grace` seconds; ``kill()`` is SIGKILL of both at once. `deinit`
/// stops whatever still runs, so a failing test leaves nothing behind.
final class CeleryProcess: @unchecked Sendable {
    // @unchecked: owned by one test; `process` is only signalled and polled.
    let name: String
    let process: Process
    let logFile: URL
    /// Pool children seen while running (a SIGKILL of the main process must reach them too).
    private(set) var knownChildren: [ProcessIdentity] = []

    init(
        name: String, executable: String, arguments: [String], environment: [String: String],
        directory: URL
    ) throws {
        self.name = name
        logFile = directory.appendingPathComponent("\(name).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try spawnWithDefaultSignalMask { try process.run() }
        try? handle.close()
    }

    var pid: pid_t { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Everything the process logged so far.
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The last `lines` lines of the log, for failure messages.
    func logTail(_ lines: Int = 25) -> String {
        log.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// The current pool children, remembered for a later SIGKILL.
    @discardableResult
    func refreshChildren() -> [ProcessIdentity] {
        let now = ProcessIdentity.children(of: pid)
        for child in now where !knownChildren.contains(child) { knownChildren.append(child) }
        return now
    }

    /// SIGTERM (Celery's warm shutdown: running tasks finish, prefetched ones are restored), then
    /// SIGKILL of everything left after `grace` seconds. Returns true when SIGTERM was enough.
    @discardableResult
    func stop(grace: Double = 15) -> Bool {
        guard process.isRunning else {
            reapChildren()
            return true
        }
        refreshChildren()
        Glibc.kill(pid, SIGTERM)
        let exited = waitUntil(timeout: grace) { !process.isRunning }
        if !exited { self.kill() }
        reapChildren()
        return exited
    }

    /// SIGKILL of the main process and its pool children at once (a crash or the OOM killer).
    func kill() {
        let children = refreshChildren()
        if process.isRunning { Glibc.kill(pid, SIGKILL) }
        for child in children { child.send(SIGKILL) }
        process.waitUntilExit()
        reapChildren()
    }

    /// Waits for remembered children to disappear; SIGKILLs stragglers.
    private func reapChildren() {
        let gone = waitUntil(timeout: 5) { !knownChildren.contains { $0.isAlive } }
        if !gone {
            for child in knownChildren { child.send(SIGKILL) }
            _ = waitUntil(timeout: 5) { !knownChildren.contains { $0.isAlive } }
        }
    }

    deinit {
        if process.isRunning || knownChildren.contains(where: { $0.isAlive }) { stop(grace: 5) }
    }
}

/// The `SigBlk` line of `/proc/<pid>/status` parsed: true when SIGTERM is blocked in `pid`.
func blocksSIGTERM(_ pid: pid_t) -> Bool {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }),
        let mask = UInt64(line.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16)
    else {
        return false
    }
    return mask & (1 << (UInt64(SIGTERM) - 1)) != 0
}
