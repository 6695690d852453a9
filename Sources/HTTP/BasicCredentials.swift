import TLS

/// The user and password of an `Authorization: Basic …` header (RFC 7617).
struct BasicCredentials {
    /// The user name (UTF-8 as sent; compared byte for byte with the configured names).
    var user: String
    /// The password bytes, not assumed to be UTF-8.
    var password: [UInt8]

    /// Parses the header value; nil when it is absent, another scheme, or malformed (not base64,
    /// no colon).
    init?(authorization: String?) {
        guard let value = authorization else { return nil }
        let trimmed = value.drop { $0 == " " }
        guard trimmed.count > 6, trimmed.prefix(6).lowercased() == "basic " else { return nil }
        let encoded = trimmed.dropFirst(6).drop { $0 == " " }
        guard let decoded = Base64.decode(Substring(encoded)), let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
        else { return nil }
        user = String(decoding: decoded[..<colon], as: UTF8.self)
        password = Array(decoded[(colon + 1)...])
    }
}
