import Foundation
import Sockets
import TLS
import TestSupport
import Testing

/// Our ``TLSServerContext`` and ``TLSStream/accept(over:context:deadline:)`` against
/// `openssl s_client` and against our own client.
@Suite struct TLSServerContextTests {
    @Test func openSSLClientTalksToOurServer() throws {
        let certs = try TLSFixtures.certificates()
        let context = try TLSServerContext(certificateFile: certs.serverCert, keyFile: certs.serverKey)
        let listener = try TestListener()
        let server = BackgroundTLSServer(listener: listener, context: context) { stream in
            let line = try TLSFixtures.readLine(stream)
            try stream.writeAll(Array("pong: \(line)".utf8), deadline: Deadline(after: .seconds(5)))
        }
        let result = try runCommand(
            try requireTool("openssl"),
            [
                "s_client", "-connect", "127.0.0.1:\(listener.port)", "-CAfile", certs.caCert, "-verify_return_error",
                "-verify_hostname", "localhost", "-servername", "localhost", "-quiet", "-ign_eof",
            ],
            input: Data("ping\n".utf8))
        #expect(result.stdout == "pong: ping\n", "stderr: \(result.stderr)")
        let outcome = try server.wait()
        #expect(outcome.error == nil && outcome.otherError == nil, "\(outcome)")
        #expect(outcome.negotiatedProtocol == "TLSv1.3")
        #expect(outcome.peerCertificateSubject == nil)
    }

    @Test func ourClientAndServerRoundTripLargePayloadAndCloseNotify() throws {
        let certs = try TLSFixtures.certificates()
        let context = try TLSServerContext(certificateFile: certs.serverCert, keyFile: certs.serverKey)
        let listener = try TestListener()
        let size = 1 << 20
        let server = BackgroundTLSServer(listener: listener, context: context) { stream in
            let data = try TLSFixtures.readExactly(stream, count: size)
            try stream.writeAll(data.reversed(), deadline: Deadline(after: .seconds(10)))
        }
        let stream = try TLSFixtures.connect(port: listener.port, configuration: .init(caFile: certs.caCert))
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        try stream.writeAll(payload, deadline: Deadline(after: .seconds(10)))
        let echoed = try TLSFixtures.readExactly(stream, count: size)
        #expect(echoed == payload.reversed())
        // The server closes with close_notify after its reply: the next read reports end of stream.
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(
            try buffer.withUnsafeMutableBytes { try stream.read(into: $0, deadline: Deadline(after: .seconds(5))) } == 0
        )
        let outcome = try server.wait()
        #expect(outcome.error == nil && outcome.otherError == nil, "\(outcome)")
    }

    @Test func requiredClientCertificateIsVerified() throws {
        let certs = try TLSFixtures.certificates()
        let context = try TLSServerContext(
            certificateFile: certs.serverCert, keyFile: certs.serverKey, clientCAFile: certs.caCert,
            requireClientCertificate: true)

        // With a certificate from the trusted CA.
        let listener = try TestListener()
        let server = BackgroundTLSServer(listener: listener, context: context) { stream in
            try stream.writeAll(Array("welcome\n".utf8), deadline: Deadline(after: .seconds(5)))
        }
        let stream = try TLSFixtures.connect(
            port: listener.port,
            configuration: .init(caFile: certs.caCert, certificateFile: certs.clientCert, keyFile: certs.clientKey))
        #expect(try TLSFixtures.readLine(stream) == "welcome\n")
        let outcome = try server.wait()
        #expect(outcome.peerCertificateSubject == "CN=test-client", "\(outcome)")

        // Without a certificate: the server's accept fails, and so does the client.
        let listener2 = try TestListener()
        let server2 = BackgroundTLSServer(listener: listener2, context: context)
        #expect(throws: TLSError.self) {
            let s = try TLSFixtures.connect(port: listener2.port, configuration: .init(caFile: certs.caCert))
            _ = try TLSFixtures.readLine(s)
        }
        let outcome2 = try server2.wait()
        #expect(outcome2.error?.kind == .handshake, "\(outcome2)")
    }

    @Test func clientCertificateFromAnotherCAIsAVerificationError() throws {
        let certs = try TLSFixtures.certificates()
        // The server trusts only the unrelated CA, so the (valid) client certificate does not chain.
        let context = try TLSServerContext(
            certificateFile: certs.serverCert, keyFile: certs.serverKey, clientCAFile: certs.wrongCACert,
            requireClientCertificate: true)
        let listener = try TestListener()
        let server = BackgroundTLSServer(listener: listener, context: context)
        #expect(throws: TLSError.self) {
            let s = try TLSFixtures.connect(
                port: listener.port,
                configuration: .init(caFile: certs.caCert, certificateFile: certs.clientCert, keyFile: certs.clientKey))
            _ = try TLSFixtures.readLine(s)
        }
        let outcome = try server.wait()
        #expect([18, 19, 20, 21].contains(outcome.error?.verificationCode ?? -1), "\(outcome)")
    }

    @Test func writeToAPeerThatStopsReadingTimesOut() throws {
        let certs = try TLSFixtures.certificates()
        let context = try TLSServerContext(certificateFile: certs.serverCert, keyFile: certs.serverKey)
        let listener = try TestListener()
        let server = BackgroundTLSServer(listener: listener, context: context) { _ in usleep(2_000_000) }
        let stream = try TLSFixtures.connect(port: listener.port, configuration: .init(caFile: certs.caCert))
        let payload = [UInt8](repeating: 0x5a, count: 32 << 20)  // far more than the socket buffers hold
        let start = Date()
        let error = #expect(throws: TLSError.self) {
            try stream.writeAll(payload, deadline: Deadline(after: .milliseconds(500)))
        }
        #expect(error?.kind == .timedOut)
        #expect(Date().timeIntervalSince(start) < 3)
        // A record may be half sent: the stream refuses further use instead of corrupting it.
        #expect(throws: TLSError.self) { try stream.writeAll(Array("x".utf8), deadline: Deadline(after: .seconds(1))) }
        stream.close()
        _ = try server.wait()
    }

    @Test func silentClientTimesOutTheServerHandshake() throws {
        let certs = try TLSFixtures.certificates()
        let context = try TLSServerContext(certificateFile: certs.serverCert, keyFile: certs.serverKey)
        let listener = try TestListener()
        let start = Date()
        let server = BackgroundTLSServer(listener: listener, context: context, handshakeTimeout: .milliseconds(500))
        let socket = try Socket.connect(to: .tcp(host: "127.0.0.1", port: listener.port), timeout: .seconds(5))
        let outcome = try server.wait()
        #expect(outcome.error?.kind == .timedOut, "\(outcome)")
        #expect(Date().timeIntervalSince(start) < 3)
        socket.close()
    }

    @Test func requiringClientCertificatesNeedsACAFile() throws {
        let certs = try TLSFixtures.certificates()
        let error = #expect(throws: TLSError.self) {
            _ = try TLSServerContext(
                certificateFile: certs.serverCert, keyFile: certs.serverKey, requireClientCertificate: true)
        }
        #expect(error?.kind == .configuration)
    }

    @Test func missingServerKeyNamesTheFile() throws {
        let certs = try TLSFixtures.certificates()
        let error = #expect(throws: TLSError.self) {
            _ = try TLSServerContext(certificateFile: certs.serverCert, keyFile: "/nonexistent/server.key")
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message == "cannot read key file /nonexistent/server.key: No such file or directory")
    }
}
