import Alerting
import TLS
import Yams

/// Walks a web configuration file's YAML: every key known (exporter-toolkit's names), every value
/// checked, relative paths resolved against the file's directory (as exporter-toolkit does).
struct WebConfigReader {
    let file: String
    let baseDirectory: String

    init(file: String) {
        self.file = file
        if let slash = file.lastIndex(of: "/") {
            baseDirectory = String(file[...slash])
        } else {
            baseDirectory = ""
        }
    }

    /// exporter-toolkit keys this exporter does not implement: refused by name rather than
    /// silently ignored, so nobody believes a setting is in force when it is not.
    private static let unsupported: [String: String] = [
        "cert": "inline certificates are not supported; use cert_file",
        "key": "inline keys are not supported; use key_file",
        "client_ca": "inline client CAs are not supported; use client_ca_file",
        "cipher_suites": "is not supported; OpenSSL's default TLS 1.2 and 1.3 suites are used",
        "curve_preferences": "is not supported; OpenSSL's default groups are used",
        "client_allowed_sans": "is not supported",
        "rate_limit": "is not supported",
    ]

    func fail(_ node: Node?, _ path: String, _ message: String) -> ConfigurationError {
        var text = "--web.config.file=\(file): "
        if let line = node?.mark?.line { text += "line \(line): " }
        if !path.isEmpty { text += path + ": " }
        return ConfigurationError(text + message)
    }

    mutating func read(yaml: String) throws(ConfigurationError) -> WebConfig {
        let root: Node?
        do {
            root = try YAMLLoader.compose(yaml)
        } catch {
            throw ConfigurationError("--web.config.file=\(file): invalid YAML: \(error)")
        }
        var config = WebConfig()
        guard let root, !Self.isNull(root) else { return config }  // an empty file: nothing to secure
        let top = try mapping(root, "", allowed: ["tls_server_config", "http_server_config", "basic_auth_users"])
        if let node = top["tls_server_config"] { config.tls = try readTLS(node) }
        if let node = top["http_server_config"] { config.headers = try readHTTP(node) }
        if let node = top["basic_auth_users"] { config.users = try readUsers(node) }
        return config
    }

    // MARK: sections

