import Sockets
import TLS

#if canImport(Glibc)
    import Glibc
#endif

/// `celery-redis-exporter --healthcheck`: GETs `/-/healthy` of a running exporter and exits 0
/// when it answers 200, 1 otherwise (Docker's HEALTHCHECK contract; 2 is reserved there). It lets
/// the container image probe itself without curl or wget, on the port the exporter really listens on.
///
/// Docker runs a HEALTHCHECK command with the container's environment but not its command line,
/// so the address comes from, first to last (flags before the environment, as for the exporter):
/// 1. `--web.listen-address` given to the probe itself;
/// 2. the command line of PID 1 when PID 1 is this program (the container's entrypoint, e.g.
///    `docker run image --web.listen-address=:9999`), read from `/proc/1/cmdline`;
/// 3. `CELERY_REDIS_EXPORTER_WEB_LISTEN_ADDRESS`;
/// 4. the default `:9540`.
/// The first listen address is probed; a wildcard host (`:9540`, `0.0.0.0`, `[::]`) means loopback.
///
/// With `--web.config.file` the endpoint may speak TLS or ask for credentials the probe does not
/// have. A plain request answered "HTTP request to an HTTPS server" is repeated over TLS (not
/// verified: it is the exporter's own port on loopback); `401` counts as healthy (the server
/// answers; basic authentication is on), and so does a TLS port that refuses the probe for want
/// of a client certificate. No answer, or any other status, is unhealthy.
public enum HealthCheck {
    /// Overall deadline for name lookup, connect, request and reply.
    static let timeout: Duration = .seconds(3)
    /// Bytes read of the reply: the status line is all that counts.
    static let replyByteLimit = 1024
    /// Bytes read of `/proc/1/cmdline` (Linux caps a command line far above any sane exporter's).
    static let commandLineByteLimit = 64 * 1024

    /// Runs the probe; prints one line (stdout when healthy, stderr otherwise) and returns the exit status.
    static func run(arguments: [String], environment: [String: String], program: String) -> Int32 {
        let endpoint: SocketEndpoint
        do {
            endpoint = try target(
                arguments: arguments, environment: environment, program: program,
                pid1CommandLine: readPID1CommandLine())
        } catch {
            ExporterApp.printError("\(ExporterVersion.name) --healthcheck: \(error)\n")
            return 1
        }
        var scheme = "http"
        do {
            var (status, reply) = try probe(endpoint, tls: false)
            if status == 400 && String(decoding: reply, as: UTF8.self).contains("HTTP request to an HTTPS server") {
                scheme = "https"
                (status, reply) = try probe(endpoint, tls: true)
            }
            guard status == 200 || status == 401 else {
                ExporterApp.printError(
                    "\(ExporterVersion.name) --healthcheck: GET \(scheme)://\(endpoint)/-/healthy answered \(status)\n")
                return 1
            }
            let note = status == 401 ? " (basic authentication is on; the server answers)" : ""
            ExporterApp.printOut("healthy: GET \(scheme)://\(endpoint)/-/healthy answered \(status)\(note)\n")
            return 0
        } catch let error as TLSError where error.kind == .handshake || error.kind == .io {
            // The TLS server answered the handshake and refused the probe: it asks for a client
            // certificate the probe does not have. It is up.
            ExporterApp.printOut(
                "healthy: \(scheme)://\(endpoint) answers TLS and refused the probe (client certificates required?)\n")
            return 0
        } catch {
            ExporterApp.printError(
                "\(ExporterVersion.name) --healthcheck: GET \(scheme)://\(endpoint)/-/healthy failed: \(error)\n")
            return 1
        }
    }

