import Foundation

/// A real `redis-server` started for one test on a free port (and optionally a TLS port),
/// stopped by pid when the test releases it.
public final class RedisServer: @unchecked Sendable {
    // @unchecked: the mutable `process` is only touched by the owning test (start/stop).
    public let port: UInt16
    public let directory: URL
    public let tlsPort: UInt16?
    public let password: String?
    private var process: Process?

    /// The unix socket path the server also listens on.
    public var unixSocketPath: String { directory.appendingPathComponent("redis.sock").path }

    /// Starts `redis-server` and waits until it answers PING.
    /// - Parameters:
    ///   - tls: `(certFile, keyFile, caFile)` to also listen with TLS on a second free port.
    ///   - password: `requirepass` value.
    ///   - extraArguments: more `--option value` pairs.
    public init(
        tls: (cert: String, key: String, ca: String)? = nil, password: String? = nil,
        extraArguments: [String] = []
    ) throws {
        self.port = try freePort()
        self.directory = try makeTemporaryDirectory("redis")
        self.tlsPort = tls == nil ? nil : try freePort()
        self.password = password
        try start(tls: tls, extraArguments: extraArguments)
    }

    private var startArguments: [String] = []

    private func start(tls: (cert: String, key: String, ca: String)?, extraArguments: [String]) throws {
        let binary = try requireTool("redis-server")
        var args = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory.path, "--unixsocket", unixSocketPath, "--unixsocketperm", "700",
            "--daemonize", "no", "--logfile", directory.appendingPathComponent("redis.log").path,
        ]
        if let tls, let tlsPort {
            args += [
                "--tls-port", String(tlsPort), "--tls-cert-file", tls.cert, "--tls-key-file", tls.key,
                "--tls-ca-cert-file", tls.ca, "--tls-auth-clients", "no",
            ]
        }
        if let password { args += ["--requirepass", password] }
        args += extraArguments
        startArguments = args
        try launch(binary: binary)
    }

    private func launch(binary: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = startArguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try spawnWithDefaultSignalMask { try p.run() }
        process = p
        let ready = try waitUntil(timeout: 10) { try self.cli(["PING"]).stdout.contains("PONG") }
        if !ready { throw HarnessError("redis-server on port \(port) did not answer PING within 10 s") }
    }

    /// Stops the server (SIGTERM, then waits); `restart()` brings it back on the same port.
    ///
    /// Uses `SHUTDOWN NOSAVE` rather than SIGTERM: children of the test runner can inherit a signal
    /// mask with SIGTERM blocked, and then `terminate()` never ends the server. SIGKILL is the fallback.
    public func stop() {
        guard let p = process, p.isRunning else { return }
        _ = try? command("SHUTDOWN", "NOSAVE")
        if !waitUntil(timeout: 5, { !p.isRunning }) {
            kill(p.processIdentifier, SIGKILL)
        }
        p.waitUntilExit()
        process = nil
    }

    /// Starts the server again on the same port (after ``stop()``).
    public func restart() throws {
        stop()
        try launch(binary: try requireTool("redis-server"))
    }

    /// Runs `redis-cli` against this server; returns its output. Arguments are passed as-is
    /// (use `-x` or ``command(_:)`` for binary values).
    @discardableResult
    public func cli(_ arguments: [String], input: Data? = nil) throws -> (status: Int32, stdout: String, stderr: String)
    {
        var args = ["-h", "127.0.0.1", "-p", String(port)]
        if let password { args += ["--no-auth-warning", "-a", password] }
        return try runCommand(try requireTool("redis-cli"), args + arguments, input: input)
    }

    /// Sends one command with binary-safe arguments over a plain socket (RESP written by hand,
    /// independent of the code under test) and returns its raw reply text: one complete RESP
    /// reply, however many TCP segments it came in (empty if Redis closed the connection first,
    /// as `SHUTDOWN` does). With a password the `AUTH` goes first; its `+OK` is not part of the
    /// result, and an `AUTH` error is returned instead of the command's reply.
    ///
    /// `timeout` bounds the whole exchange (seconds). The default is generous: a test may have
    /// just made Redis build (or free) hundreds of megabytes, and the machine may be loaded.
    /// Seeding that builds a huge value passes more: on the 2-core CI VM at load 7, Lua took
    /// 15-23 s just to build a 480 MB string.
    @discardableResult
    public func command(_ arguments: [[UInt8]], timeout: Double = 30) throws -> String {
        var payload = RESPReplyScanner.encode(arguments)
        let expected = password == nil ? 1 : 2
        if let password { payload = RESPReplyScanner.encode([Array("AUTH".utf8), Array(password.utf8)]) + payload }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket failed: errno \(errno)") }
        defer { close(fd) }
        let deadline = Date().addingTimeInterval(timeout)
        /// Each blocking call may wait at most until the deadline.
        func waitAtMostUntilTheDeadline() throws {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else {
                throw HarnessError(
                    "redis did not answer within \(timeout) s (command \(String(decoding: arguments.first ?? [], as: UTF8.self)))"
                )
            }
            var tv = timeval(tv_sec: Int(left), tv_usec: min(999_999, Int((left - left.rounded(.down)) * 1e6) + 1))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        try waitAtMostUntilTheDeadline()
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw HarnessError("connect to redis failed: errno \(errno)") }
        var sent = 0
        while sent < payload.count {
            try waitAtMostUntilTheDeadline()
            let n = payload.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw HarnessError("sending to redis failed after \(sent) of \(payload.count) bytes: errno \(errno)")
            }
            sent += n
        }
        // Read until `expected` complete replies have arrived (a reply larger than one read, or
        // split across segments, would otherwise be cut), within a byte budget.
        var received: [UInt8] = []
        var replies: [Range<Int>] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while replies.count < expected {
            if let end = RESPReplyScanner.end(of: received, from: replies.last?.upperBound ?? 0) {
                replies.append((replies.last?.upperBound ?? 0)..<end)
                continue
            }
            guard received.count <= RESPReplyScanner.maxReplyBytes else {
                throw HarnessError("redis reply larger than \(RESPReplyScanner.maxReplyBytes) bytes")
            }
            try waitAtMostUntilTheDeadline()
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            // On EINTR/EAGAIN the deadline decides.
            if n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) { continue }
            guard n > 0 else { break }  // closed: SHUTDOWN, or a server going away
            received += chunk[0..<n]
        }
        if expected == 2, let auth = replies.first {
            if received[auth.lowerBound] == UInt8(ascii: "-") { return String(decoding: received[auth], as: UTF8.self) }
            return replies.count == 2 ? String(decoding: received[replies[1]], as: UTF8.self) : ""
        }
        return replies.first.map { String(decoding: received[$0], as: UTF8.self) } ?? ""
    }

    /// Convenience: text arguments.
    @discardableResult
    public func command(_ arguments: String...) throws -> String {
        try command(arguments.map { Array($0.utf8) })
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

extension RedisServer {
    /// `SHUTDOWN NOSAVE`, then waits (at most 2 s) until it no longer answers `PING`: Redis going
    /// away under a test.
    public func shutdownAndWait() {
        _ = try? command("SHUTDOWN", "NOSAVE")
        for _ in 0..<100 where (try? cli(["PING"]))?.stdout.contains("PONG") == true { usleep(20_000) }
    }
}
