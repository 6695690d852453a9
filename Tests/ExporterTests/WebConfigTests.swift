import Foundation
import TLS
import TestSupport
import Testing

@testable import Exporter

/// `--web.config.file` parsing: exporter-toolkit's keys and semantics, one-line errors that name
/// the file, line and key and never quote a hash.
@Suite struct WebConfigTests {
    let certs: TestCertificates
    let directory: String
    static let hash = "$2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby"

    init() throws {
        certs = try TestCertificates()
        directory = certs.directory
    }

    func load(_ yaml: String) throws(ConfigurationError) -> WebConfig {
        let file = directory + "/web-\(UUID().uuidString).yml"
        try? yaml.write(toFile: file, atomically: true, encoding: .utf8)
        return try WebConfig.load(file: file)
    }

    func problem(_ yaml: String) -> String {
        do {
            _ = try load(yaml)
            return "(accepted)"
        } catch {
            return error.description
        }
    }

    @Test func aFullFileIsReadWithPathsRelativeToIt() throws {
        let config = try load(
            """
            tls_server_config:
              cert_file: server.pem
              key_file: server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: ca.pem
              min_version: TLS13
              max_version: TLS13
            http_server_config:
              http2: false
              headers:
                X-Frame-Options: sameorigin
                Strict-Transport-Security: max-age=31536000; includeSubDomains
            basic_auth_users:
              alice: \(Self.hash)
            """)
        let tls = try #require(config.tls)
        #expect(tls.certificateFile == directory + "/server.pem")
        #expect(tls.keyFile == directory + "/server.key")
        #expect(tls.clientCAFile == directory + "/ca.pem")
        #expect(tls.clientAuthentication == .requireAndVerifyClientCert)
        #expect(tls.minimumVersion == .tls13)
        #expect(tls.maximumVersion == .tls13)
        #expect(config.headers.map(\.0) == ["X-Frame-Options", "Strict-Transport-Security"])
        #expect(config.users == ["alice": Self.hash])
    }

    @Test func emptyFilesAndSectionsMeanNoSecurity() throws {
        for yaml in [
            "", "tls_server_config:\n", "tls_server_config: {}\nbasic_auth_users:\n",
            "http_server_config:\n  headers:\n",
        ] {
            let config = try load(yaml)
            #expect(config.tls == nil && config.users.isEmpty && config.headers.isEmpty, "\(yaml)")
        }
        // exporter-toolkit's old spelling still works.
        let legacy = try load(
            "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: RequireClientCert\n"
        )
        #expect(legacy.tls?.clientAuthentication == .requireAnyClientCert)
    }

    @Test func badFilesAreRefusedWithTheKeyAndLine() {
        let cases: [(String, String)] = [
            (
                "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  ciphers: []\n",
                ":4: tls_server_config.ciphers: unknown key"
            ),
            ("basic_auth: {}\n", "basic_auth: unknown key"),
            ("tls_server_config:\n  cert_file: server.pem\n", "tls_server_config.key_file: is required"),
            ("tls_server_config:\n  key_file: server.key\n", "tls_server_config.cert_file: is required"),
            (
                "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: Sometimes\n",
                "expected one of NoClientCert"
            ),
            (
                "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_ca_file: ca.pem\n",
                "client_auth_type is NoClientCert"
            ),
            (
                "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: VerifyClientCertIfGiven\n",
                "needs client_ca_file"
            ),
            (
                "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  min_version: TLS10\n",
                "TLS 1.0 and 1.1 are not supported"
            ),
            (
                "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  min_version: TLS13\n  max_version: TLS12\n",
                "older than min_version"
            ),
            (
                "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
                "cipher_suites: is not supported"
            ),
            ("tls_server_config:\n  cert: inline\n", "inline certificates are not supported"),
            ("tls_server_config:\n  cert_file: missing.pem\n  key_file: server.key\n", "missing.pem"),
            (
                "tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n",
                "does not contain a usable PEM certificate"
            ),
            ("tls_server_config:\n  cert_file: server.pem\n  key_file: client.key\n", "does not match"),
            (
                "http_server_config:\n  headers:\n    Server: nginx\n",
                ":3: http_server_config.headers: header \"Server\" cannot be configured"
            ),
            ("http_server_config:\n  headers:\n    X-Frame-Options: allow\n", "expected one of deny, sameorigin"),
            ("http_server_config:\n  http2: maybe\n", "expected true or false"),
            ("basic_auth_users:\n  alice: alice123\n", "basic_auth_users.alice: the value is not a bcrypt hash"),
            ("basic_auth_users:\n  alice: $2y$31$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby\n", "cost 31"),
            ("basic_auth_users:\n  \"a:b\": \(Self.hash)\n", "cannot contain ':'"),
            ("basic_auth_users: [alice]\n", "expected a mapping"),
            ("rate_limit:\n  burst: 1\n", "rate_limit: is not supported"),
            ("tls_server_config: [\n", "invalid YAML"),
        ]
        for (yaml, expected) in cases {
            let text = problem(yaml)
            #expect(text.contains(expected), "\(yaml) → \(text)")
            #expect(text.hasPrefix("--web.config.file=\(directory)/web-"), "\(text)")
            #expect(!text.contains("\n"))
            #expect(!text.contains("1DpfPeqF9"), "a hash was quoted: \(text)")
            #expect(!text.contains("alice123"), "a value was quoted: \(text)")
        }
    }

    @Test func theExporterExitsWith2AndOneLineForABadFile() throws {
        let file = directory + "/bad.yml"
        try "basic_auth_users:\n  alice: plaintext-password\n".write(toFile: file, atomically: true, encoding: .utf8)
        let (status, stderr) = try runExporterToExit(["--web.config.file=\(file)"])
        #expect(status == 2)
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(stderr)")
        #expect(stderr.contains("basic_auth_users.alice"))
        #expect(!stderr.contains("plaintext-password"))

        let (envStatus, envErr) = try runExporterToExit(
            [], environment: ["CELERY_REDIS_EXPORTER_WEB_CONFIG_FILE": directory + "/nope.yml"])
        #expect(envStatus == 2)
        // Named by the variable that held it, not by a flag nobody typed.
        #expect(envErr.contains("CELERY_REDIS_EXPORTER_WEB_CONFIG_FILE=\(directory)/nope.yml: cannot read the file"))
    }
}
