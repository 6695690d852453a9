import Foundation
import Sockets
import TLS
import TestSupport

/// Shared set-up for the TLS tests: one throw-away PKI per test run and small I/O helpers.
enum TLSFixtures {
    /// Generated once per process (RSA key generation is the slow part); a failure fails every
    /// test that needs certificates instead of crashing.
    private static let generated: Result<TestCertificates, any Error> = Result { try TestCertificates() }

    /// The test PKI: CA, server cert for localhost/127.0.0.1/::1, client cert, wrong CA.
    static func certificates() throws -> TestCertificates { try generated.get() }

    /// The key of the unrelated CA (a self-signed certificate usable as a decoy server identity).
    static func wrongCAKey(_ certs: TestCertificates) -> String { certs.directory + "/wrong-ca.key" }

    /// `openssl s_server` arguments serving the test server certificate.
    static func serverIdentity(_ certs: TestCertificates) -> [String] {
        ["-cert", certs.serverCert, "-key", certs.serverKey]
    }

    /// TCP-connects to 127.0.0.1:`port` and runs our client handshake as `hostname`.
    static func connect(
        port: UInt16, configuration: TLSClientConfiguration, hostname: String = "localhost",
        timeout: Duration = .seconds(5)
    ) throws -> TLSStream {
        let context = try TLSClientContext(configuration)
        let socket = try Socket.connect(to: .tcp(host: "127.0.0.1", port: port), timeout: .seconds(5))
        return try TLSStream.connect(
            over: socket, context: context, hostname: hostname, deadline: Deadline(after: timeout))
    }

    /// Like ``connect(port:configuration:hostname:timeout:)`` but also returns the socket, to
    /// check it was closed after a failure.
    static func connectKeepingSocket(
        port: UInt16, configuration: TLSClientConfiguration, hostname: String = "localhost"
    ) throws -> (Socket, Result<TLSStream, TLSError>) {
        let context = try TLSClientContext(configuration)
        let socket = try Socket.connect(to: .tcp(host: "127.0.0.1", port: port), timeout: .seconds(5))
        do {
            let stream = try TLSStream.connect(
                over: socket, context: context, hostname: hostname, deadline: Deadline(after: .seconds(5)))
            return (socket, .success(stream))
        } catch let error as TLSError {
            return (socket, .failure(error))
        }
    }

    /// Reads until a newline (included) or end of stream.
    static func readLine(_ stream: any ByteStream, timeout: Duration = .seconds(5)) throws -> String {
        let deadline = Deadline(after: timeout)
        var bytes: [UInt8] = []
        var byte: [UInt8] = [0]
        while bytes.last != UInt8(ascii: "\n") {
            let n = try byte.withUnsafeMutableBytes { try stream.read(into: $0, deadline: deadline) }
            if n == 0 { break }
            bytes.append(byte[0])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads until the peer closes (read returns 0).
    static func readToEnd(_ stream: any ByteStream, timeout: Duration = .seconds(5)) throws -> [UInt8] {
        let deadline = Deadline(after: timeout)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0, deadline: deadline) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    /// Reads exactly `count` bytes (fewer only if the peer closes first).
    static func readExactly(_ stream: any ByteStream, count: Int, timeout: Duration = .seconds(10)) throws -> [UInt8] {
        let deadline = Deadline(after: timeout)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while out.count < count {
            let want = min(buffer.count, count - out.count)
            let n = try buffer.withUnsafeMutableBytes {
                try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]), deadline: deadline)
            }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    /// A temporary file with `contents`, for malformed-file tests.
    static func temporaryFile(_ contents: String) throws -> String {
        let dir = try makeTemporaryDirectory("tls-file")
        let path = dir.appendingPathComponent("file.pem").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
