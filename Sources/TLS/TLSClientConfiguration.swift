/// How a TLS client verifies its peer and identifies itself.
///
/// The defaults verify the server against the system trust store and the host name the caller
/// connected to, with TLS 1.2 as the minimum version.
public struct TLSClientConfiguration: Sendable, Equatable {
    /// PEM file (or directory of hashed certificates) of trusted CAs; nil uses the system trust
    /// store (`SSL_CTX_set_default_verify_paths`, which honours `SSL_CERT_FILE`/`SSL_CERT_DIR`).
    public var caFile: String?
    /// PEM certificate (chain) presented to servers that ask for one (mutual TLS).
    /// Must be given together with ``keyFile``.
    public var certificateFile: String?
    /// PEM private key of ``certificateFile``.
    public var keyFile: String?
    /// The name sent as SNI and checked against the server's certificate instead of the host
    /// the caller connected to (useful when connecting by IP to a server with a DNS-name cert).
    public var serverName: String?
    /// Skips certificate and host name verification entirely. For tests and emergencies only:
    /// the connection is encrypted but not authenticated.
    public var insecureSkipVerify: Bool
    /// The oldest protocol version accepted (TLS 1.2 unless set to TLS 1.3).
    public var minimumVersion: TLSVersion

    /// Creates a configuration; every parameter has the safe default.
    public init(
        caFile: String? = nil,
        certificateFile: String? = nil,
        keyFile: String? = nil,
        serverName: String? = nil,
        insecureSkipVerify: Bool = false,
        minimumVersion: TLSVersion = .tls12
    ) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
        self.minimumVersion = minimumVersion
    }
}
