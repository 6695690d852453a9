import Sockets
import TLS

/// The exporter's own endpoint security, read from `--web.config.file` in exporter-toolkit's
/// format (what Prometheus and its exporters use), so the same file works here:
///
/// ```yaml
/// tls_server_config:
///   cert_file: server.crt          # relative paths are relative to this file
///   key_file: server.key
///   client_auth_type: RequireAndVerifyClientCert
///   client_ca_file: clients-ca.crt
///   min_version: TLS12
/// http_server_config:
///   headers:
///     Strict-Transport-Security: max-age=31536000
/// basic_auth_users:
///   prometheus: $2y$10$...          # bcrypt, e.g. from htpasswd -nBC 10 prometheus
/// ```
///
/// Everything is checked when the file is read (unknown keys, bad values, unreadable
/// certificates); errors name the file, line and key but never quote a value.
public struct WebConfig: Sendable {
    /// TLS for every listener; nil: plain HTTP.
    public var tls: TLSServerConfiguration?
    /// Users allowed in, name → bcrypt hash; empty: no authentication.
    public var users: [String: String] = [:]
    /// Headers added to every response, in the file's order.
    public var headers: [(String, String)] = []

    /// Most users in one file: each is a table entry and the file is configuration, not a database.
    public static let maximumUsers = 1000

    /// The headers exporter-toolkit allows (the same set, so files stay portable), with the
    /// values allowed where the header's values are an enumeration.
    static let allowedHeaders: [(name: String, values: [String]?)] = [
        ("Strict-Transport-Security", nil),
        ("X-Content-Type-Options", ["nosniff"]),
        ("X-Frame-Options", ["deny", "sameorigin"]),
        ("X-XSS-Protection", nil),
        ("Content-Security-Policy", nil),
    ]

    /// Reads and validates `file`, loading the TLS files once to check them.
    public static func load(file: String) throws(ConfigurationError) -> WebConfig {
        let bytes: [UInt8]
        switch RegularFile.read(file, maximumBytes: 1 << 20) {
        case .success(let content): bytes = content
        case .failure(let error):
            throw .invalidValue(.flag("web.config.file"), shown: file, problem: .unreadableFile(error))
        }
        let config: WebConfig
        do {
            config = try WebConfigReader(file: file).read(yaml: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw .file(error)
        }
        if let tls = config.tls {
            do {
                _ = try TLSServerContext(tls)
            } catch {
                throw .webTLS(file: file, reason: "\(error)")
            }
        }
        return config
    }
}
