/// An absolute `http://` or `https://` URL, split into the parts an HTTP/1.1 client needs.
///
/// Parsed once (at configuration load) so a malformed webhook URL stops start-up instead of
/// failing at the first alert. User info (`user:pass@`) is rejected: credentials in URLs end up in
/// logs, and receivers that need them take a header or a signed body instead.
public struct HTTPClientURL: Sendable, Equatable, CustomStringConvertible {
    /// `http` or `https` (lower case).
    public let scheme: String
    /// The host without brackets: a DNS name, an IPv4 literal or an IPv6 literal (`::1`).
    public let host: String
    /// The port: explicit, or 80/443 from the scheme.
    public let port: UInt16
    /// Whether the URL spelled its port out (kept so the `Host` header matches what was written).
    public let hasExplicitPort: Bool
    /// The path and query as sent on the request line (`/hooks/x?token=y`); `/` when empty.
    public let requestTarget: String

    /// True for `https`.
    public var isTLS: Bool { scheme == "https" }

    /// The `Host` header value: the host (bracketed when IPv6) plus the port when it was explicit.
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return hasExplicitPort ? "\(h):\(port)" : h
    }

    /// `scheme://host[:port]/…` with the path and query hidden: URLs of webhooks often carry
    /// tokens (Slack's do), so this is the only form that may appear in logs and errors. An
    /// explicit port is kept, so receivers on one host but different ports log apart.
    public var redacted: String {
        "\(scheme)://\(hostHeader)/…"
    }

    /// The redacted form (see ``redacted``), so interpolating a URL never leaks a secret.
    public var description: String { redacted }

    private static func endsAuthority(_ c: Character) -> Bool { c == "/" || c == "?" || c == "#" }

    /// RFC 3986 §3.1 scheme syntax (a letter, then letters, digits, `+`, `-`, `.`), at most 16
    /// characters: short enough to be a scheme name rather than a token.
    private static func isShowableScheme(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 16,
            ("a"..."z").contains(first)
        else { return false }
        return text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)
        }
    }

    /// Parses `text`; throws ``HTTPClientError/invalidURL(reason:)`` (with a reason, never the URL
    /// itself, which may be a secret) when it is not an absolute http(s) URL.
    public init(_ text: String) throws(HTTPClientError) {
        func fail(_ reason: String) -> HTTPClientError { .invalidURL(reason: reason) }
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw fail("missing scheme (expected http:// or https://)")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            // The text before "://" is shown only when it is a scheme: in a URL that lacks its
            // scheme but carries one further on (`hooks.example.com/T/B/<token>?next=https://…`)
            // it is the host and path, token included.
            guard HTTPClientURL.isShowableScheme(scheme) else {
                throw fail("no valid scheme before :// (expected http:// or https://)")
            }
            throw fail("scheme \(scheme) is not http or https")
        }
        let rest = text[schemeEnd.upperBound...]
        guard !rest.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw fail("contains spaces or control characters")
        }
        let authorityEnd = rest.firstIndex(where: HTTPClientURL.endsAuthority) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        guard !authority.contains("@") else { throw fail("user information in URLs is not supported") }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("unterminated IPv6 literal") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("garbage after IPv6 literal") }
                portText = after.dropFirst()
            }
            guard host.contains(":") else { throw fail("bracketed host is not an IPv6 literal") }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
            guard !host.contains(":") else { throw fail("IPv6 literals must be in brackets") }
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw fail("empty host") }
        let port: UInt16
        if let portText {
            guard let p = UInt16(portText), p > 0 else { throw fail("invalid port") }
            port = p
        } else {
            port = scheme == "https" ? 443 : 80
        }
        self.scheme = scheme
        self.host = String(host)
        self.port = port
        self.hasExplicitPort = portText != nil
        self.requestTarget = target
    }
}