    private func readTLS(_ node: Node) throws(ConfigurationError) -> TLSServerConfiguration? {
        let path = "tls_server_config"
        let m = try mapping(
            node, path,
            allowed: [
                "cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version",
                "prefer_server_cipher_suites",
            ])
        guard !m.isEmpty else { return nil }  // as exporter-toolkit: an empty section is no TLS
        guard let certNode = m["cert_file"] else { throw fail(node, path + ".cert_file", "is required for TLS") }
        guard let keyNode = m["key_file"] else { throw fail(node, path + ".key_file", "is required for TLS") }
        let cert = try nonEmpty(certNode, path + ".cert_file")
        let key = try nonEmpty(keyNode, path + ".key_file")
        var tls = TLSServerConfiguration(certificateFile: resolve(cert), keyFile: resolve(key))
        if let n = m["client_auth_type"] {
            let text = try string(n, path + ".client_auth_type")
            // "RequireClientCert" is exporter-toolkit's old spelling of RequireAnyClientCert.
            let value = text == "RequireClientCert" ? "RequireAnyClientCert" : (text.isEmpty ? "NoClientCert" : text)
            guard let mode = TLSServerConfiguration.ClientAuthentication(rawValue: value) else {
                throw fail(
                    n, path + ".client_auth_type",
                    "expected one of \(TLSServerConfiguration.ClientAuthentication.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            tls.clientAuthentication = mode
        }
        if let n = m["client_ca_file"] { tls.clientCAFile = resolve(try nonEmpty(n, path + ".client_ca_file")) }
        if let n = m["min_version"] { tls.minimumVersion = try version(n, path + ".min_version") }
        if let n = m["max_version"] { tls.maximumVersion = try version(n, path + ".max_version") }
        if let n = m["prefer_server_cipher_suites"] { _ = try bool(n, path + ".prefer_server_cipher_suites") }
        if tls.clientCAFile != nil && tls.clientAuthentication == .noClientCert {
            throw fail(
                node, path + ".client_ca_file",
                "is set but client_auth_type is NoClientCert (or missing); choose how client certificates are checked")
        }
        if tls.clientCAFile == nil && tls.clientAuthentication.verifiesCertificate {
            throw fail(node, path + ".client_auth_type", "\(tls.clientAuthentication.rawValue) needs client_ca_file")
        }
        if let maximum = tls.maximumVersion, maximum == .tls12 && tls.minimumVersion == .tls13 {
            throw fail(node, path + ".max_version", "is older than min_version")
        }
        return tls
    }

    private func readHTTP(_ node: Node) throws(ConfigurationError) -> [(String, String)] {
        let path = "http_server_config"
        let m = try mapping(node, path, allowed: ["headers", "http2"])
        // HTTP/2 is not served (HTTP/1.1 only), so http2 is accepted and has nothing to turn off.
        if let n = m["http2"] { _ = try bool(n, path + ".http2") }
        guard let headersNode = m["headers"], !Self.isNull(headersNode) else { return [] }
        guard let pairs = headersNode.mapping else { throw fail(headersNode, path + ".headers", "expected a mapping") }
        var headers: [(String, String)] = []
        for (k, v) in pairs {
            guard let name = k.scalar?.string else { throw fail(k, path + ".headers", "expected header names as keys") }
            let full = path + ".headers." + name
            guard let allowed = WebConfig.allowedHeaders.first(where: { $0.name == name }) else {
                throw fail(
                    k, path + ".headers",
                    "header \"\(ExporterConfiguration.shown(name))\" cannot be configured; allowed: \(WebConfig.allowedHeaders.map(\.name).joined(separator: ", "))"
                )
            }
            let value = try string(v, full)
            guard !value.isEmpty, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw fail(v, full, "expected a non-empty value without control characters")
            }
            if let values = allowed.values, !values.contains(value) {
                throw fail(v, full, "expected one of \(values.joined(separator: ", "))")
            }
            headers.append((name, value))
        }
        return headers
    }

    private func readUsers(_ node: Node) throws(ConfigurationError) -> [String: String] {
        let path = "basic_auth_users"
        guard !Self.isNull(node) else { return [:] }
        guard let pairs = node.mapping else {
            throw fail(node, path, "expected a mapping of user names to bcrypt hashes")
        }
        guard pairs.count <= WebConfig.maximumUsers else {
            throw fail(node, path, "more than \(WebConfig.maximumUsers) users")
        }
        var users: [String: String] = [:]
        for (k, v) in pairs {
            guard let name = k.scalar?.string, !name.isEmpty else { throw fail(k, path, "expected user names as keys") }
            let shownName = ExporterConfiguration.shown(name)
            guard !name.contains(":"), name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw fail(
                    k, path + "." + shownName,
                    "a user name cannot contain ':' or control characters (HTTP basic authentication)")
            }
            guard let hash = v.scalar?.string else { throw fail(v, path + "." + shownName, "expected a bcrypt hash") }
            // The hash is never quoted: it is a secret of sorts (it can be attacked offline).
            if let problem = Bcrypt.problem(with: hash) {
                throw fail(v, path + "." + shownName, "the value " + problem)
            }
            users[name] = hash
        }
        return users
    }

    // MARK: values

    private func mapping(_ node: Node, _ path: String, allowed: [String]) throws(ConfigurationError) -> [String: Node] {
        if Self.isNull(node) { return [:] }
        guard let m = node.mapping else { throw fail(node, path, "expected a mapping") }
        var out: [String: Node] = [:]
        for (k, v) in m {
            guard let key = k.scalar?.string else { throw fail(k, path, "expected string keys") }
            let full = path.isEmpty ? key : path + "." + key
            if let why = Self.unsupported[key] { throw fail(k, full, why) }
            guard allowed.contains(key) else {
                throw fail(
                    k, path.isEmpty ? ExporterConfiguration.shown(key) : path + "." + ExporterConfiguration.shown(key),
                    "unknown key; expected one of: \(allowed.joined(separator: ", "))")
            }
            out[key] = v
        }
        return out
    }

    private func string(_ node: Node, _ path: String) throws(ConfigurationError) -> String {
        guard let s = node.scalar else { throw fail(node, path, "expected a string") }
        return s.string
    }

    private func nonEmpty(_ node: Node, _ path: String) throws(ConfigurationError) -> String {
        let s = try string(node, path)
        guard !s.isEmpty else { throw fail(node, path, "must not be empty") }
        return s
    }

    private func bool(_ node: Node, _ path: String) throws(ConfigurationError) -> Bool {
        switch node.scalar?.string {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw fail(node, path, "expected true or false")
        }
    }

    private func version(_ node: Node, _ path: String) throws(ConfigurationError) -> TLSVersion {
        switch try string(node, path) {
        case "TLS12": return .tls12
        case "TLS13": return .tls13
        case "TLS10", "TLS11": throw fail(node, path, "TLS 1.0 and 1.1 are not supported; expected TLS12 or TLS13")
        default: throw fail(node, path, "expected TLS12 or TLS13")
        }
    }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") || baseDirectory.isEmpty ? path : baseDirectory + path
    }

    private static func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar else { return false }
        return scalar.tag == Tag(.null)
            || (scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string))
    }
}
