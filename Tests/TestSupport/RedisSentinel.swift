import Foundation

/// A real `redis-server --sentinel` on a free 127.0.0.1 port, monitoring one master with quorum 1
/// and short timeouts (down after 1 s, failover timeout 5 s), from a config file it generates.
/// Stopped (SIGKILL) when released.
public final class RedisSentinel: @unchecked Sendable {
    // @unchecked: the mutable `process` is only touched by the owning test (init/stop).
    public let port: UInt16
    public let directory: URL
    public let masterName: String
    /// `requirepass` of the sentinel itself; nil: none.
    public let password: String?
    /// With TLS: the CA file `cli` verifies the sentinel with (the sentinel listens on TLS only).
    public let tlsCAFile: String?
    private var process: Process?

    /// Starts the sentinel and waits until it answers PING and reports the master.
    /// - Parameters:
    ///   - masterPassword: `sentinel auth-pass`, when the master has `requirepass`.
    ///   - tls: `(certFile, keyFile, caFile)`: the sentinel listens on TLS only (`port 0`, `tls-port`);
    ///     its own connections to the master stay plain.
    public init(
        masterName: String, masterPort: UInt16, password: String? = nil, masterPassword: String? = nil,
        tls: (cert: String, key: String, ca: String)? = nil
    ) throws {
        self.port = try freePort()
        self.directory = try makeTemporaryDirectory("sentinel")
        self.masterName = masterName
        self.password = password
        self.tlsCAFile = tls?.ca
        let listen =
            tls.map {
                "port 0\ntls-port \(port)\ntls-cert-file \($0.cert)\ntls-key-file \($0.key)\ntls-ca-cert-file \($0.ca)\ntls-auth-clients no"
            } ?? "port \(port)"
        var config = """
            \(listen)
            bind 127.0.0.1
            daemonize no
            dir \(directory.path)
            logfile \(directory.appendingPathComponent("sentinel.log").path)
            sentinel monitor \(masterName) 127.0.0.1 \(masterPort) 1
            sentinel down-after-milliseconds \(masterName) 1000
            sentinel failover-timeout \(masterName) 5000

            """
        if let password { config += "requirepass \(password)\n" }
        if let masterPassword { config += "sentinel auth-pass \(masterName) \(masterPassword)\n" }
        let file = directory.appendingPathComponent("sentinel.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try requireTool("redis-server"))
        p.arguments = [file.path, "--sentinel"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try spawnWithDefaultSignalMask { try p.run() }
        process = p
        let ready = try waitUntil(timeout: 10) { try self.cli(["PING"]).stdout.contains("PONG") }
        if !ready { throw HarnessError("redis-server --sentinel on port \(port) did not answer PING within 10 s") }
    }

    /// Runs `redis-cli` against the sentinel.
    @discardableResult
    public func cli(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        var args = ["-h", "127.0.0.1", "-p", String(port)]
        if let password { args += ["--no-auth-warning", "-a", password] }
        if let tlsCAFile { args += ["--tls", "--cacert", tlsCAFile] }
        return try runCommand(try requireTool("redis-cli"), args + arguments)
    }

    /// The master's port as the sentinel reports it now; nil when it names none.
    public func masterPort() throws -> UInt16? {
        let lines = try cli(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName]).stdout
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.count == 2 ? UInt16(lines[1]) : nil
    }

    /// How many replicas the sentinel knows for the master, healthy ones only (flags exactly "slave").
    public func healthyReplicaCount() throws -> Int {
        let out = try cli(["SENTINEL", "REPLICAS", masterName]).stdout.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var count = 0
        for (index, line) in out.enumerated()
        where line == "flags" && index + 1 < out.count && out[index + 1] == "slave" {
            count += 1
        }
        return count
    }

    /// Stops the sentinel (SIGKILL: it keeps nothing worth a clean shutdown).
    public func stop() {
        guard let p = process, p.isRunning else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
