import Foundation
import Sockets
import TLS
import TestSupport
import Testing

/// Our client against a real `openssl s_server`, and our server against our client.
@Suite struct TLSStreamTests {
    // MARK: - Client against openssl s_server

    @Test func trustedCAHandshakeAndRoundTrip() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(TLSFixtures.serverIdentity(certs) + ["-rev"])
        let stream = try TLSFixtures.connect(port: server.port, configuration: .init(caFile: certs.caCert))
        #expect(stream.negotiatedProtocol == "TLSv1.3")
        #expect(!stream.cipherSuite.isEmpty)
        #expect(stream.peerCertificateSubject == "CN=localhost")
        try stream.writeAll(Array("hello tls\n".utf8), deadline: Deadline(after: .seconds(5)))
        // Read one byte: the rest of the record stays buffered inside TLS, invisible to poll(2).
        var first = [UInt8](repeating: 0, count: 1)
        #expect(
            try first.withUnsafeMutableBytes { try stream.read(into: $0, deadline: Deadline(after: .seconds(5))) } == 1)
        #expect(stream.hasBufferedInput)
        #expect(String(decoding: first, as: UTF8.self) + (try TLSFixtures.readLine(stream)) == "slt olleh\n")
        #expect(!stream.hasBufferedInput)
        stream.close()
        #expect(stream.fileDescriptor == -1)
    }

    @Test func readsHTTPResponseUntilServerCloses() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(TLSFixtures.serverIdentity(certs) + ["-www"])
        let stream = try TLSFixtures.connect(port: server.port, configuration: .init(caFile: certs.caCert))
        try stream.writeAll(Array("GET / HTTP/1.0\r\n\r\n".utf8), deadline: Deadline(after: .seconds(5)))
        let body = String(decoding: try TLSFixtures.readToEnd(stream), as: UTF8.self)
        #expect(body.hasPrefix("HTTP/1.0 200 ok"))
        // After the clean close, further reads keep returning 0.
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(
            try buffer.withUnsafeMutableBytes { try stream.read(into: $0, deadline: Deadline(after: .seconds(1))) } == 0
        )
    }

    @Test func wrongCAIsRejectedAndTheSocketClosed() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(TLSFixtures.serverIdentity(certs) + ["-rev"])
        let (socket, result) = try TLSFixtures.connectKeepingSocket(
            port: server.port, configuration: .init(caFile: certs.wrongCACert))
        guard case .failure(let error) = result else {
            Issue.record("handshake with an untrusted server succeeded")
            return
        }
        let code = try #require(error.verificationCode)
        #expect([18, 19, 20, 21].contains(code), "\(error)")
        #expect(error.description.contains("certificate verification failed"))
        #expect(error.openSSLErrors.contains("certificate verify failed"))
        // Nothing can be sent in plaintext afterwards: the stream closed the socket.
        #expect(socket.fd == -1)
        #expect(!server.output.contains("olleh"))
    }

    @Test func systemTrustStoreDoesNotTrustTheTestCA() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(TLSFixtures.serverIdentity(certs) + ["-rev"])
        let error = #expect(throws: TLSError.self) {
            _ = try TLSFixtures.connect(port: server.port, configuration: .init(caFile: nil))
        }
        #expect([19, 20].contains(error?.verificationCode ?? -1), "\(String(describing: error))")
    }

    @Test func wrongHostNameIsRejected() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(TLSFixtures.serverIdentity(certs) + ["-rev"])
        let error = #expect(throws: TLSError.self) {
            _ = try TLSFixtures.connect(
                port: server.port, configuration: .init(caFile: certs.caCert), hostname: "example.com")
        }
        #expect(error?.kind == .verification(code: 62, reason: "hostname mismatch"))
        #expect(error?.message.contains("example.com") == true)
    }

    @Test(arguments: ["127.0.0.1", "::1", "[::1]"])
    func ipLiteralMatchesIPSubjectAltName(host: String) throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(TLSFixtures.serverIdentity(certs) + ["-rev"])
        let stream = try TLSFixtures.connect(
            port: server.port, configuration: .init(caFile: certs.caCert), hostname: host)
        try stream.writeAll(Array("ip\n".utf8), deadline: Deadline(after: .seconds(5)))
        #expect(try TLSFixtures.readLine(stream) == "pi\n")
    }

    @Test func wrongIPAddressIsRejected() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(TLSFixtures.serverIdentity(certs) + ["-rev"])
        let error = #expect(throws: TLSError.self) {
            _ = try TLSFixtures.connect(
                port: server.port, configuration: .init(caFile: certs.caCert, serverName: "127.0.0.2"),
                hostname: "127.0.0.1")
        }
        #expect(error?.verificationCode == 64)
    }

    /// The server presents a decoy certificate unless the ClientHello carries SNI "localhost".
    @Test func sendsSNIForNamesButNotForIPLiterals() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(
            [
                "-cert", certs.wrongCACert, "-key", TLSFixtures.wrongCAKey(certs), "-servername", "localhost",
                "-cert2", certs.serverCert, "-key2", certs.serverKey, "-rev",
            ])
        let named = try TLSFixtures.connect(port: server.port, configuration: .init(caFile: certs.caCert))
        #expect(named.peerCertificateSubject == "CN=localhost")
        named.close()

        // serverName overrides the dialled address for both SNI and verification.
        let overridden = try TLSFixtures.connect(
            port: server.port, configuration: .init(caFile: certs.caCert, serverName: "localhost"),
            hostname: "127.0.0.1")
        #expect(overridden.peerCertificateSubject == "CN=localhost")
        overridden.close()

        // No SNI for an IP literal, so the server falls back to the decoy, which is not trusted.
        let error = #expect(throws: TLSError.self) {
            _ = try TLSFixtures.connect(
                port: server.port, configuration: .init(caFile: certs.caCert), hostname: "127.0.0.1")
        }
        #expect(error?.verificationCode == 18, "\(String(describing: error))")
    }

    @Test func insecureSkipVerifyConnectsDespiteWrongCAAndName() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(TLSFixtures.serverIdentity(certs) + ["-rev"])
        let stream = try TLSFixtures.connect(
            port: server.port, configuration: .init(caFile: certs.wrongCACert, insecureSkipVerify: true),
            hostname: "example.com")
        try stream.writeAll(Array("abc\n".utf8), deadline: Deadline(after: .seconds(5)))
        #expect(try TLSFixtures.readLine(stream) == "cba\n")
    }

    @Test func mutualTLSWithClientCertificate() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(
            TLSFixtures.serverIdentity(certs) + ["-Verify", "1", "-CAfile", certs.caCert, "-rev"])
        let configuration = TLSClientConfiguration(
            caFile: certs.caCert, certificateFile: certs.clientCert, keyFile: certs.clientKey)
        let stream = try TLSFixtures.connect(port: server.port, configuration: configuration)
        try stream.writeAll(Array("mtls\n".utf8), deadline: Deadline(after: .seconds(5)))
        #expect(try TLSFixtures.readLine(stream) == "sltm\n")
    }

    @Test func mutualTLSServerRejectsClientWithoutCertificate() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(
            TLSFixtures.serverIdentity(certs) + ["-Verify", "1", "-CAfile", certs.caCert, "-rev"])
        // In TLS 1.3 the client finishes its side of the handshake before the server checks the
        // certificate, so the rejection (an alert) may surface at connect or at the first read.
        let error = #expect(throws: TLSError.self) {
            let stream = try TLSFixtures.connect(port: server.port, configuration: .init(caFile: certs.caCert))
            try stream.writeAll(Array("no cert\n".utf8), deadline: Deadline(after: .seconds(5)))
            _ = try TLSFixtures.readLine(stream)
        }
        #expect(error?.openSSLErrors.contains("certificate required") == true, "\(String(describing: error))")
        #expect(!server.output.contains("trec on"))
    }

    @Test func refusesServerOfferingOnlyTLS11() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(
            TLSFixtures.serverIdentity(certs) + ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-rev"])
        // The server really speaks TLS 1.1 (so our refusal is about the version, not a dead server).
        let probe = try runCommand(
            try requireTool("openssl"),
            ["s_client", "-connect", "127.0.0.1:\(server.port)", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
            input: Data("x\n".utf8))
        #expect(probe.stdout.contains("Protocol  : TLSv1.1"), "\(probe.stdout) \(probe.stderr)")
        let error = #expect(throws: TLSError.self) {
            _ = try TLSFixtures.connect(port: server.port, configuration: .init(caFile: certs.caCert))
        }
        #expect(error?.kind == .handshake, "\(String(describing: error))")
    }

    @Test func minimumVersionIsEnforced() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(TLSFixtures.serverIdentity(certs) + ["-tls1_2", "-rev"])
        let stream = try TLSFixtures.connect(port: server.port, configuration: .init(caFile: certs.caCert))
        #expect(stream.negotiatedProtocol == "TLSv1.2")
        stream.close()
        let error = #expect(throws: TLSError.self) {
            _ = try TLSFixtures.connect(
                port: server.port, configuration: .init(caFile: certs.caCert, minimumVersion: .tls13))
        }
        #expect(error?.kind == .handshake)
    }

    @Test func silentServerTimesOutByTheDeadline() throws {
        let listener = try TestListener()  // never accepts: the kernel completes TCP, nobody speaks TLS
        let start = Date()
        let error = #expect(throws: TLSError.self) {
            _ = try TLSFixtures.connect(
                port: listener.port, configuration: .init(caFile: nil, insecureSkipVerify: true),
                timeout: .milliseconds(500))
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(error?.kind == .timedOut)
        #expect(elapsed >= 0.45 && elapsed < 3, "took \(elapsed) s")
    }

    @Test func readTimesOutAndTheStreamStaysUsable() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(TLSFixtures.serverIdentity(certs) + ["-rev"])
        let stream = try TLSFixtures.connect(port: server.port, configuration: .init(caFile: certs.caCert))
        var buffer = [UInt8](repeating: 0, count: 64)
        let start = Date()
        let error = #expect(throws: TLSError.self) {
            _ = try buffer.withUnsafeMutableBytes {
                try stream.read(into: $0, deadline: Deadline(after: .milliseconds(300)))
            }
        }
        #expect(error?.kind == .timedOut)
        #expect(Date().timeIntervalSince(start) < 3)
        try stream.writeAll(Array("again\n".utf8), deadline: Deadline(after: .seconds(5)))
        #expect(try TLSFixtures.readLine(stream) == "niaga\n")
    }

    @Test func peerThatIsNotTLSFailsTheHandshake() throws {
        let listener = try TestListener()
        let responder = Thread {
            guard let socket = try? listener.accept() else { return }
            try? socket.writeAll(Array("-ERR this is not TLS\r\n".utf8), deadline: Deadline(after: .seconds(5)))
            usleep(500_000)
            socket.close()
        }
        responder.start()
        let error = #expect(throws: TLSError.self) {
            _ = try TLSFixtures.connect(port: listener.port, configuration: .init(insecureSkipVerify: true))
        }
        #expect(error?.kind == .handshake, "\(String(describing: error))")
        #expect(error?.openSSLErrors.isEmpty == false)
    }

    @Test func useAfterCloseThrowsClosed() throws {
        let certs = try TLSFixtures.certificates()
        let server = try OpenSSLServer(TLSFixtures.serverIdentity(certs) + ["-rev"])
        let stream = try TLSFixtures.connect(port: server.port, configuration: .init(caFile: certs.caCert))
        stream.close()
        stream.close()  // idempotent
        let error = #expect(throws: TLSError.self) {
            try stream.writeAll(Array("x".utf8), deadline: Deadline(after: .seconds(1)))
        }
        #expect(error?.kind == .closed)
    }
}