    /// The endpoint to probe (see the type's documentation for the order).
    /// - Parameter arguments: the probe's own arguments without the program name.
    /// - Parameter pid1CommandLine: PID 1's argv, or nil when unreadable.
    static func target(
        arguments: [String], environment: [String: String], program: String,
        pid1CommandLine: [String]?
    ) throws(ConfigurationError) -> SocketEndpoint {
        let parser = CommandLineParser(specs: ExporterConfiguration.optionSpecs)
        var addresses = try parser.parse(arguments.filter { $0 != "--healthcheck" }, environment: [:])
            .all("web.listen-address")
        if addresses.isEmpty, let pid1 = pid1CommandLine, let first = pid1.first,
            baseName(first) == baseName(program)
        {
            // PID 1's flags only: its environment is ours (Docker gives the probe the container's).
            // A command line that does not parse is the exporter's own start-up error to report.
            if let parsed = try? parser.parse(Array(pid1.dropFirst()), environment: [:]) {
                addresses = parsed.all("web.listen-address")
            }
        }
        if addresses.isEmpty {
            let variable = parser.spec(named: "web.listen-address")?.environmentName ?? ""
            addresses = try parser.parse([], environment: environment.filter { $0.key == variable })
                .all("web.listen-address")
        }
        let text = addresses.first ?? ":\(ExporterConfiguration.defaultPort)"
        guard case .tcp(let host, let port)? = SocketEndpoint.parseHostPort(text) else {
            throw .invalidValue(.flag("web.listen-address"), shown: text, problem: .notAListenAddress)
        }
        switch host {
        case "", "0.0.0.0": return .tcp(host: "127.0.0.1", port: port)
        case "::": return .tcp(host: "::1", port: port)
        default: return .tcp(host: host, port: port)
        }
    }

    /// Sends `GET /-/healthy` (over TLS when `tls`) and returns the status code and the first
    /// bytes of the reply.
    static func probe(_ endpoint: SocketEndpoint, tls: Bool) throws -> (status: Int, reply: [UInt8]) {
        let deadline = Deadline(after: timeout)
        let context = tls ? try TLSClientContext(TLSClientConfiguration(insecureSkipVerify: true)) : nil
        let socket = try Socket.connect(to: endpoint, deadline: deadline)
        let stream: any ByteStream
        if let context {
            stream = try TLSStream.connect(over: socket, context: context, hostname: "localhost", deadline: deadline)
        } else {
            stream = socket
        }
        defer { stream.close() }
        let request = Array(
            "GET /-/healthy HTTP/1.0\r\nHost: localhost\r\nUser-Agent: \(ExporterVersion.name)-healthcheck\r\n\r\n".utf8
        )
        try request.withUnsafeBytes { try stream.writeAll($0, deadline: deadline) }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: replyByteLimit)
        // The status line, and for a 400 the body that says whether the port speaks TLS.
        while reply.count < replyByteLimit {
            let room = replyByteLimit - reply.count
            let n = try chunk.withUnsafeMutableBytes { buffer in
                try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<room]), deadline: deadline)
            }
            if n == 0 { break }
            reply += chunk[0..<n]
            if reply.contains(UInt8(ascii: "\n")) && !reply.starts(with: Array("HTTP/1.0 400".utf8)) { break }
        }
        // "HTTP/1.1 200 OK": the second word of the status line.
        let statusLine =
            reply.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        let words = String(decoding: statusLine, as: UTF8.self).split(separator: " ")
        guard words.count >= 2, words[0].hasPrefix("HTTP/"), let status = Int(words[1]) else {
            throw ProbeError.noStatusLine(bytesRead: reply.count)
        }
        return (status, reply)
    }

    /// PID 1's argv from `/proc/1/cmdline` (NUL-separated), or nil when unreadable or empty.
    static func readPID1CommandLine() -> [String]? {
        guard case .success(let bytes) = RegularFile.readPrefix("/proc/1/cmdline", maximumBytes: commandLineByteLimit)
        else { return nil }
        let words = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return words.isEmpty ? nil : words
    }

    private static func baseName(_ path: String) -> Substring {
        path.split(separator: "/").last ?? Substring(path)
    }
}
