import Foundation
import Logging
import Sockets
import TLS
import TestSupport
import Testing

@testable import HTTP

/// TLS on the epoll server, against real OpenSSL peers: curl and `openssl s_client` as child
/// processes, and the TLS module's blocking client for pipelining. Certificates are made fresh
/// with the `openssl` command line (TestCertificates).
@Suite struct HTTPServerTLSTests {
    let certs: TestCertificates

    init() throws {
        certs = try TestCertificates()
    }

    func server(
        _ tls: TLSServerConfiguration? = nil, handler: @escaping HTTPHandler = testHandler,
        requestTimeout: Duration = .seconds(2)
    ) throws -> (HTTPServer, TLSServerContextSource, UInt16) {
        let source = try TLSServerContextSource(
            tls ?? TLSServerConfiguration(certificateFile: certs.serverCert, keyFile: certs.serverKey),
            now: Deadline.monotonicNow())
        let server = try makeServer(handler: handler) {
            $0.tls = source
            $0.requestTimeout = requestTimeout
        }
        return (server, source, server.boundAddresses[0].port)
    }

    /// curl's HTTP status (`000` when no response), with `args` before the URL.
    func curl(_ port: UInt16, _ path: String = "/n/x", _ args: [String] = []) throws -> (
        code: String, stderr: String, body: String
    ) {
        let out = try makeTemporaryDirectory("curl").appendingPathComponent("body").path
        let r = try runCommand(
            try requireTool("curl"),
            ["-sS", "--max-time", "10", "-o", out, "-w", "%{http_code}", "--cacert", certs.caCert] + args
                + ["https://localhost:\(port)\(path)"])
        let body = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return (r.stdout, r.stderr, body)
    }

    /// A TLS connection to the server on `port` (the test CA trusted, handshake done).
    func tlsClient(_ port: UInt16) throws -> TLSStream {
        let socket = try Socket.connect(to: .tcp(host: "127.0.0.1", port: port), timeout: .seconds(5))
        let context = try TLSClientContext(TLSClientConfiguration(caFile: certs.caCert))
        return try TLSStream.connect(
            over: socket, context: context, hostname: "localhost", deadline: Deadline(after: .seconds(5)))
    }

