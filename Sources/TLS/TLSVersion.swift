import COpenSSL

/// A TLS protocol version that may be required as the minimum. Older versions (SSL 3, TLS 1.0,
/// TLS 1.1) are deliberately not offered.
public enum TLSVersion: Sendable, Equatable, CustomStringConvertible {
    /// TLS 1.2 (RFC 5246), the default minimum.
    case tls12
    /// TLS 1.3 (RFC 8446).
    case tls13

    /// OpenSSL's spelling, as `SSL_get_version` reports it (`TLSv1.2`, `TLSv1.3`).
    public var description: String {
        switch self {
        case .tls12: return "TLSv1.2"
        case .tls13: return "TLSv1.3"
        }
    }

    /// The `TLS1_x_VERSION` constant for `SSL_CTX_set_min_proto_version`.
    var openSSLValue: Int32 {
        switch self {
        case .tls12: return TLS1_2_VERSION
        case .tls13: return TLS1_3_VERSION
        }
    }
}
