import Foundation

/// A throw-away PKI made with the `openssl` command line for one test run: a CA, a server
/// certificate for `localhost` / 127.0.0.1 / ::1 signed by it, a client certificate, and an
/// unrelated "wrong" CA. Nothing is checked in; every run makes new keys.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caCert: String { directory + "/ca.pem" }
    public var caKey: String { directory + "/ca.key" }
    public var serverCert: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    public var clientCert: String { directory + "/client.pem" }
    public var clientKey: String { directory + "/client.key" }
    public var wrongCACert: String { directory + "/wrong-ca.pem" }

    /// Generates everything into a new temporary directory.
    public init() throws {
        let dir = try makeTemporaryDirectory("certs").path
        self.directory = dir
        let openssl = try requireTool("openssl")
        func run(_ args: [String]) throws {
            let r = try runCommand(openssl, args)
            if r.status != 0 { throw HarnessError("openssl \(args.first ?? "") failed: \(r.stderr)") }
        }
        try run([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/ca.key", "-out", dir + "/ca.pem",
            "-days", "2", "-subj", "/CN=celery-redis-exporter test CA",
        ])
        try run([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/wrong-ca.key",
            "-out", dir + "/wrong-ca.pem", "-days", "2", "-subj", "/CN=unrelated CA",
        ])
        for (name, cn, san) in [
            ("server", "localhost", "DNS:localhost,IP:127.0.0.1,IP:::1"),
            ("client", "test-client", "DNS:test-client"),
        ] {
            try run([
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(dir)/\(name).key", "-out", "\(dir)/\(name).csr",
                "-subj", "/CN=\(cn)",
            ])
            try "subjectAltName=\(san)\n".write(toFile: "\(dir)/\(name).ext", atomically: true, encoding: .utf8)
            try run([
                "x509", "-req", "-in", "\(dir)/\(name).csr", "-CA", dir + "/ca.pem", "-CAkey", dir + "/ca.key",
                "-CAcreateserial", "-out", "\(dir)/\(name).pem", "-days", "2", "-extfile", "\(dir)/\(name).ext",
            ])
        }
    }
}