    /// All the server sends until it closes the connection; throws if that takes over `seconds`.
    func readUntilClosed(_ stream: TLSStream, seconds: Int) throws -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Deadline(after: .seconds(seconds))
        while true {
            let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0, deadline: deadline) }
            if n == 0 { break }
            received += buffer[0..<n]
        }
        return received
    }

    /// A client certificate signed by the unrelated CA (valid, but not from the client CA).
    func foreignClientCertificate() throws -> (cert: String, key: String) {
        let openssl = try requireTool("openssl")
        let dir = certs.directory
        for args in [
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/foreign.key", "-out", dir + "/foreign.csr",
                "-subj", "/CN=foreign",
            ],
            [
                "x509", "-req", "-in", dir + "/foreign.csr", "-CA", certs.wrongCACert, "-CAkey", dir + "/wrong-ca.key",
                "-CAcreateserial", "-out", dir + "/foreign.pem", "-days", "2",
            ],
        ] {
            let r = try runCommand(openssl, args)
            if r.status != 0 { throw HarnessError("openssl failed: \(r.stderr)") }
        }
        return (dir + "/foreign.pem", dir + "/foreign.key")
    }

    @Test func curlOverTLSGetsTheResponse() throws {
        let (server, _, port) = try server()
        defer { server.shutdown(gracePeriod: .zero) }
        let response = try curl(port, "/n/hello")
        #expect(response.code == "200")
        #expect(response.body == "GET /n/hello")
    }

    @Test func largeBodyArrivesByteForByte() throws {
        let (server, _, port) = try server()
        defer { server.shutdown(gracePeriod: .zero) }
        let out = try makeTemporaryDirectory("big").appendingPathComponent("big").path
        let r = try runCommand(
            try requireTool("curl"),
            ["-sS", "--max-time", "10", "--cacert", certs.caCert, "-o", out, "https://localhost:\(port)/big"])
        #expect(r.status == 0, "\(r.stderr)")
        let received = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(received == bigBody)
    }

    @Test func pipelinedRequestsOverOneTLSConnectionAreAllAnsweredInOrder() throws {
        let (server, _, port) = try server()
        defer { server.shutdown(gracePeriod: .zero) }
        let stream = try tlsClient(port)
        defer { stream.close() }
        // 200 requests, each its own small TLS record: they arrive together, one socket read
        // takes them all into OpenSSL, and each read of plaintext gives one record, so most
        // requests wait inside OpenSSL where epoll cannot see them.
        for i in 0..<200 {
            try Array(get("/n/\(i)").utf8).withUnsafeBytes {
                try stream.writeAll($0, deadline: Deadline(after: .seconds(5)))
            }
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Deadline(after: .seconds(10))
        while String(decoding: received, as: UTF8.self).components(separatedBy: "HTTP/1.1 200").count - 1 < 200 {
            let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0, deadline: deadline) }
            if n == 0 { break }
            received += buffer[0..<n]
        }
        // Each response's body, in the order the responses came.
        let bodies = String(decoding: received, as: UTF8.self).components(separatedBy: "HTTP/1.1 200 OK").dropFirst()
            .map { $0.components(separatedBy: "\r\n\r\n").last ?? "" }
        #expect(bodies == (0..<200).map { "GET /n/\($0)" })
    }

    /// Large pipelined requests (full 16 KiB records, several per socket read) all answered.
    @Test func largePipelinedRequestsBufferedInsideTLSAreAllAnswered() throws {
        let (server, _, port) = try server()
        defer { server.shutdown(gracePeriod: .zero) }
        let stream = try tlsClient(port)
        defer { stream.close() }
        let pad = String(repeating: "x", count: 12_000)
        var requests = ""
        for i in 0..<30 { requests += "GET /n/\(i) HTTP/1.1\r\nHost: test\r\nX-Pad: \(pad)\r\n\r\n" }
        requests += get("/n/end", close: true)
        try Array(requests.utf8).withUnsafeBytes { try stream.writeAll($0, deadline: Deadline(after: .seconds(5))) }
        let received = try readUntilClosed(stream, seconds: 10)
        let bodies = String(decoding: received, as: UTF8.self).components(separatedBy: "HTTP/1.1 200 OK").dropFirst()
            .map { $0.components(separatedBy: "\r\n\r\n").last ?? "" }
        #expect(bodies == (0..<30).map { "GET /n/\($0)" } + ["GET /n/end"])
    }

    /// Large answers to pipelined requests: parsing pauses above the output high-water mark while
    /// the remaining requests sit inside OpenSSL (epoll cannot report them) and must resume.
    @Test func pipelinedLargeResponsesOverTLSResumeAfterTheOutputDrains() throws {
        let (server, _, port) = try server()
        defer { server.shutdown(gracePeriod: .zero) }
        let stream = try tlsClient(port)
        defer { stream.close() }
        let requests = String(repeating: get("/big"), count: 6) + get("/n/end", close: true)
        try Array(requests.utf8).withUnsafeBytes { try stream.writeAll($0, deadline: Deadline(after: .seconds(5))) }
        let received = try readUntilClosed(stream, seconds: 20)
        #expect(received.count > 6 * bigBody.count)
        #expect(String(decoding: received.suffix(10), as: UTF8.self).hasSuffix("GET /n/end"))
    }

    @Test func plainHTTPToTheTLSPortGetsA400AndTheServerKeepsServing() throws {
        let (server, _, port) = try server()
        defer { server.shutdown(gracePeriod: .zero) }
        let response = try httpRequest(port: port, path: "/n/x")
        #expect(response.status == 400)
        #expect(String(decoding: response.body, as: UTF8.self).contains("HTTP request to an HTTPS server"))
        #expect(try curl(port).code == "200")
        #expect(server.statistics.tlsHandshakeFailures["http_on_tls"] == 1)
    }

    @Test func garbageInsteadOfAHandshakeIsClosedAndCounted() throws {
        let (server, _, port) = try server()
        defer { server.shutdown(gracePeriod: .zero) }
        let socket = try Socket.connect(to: .tcp(host: "127.0.0.1", port: port), timeout: .seconds(5))
        defer { socket.close() }
        try Array(repeating: UInt8(0x16), count: 5).withUnsafeBytes {
            try socket.writeAll($0, deadline: Deadline(after: .seconds(2)))
        }
        try [UInt8](repeating: 0xFF, count: 300).withUnsafeBytes {
            try socket.writeAll($0, deadline: Deadline(after: .seconds(2)))
        }
        var buffer = [UInt8](repeating: 0, count: 1024)
        var closed = false
        let deadline = Deadline(after: .seconds(5))
        while !closed {
            let n = try buffer.withUnsafeMutableBytes { try socket.read(into: $0, deadline: deadline) }
            if n == 0 { closed = true }
        }
        #expect(closed)
        #expect(waitUntil(timeout: 2) { server.statistics.tlsHandshakeFailures["error"] == 1 })
        #expect(try curl(port).code == "200")
    }

    @Test func aHandshakeThatNeverFinishesDoesNotBlockOthersAndIsCutAtTheRequestTimeout() throws {
        let (server, _, port) = try server(requestTimeout: .seconds(1))
        defer { server.shutdown(gracePeriod: .zero) }
        // Half a ClientHello record header: the handshake can never progress.
        let stalled = try (0..<3).map { _ in
            try Socket.connect(to: .tcp(host: "127.0.0.1", port: port), timeout: .seconds(5))
        }
        defer { for s in stalled { s.close() } }
        for s in stalled {
            try [UInt8]([0x16, 0x03]).withUnsafeBytes { try s.writeAll($0, deadline: Deadline(after: .seconds(2))) }
        }
        // Meanwhile others are served at once, repeatedly.
        for _ in 0..<3 { #expect(try curl(port).code == "200") }
        #expect(waitUntil(timeout: 5) { server.statistics.tlsHandshakeFailures["timeout"] == 3 })
        var buffer = [UInt8](repeating: 0, count: 16)
        for s in stalled {
            let n = try buffer.withUnsafeMutableBytes { try s.read(into: $0, deadline: Deadline(after: .seconds(3))) }
            #expect(n == 0)  // closed by the server, no HTTP 408 in plain text
        }
    }

    @Test func requireAndVerifyClientCertRejectsClientsWithoutOrWithAForeignCertificate() throws {
        let tls = TLSServerConfiguration(
            certificateFile: certs.serverCert, keyFile: certs.serverKey,
            clientAuthentication: .requireAndVerifyClientCert,
            clientCAFile: certs.caCert)
        let (server, _, port) = try server(tls)
        defer { server.shutdown(gracePeriod: .zero) }
        let without = try curl(port)
        #expect(without.code == "000", "expected the handshake to fail: \(without)")
        let foreign = try foreignClientCertificate()
        #expect(try curl(port, "/n/x", ["--cert", foreign.cert, "--key", foreign.key]).code == "000")
        #expect(try curl(port, "/n/x", ["--cert", certs.clientCert, "--key", certs.clientKey]).code == "200")
        #expect(waitUntil(timeout: 2) { server.statistics.tlsHandshakeFailures["error"] == 2 })
    }

    @Test func otherClientAuthTypesBehaveAsGoDefinesThem() throws {
        let foreign = try foreignClientCertificate()
        let own = ["--cert", certs.clientCert, "--key", certs.clientKey]
        let other = ["--cert", foreign.cert, "--key", foreign.key]
        // (mode, no certificate, foreign certificate, certificate from the client CA)
        let cases: [(TLSServerConfiguration.ClientAuthentication, String, String, String)] = [
            (.requestClientCert, "200", "200", "200"),
            (.requireAnyClientCert, "000", "200", "200"),
            (.verifyClientCertIfGiven, "200", "000", "200"),
        ]
        for (mode, none, foreignCode, ownCode) in cases {
            let tls = TLSServerConfiguration(
                certificateFile: certs.serverCert, keyFile: certs.serverKey, clientAuthentication: mode,
                clientCAFile: mode.verifiesCertificate ? certs.caCert : nil)
            let (server, _, port) = try server(tls)
            defer { server.shutdown(gracePeriod: .zero) }
            #expect(try curl(port).code == none, "\(mode) without a certificate")
            #expect(try curl(port, "/n/x", other).code == foreignCode, "\(mode) with a foreign certificate")
            #expect(try curl(port, "/n/x", own).code == ownCode, "\(mode) with a client-CA certificate")
        }
    }

    @Test func minAndMaxVersionAreEnforced() throws {
        let tls13 = TLSServerConfiguration(
            certificateFile: certs.serverCert, keyFile: certs.serverKey, minimumVersion: .tls13)
        let (server, _, port) = try server(tls13)
        defer { server.shutdown(gracePeriod: .zero) }
        #expect(try curl(port, "/n/x", ["--tls-max", "1.2"]).code == "000")
        #expect(try curl(port, "/n/x", ["--tlsv1.3"]).code == "200")

        let only12 = TLSServerConfiguration(
            certificateFile: certs.serverCert, keyFile: certs.serverKey, minimumVersion: .tls12, maximumVersion: .tls12)
        let (server12, _, port12) = try self.server(only12)
        defer { server12.shutdown(gracePeriod: .zero) }
        #expect(try curl(port12, "/n/x", ["--tlsv1.3"]).code == "000")
        let verbose = try runCommand(
            try requireTool("curl"),
            ["-sS", "-v", "-o", "/dev/null", "--cacert", certs.caCert, "https://localhost:\(port12)/n/x"])
        #expect(verbose.stderr.contains("TLSv1.2"))
    }

    @Test func aRenewedCertificateIsServedToNewConnectionsWithoutARestart() throws {
        // The server's files are copies that the test replaces, as a certificate renewal does.
        let dir = try makeTemporaryDirectory("renew").path
        let cert = dir + "/tls.crt"
        let key = dir + "/tls.key"
        try FileManager.default.copyItem(atPath: certs.serverCert, toPath: cert)
        try FileManager.default.copyItem(atPath: certs.serverKey, toPath: key)
        let (server, source, port) = try server(TLSServerConfiguration(certificateFile: cert, keyFile: key))
        defer { server.shutdown(gracePeriod: .zero) }
        #expect(try servedSubject(port).contains("CN=localhost"))

        // A new key and certificate for CN=renewed, signed by the same CA.
        let openssl = try requireTool("openssl")
        _ = try runCommand(
            openssl,
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/new.key", "-out", dir + "/new.csr", "-subj",
                "/CN=renewed",
            ])
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: dir + "/ext", atomically: true, encoding: .utf8)
        _ = try runCommand(
            openssl,
            [
                "x509", "-req", "-in", dir + "/new.csr", "-CA", certs.caCert, "-CAkey", certs.caKey,
                "-CAcreateserial", "-out", dir + "/new.crt", "-days", "2", "-extfile", dir + "/ext",
            ])
        // Only the key first: the pair does not match, so the old certificate stays in use.
        try FileManager.default.removeItem(atPath: key)
        try FileManager.default.copyItem(atPath: dir + "/new.key", toPath: key)
        #expect(
            waitUntil(timeout: 5) {
                _ = try? curl(port)  // checks happen when connections arrive
                return source.statistics.failures >= 1
            })
        #expect(try curl(port).code == "200")
        #expect(try servedSubject(port).contains("CN=localhost"))
        // Then the certificate: the next check picks the matching pair up.
        try FileManager.default.removeItem(atPath: cert)
        try FileManager.default.copyItem(atPath: dir + "/new.crt", toPath: cert)
        #expect(waitUntil(timeout: 5) { (try? servedSubject(port))?.contains("CN=renewed") == true })
        #expect(source.statistics.reloads == 1)
        #expect(try curl(port).code == "200")
    }

    /// Other certificate shapes: an EC key, and a chain through an intermediate CA in cert_file
    /// (clients trust only the root).
    @Test func anECKeyWithAnIntermediateChainIsServed() throws {
        let openssl = try requireTool("openssl")
        let dir = try makeTemporaryDirectory("chain").path
        func run(_ args: [String]) throws {
            let r = try runCommand(openssl, args)
            if r.status != 0 { throw HarnessError("openssl \(args[0]) failed: \(r.stderr)") }
        }
        try "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n".write(
            toFile: dir + "/ca.ext", atomically: true, encoding: .utf8)
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(
            toFile: dir + "/leaf.ext", atomically: true, encoding: .utf8)
        try run([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir + "/int.key",
            "-out", dir + "/int.csr", "-subj", "/CN=intermediate",
        ])
        try run([
            "x509", "-req", "-in", dir + "/int.csr", "-CA", certs.caCert, "-CAkey", certs.caKey, "-CAcreateserial",
            "-out", dir + "/int.pem", "-days", "2", "-extfile", dir + "/ca.ext",
        ])
        try run([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir + "/leaf.key",
            "-out", dir + "/leaf.csr", "-subj", "/CN=localhost",
        ])
        try run([
            "x509", "-req", "-in", dir + "/leaf.csr", "-CA", dir + "/int.pem", "-CAkey", dir + "/int.key",
            "-CAcreateserial", "-out", dir + "/leaf.pem", "-days", "2", "-extfile", dir + "/leaf.ext",
        ])
        let chain =
            try String(contentsOfFile: dir + "/leaf.pem", encoding: .utf8)
            + String(contentsOfFile: dir + "/int.pem", encoding: .utf8)
        try chain.write(toFile: dir + "/chain.pem", atomically: true, encoding: .utf8)
        let (server, _, port) = try server(
            TLSServerConfiguration(certificateFile: dir + "/chain.pem", keyFile: dir + "/leaf.key"))
        defer { server.shutdown(gracePeriod: .zero) }
        #expect(try curl(port).code == "200")
    }

    /// The subject of the certificate the server presents, as `openssl s_client` prints it.
    func servedSubject(_ port: UInt16) throws -> String {
        let r = try runCommand(
            try requireTool("openssl"), ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost"],
            input: Data())
        // OpenSSL 3 prints "subject=CN = localhost"; without spaces it reads "subject=CN=localhost".
        return (r.stdout.components(separatedBy: "\n").first { $0.hasPrefix("subject=") } ?? "").replacingOccurrences(
            of: " ", with: "")
    }
}
