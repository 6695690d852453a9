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
    public init(tls: (cert: String, key: String, ca: String)? = nil, password: String? = nil,
                extraArguments: [String] = []) throws {
        self.port = try freePort()
        self.directory = try makeTemporaryDirectory("redis")
        self.tlsPort = tls == nil ? nil : try freePort()
        self.password = password
        try start(tls: tls, extraArguments: extraArguments)
    }

    private var startArguments: [String] = []

    private func start(tls: (cert: String, key: String, ca: String)?, extraArguments: [String]) throws {
        let binary = try requireTool("redis-server")
        var args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--dir", directory.path, "--unixsocket", unixSocketPath, "--unixsocketperm", "700",
                    "--daemonize", "no", "--logfile", directory.appendingPathComponent("redis.log").path]
        if let tls, let tlsPort {
            args += ["--tls-port", String(tlsPort), "--tls-cert-file", tls.cert, "--tls-key-file", tls.key,
                     "--tls-ca-cert-file", tls.ca, "--tls-auth-clients", "no"]
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
    public func cli(_ arguments: [String], input: Data? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        var args = ["-h", "127.0.0.1", "-p", String(port)]
        if let password { args += ["--no-auth-warning", "-a", password] }
        return try runCommand(try requireTool("redis-cli"), args + arguments, input: input)
    }

    /// Sends one command with binary-safe arguments over a plain socket (RESP written by hand,
    /// independent of the code under test) and returns the raw reply text.
    @discardableResult
    public func command(_ arguments: [[UInt8]]) throws -> String {
        var payload: [UInt8] = Array("*\(arguments.count)\r\n".utf8)
        for a in arguments { payload += Array("$\(a.count)\r\n".utf8) + a + [13, 10] }
        if let password {
            let auth: [[UInt8]] = [Array("AUTH".utf8), Array(password.utf8)]
            var pre: [UInt8] = Array("*2\r\n".utf8)
            for a in auth { pre += Array("$\(a.count)\r\n".utf8) + a + [13, 10] }
            payload = pre + payload
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw HarnessError("connect to redis failed") }
        _ = payload.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        // Generous: a test may have just made Redis build (or free) hundreds of megabytes, and
        // the machine may be loaded; an empty answer here reads as a seeding failure.
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buf = [UInt8](repeating: 0, count: 65536)
        usleep(20_000)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : ""
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
