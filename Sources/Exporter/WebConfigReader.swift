import Alerting
import TLS

/// Walks a web configuration file's YAML: every key known (exporter-toolkit's names), every value
/// checked, relative paths resolved against the file's directory (as exporter-toolkit does).
/// Errors are ``ConfigError``s: file, line and key path, never a value.
struct WebConfigReader {
    let document: ConfigDocument

    init(file: String) {
        document = ConfigDocument(file: file, flag: "web.config.file")
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

    func read(yaml: String) throws(ConfigError) -> WebConfig {
        var config = WebConfig()
        guard let root = try document.root(yaml: yaml) else { return config }  // an empty file: nothing to secure
        let top = try root.mapping(
            allowed: ["tls_server_config", "http_server_config", "basic_auth_users"], refused: Self.unsupported)
        if let node = top["tls_server_config"] { config.tls = try readTLS(node) }
        if let node = top["http_server_config"] { config.headers = try readHTTP(node) }
        if let node = top["basic_auth_users"] { config.users = try readUsers(node) }
        return config
    }

    // MARK: sections

    private func readTLS(_ node: ConfigValue) throws(ConfigError) -> TLSServerConfiguration? {
        let m = try node.mapping(
            allowed: [
                "cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version",
                "prefer_server_cipher_suites",
            ], refused: Self.unsupported)
        guard !m.isEmpty else { return nil }  // as exporter-toolkit: an empty section is no TLS
        guard let certNode = m["cert_file"] else { throw node.failAt("cert_file", "is required for TLS") }
        guard let keyNode = m["key_file"] else { throw node.failAt("key_file", "is required for TLS") }
        let cert = try certNode.nonEmptyString()
        let key = try keyNode.nonEmptyString()
        var tls = TLSServerConfiguration(certificateFile: document.resolve(cert), keyFile: document.resolve(key))
        if let n = m["client_auth_type"] {
            let text = try n.string()
            // "RequireClientCert" is exporter-toolkit's old spelling of RequireAnyClientCert.
            let value = text == "RequireClientCert" ? "RequireAnyClientCert" : (text.isEmpty ? "NoClientCert" : text)
            guard let mode = TLSServerConfiguration.ClientAuthentication(rawValue: value) else {
                throw n.fail(
                    "expected one of \(TLSServerConfiguration.ClientAuthentication.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            tls.clientAuthentication = mode
        }
        if let n = m["client_ca_file"] { tls.clientCAFile = document.resolve(try n.nonEmptyString()) }
        if let n = m["min_version"] { tls.minimumVersion = try version(n) }
        if let n = m["max_version"] { tls.maximumVersion = try version(n) }
        if let n = m["prefer_server_cipher_suites"] { _ = try n.bool() }
        if tls.clientCAFile != nil && tls.clientAuthentication == .noClientCert {
            throw node.failAt(
                "client_ca_file",
                "is set but client_auth_type is NoClientCert (or missing); choose how client certificates are checked")
        }
        if tls.clientCAFile == nil && tls.clientAuthentication.verifiesCertificate {
            throw node.failAt("client_auth_type", "\(tls.clientAuthentication.rawValue) needs client_ca_file")
        }
        if let maximum = tls.maximumVersion, maximum == .tls12 && tls.minimumVersion == .tls13 {
            throw node.failAt("max_version", "is older than min_version")
        }
        return tls
    }

    private func readHTTP(_ node: ConfigValue) throws(ConfigError) -> [(String, String)] {
        let m = try node.mapping(allowed: ["headers", "http2"], refused: Self.unsupported)
        // HTTP/2 is not served (HTTP/1.1 only), so http2 is accepted and has nothing to turn off.
        if let n = m["http2"] { _ = try n.bool() }
        guard let headersNode = m["headers"], !headersNode.isNull else { return [] }
        var headers: [(String, String)] = []
        let allowedNames = WebConfig.allowedHeaders.map(\.name)
        for entry in try headersNode.mapping(allowed: nil).entries {
            guard let allowed = WebConfig.allowedHeaders.first(where: { $0.name == entry.key }) else {
                // At the header's own line, under the headers path (the name is in the message).
                var error = entry.keyNode.fail(
                    "header \"\(ConfigDocument.shown(entry.key))\" cannot be configured; allowed: \(allowedNames.joined(separator: ", "))"
                )
                error.keyPath = headersNode.keyPath
                throw error
            }
            let value = try entry.value.string()
            guard !value.isEmpty, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw entry.value.fail("expected a non-empty value without control characters")
            }
            if let values = allowed.values, !values.contains(value) {
                throw entry.value.fail("expected one of \(values.joined(separator: ", "))")
            }
            headers.append((entry.key, value))
        }
        return headers
    }

    private func readUsers(_ node: ConfigValue) throws(ConfigError) -> [String: String] {
        guard !node.isNull else { return [:] }
        guard node.isMapping else { throw node.fail("expected a mapping of user names to bcrypt hashes") }
        let entries = try node.mapping(allowed: nil).entries
        guard entries.count <= WebConfig.maximumUsers else {
            throw node.fail("more than \(WebConfig.maximumUsers) users")
        }
        var users: [String: String] = [:]
        for entry in entries {
            let name = entry.key
            guard !name.isEmpty else { throw entry.keyNode.fail("expected user names as keys") }
            guard !name.contains(":"), name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw entry.keyNode.fail(
                    "a user name cannot contain ':' or control characters (HTTP basic authentication)")
            }
            guard let hash = entry.value.scalarText else { throw entry.value.fail("expected a bcrypt hash") }
            // The hash is never quoted: it is a secret of sorts (it can be attacked offline).
            if let problem = Bcrypt.problem(with: hash) {
                throw entry.value.fail("the value " + problem)
            }
            users[name] = hash
        }
        return users
    }

    // MARK: values

    private func version(_ node: ConfigValue) throws(ConfigError) -> TLSVersion {
        switch try node.string() {
        case "TLS12": return .tls12
        case "TLS13": return .tls13
        case "TLS10", "TLS11": throw node.fail("TLS 1.0 and 1.1 are not supported; expected TLS12 or TLS13")
        default: throw node.fail("expected TLS12 or TLS13")
        }
    }
}

extension ConfigValue {
    /// An error about a key of this mapping that is missing or inconsistent: at the mapping's line,
    /// with the key's path.
    func failAt(_ key: String, _ message: String) -> ConfigError {
        var error = fail(message)
        error.keyPath = keyPath.isEmpty ? key : keyPath + "." + key
        return error
    }
}
