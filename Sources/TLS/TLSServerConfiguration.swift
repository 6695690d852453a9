/// What a TLS server presents and asks of its clients: the files of exporter-toolkit's
/// `tls_server_config` (paths already resolved), checked and loaded by ``TLSServerContext``.
public struct TLSServerConfiguration: Sendable, Equatable {
    /// Whether and how client certificates are asked for, as Go's `tls.ClientAuthType` (and so
    /// exporter-toolkit's `client_auth_type`) spells it.
    public enum ClientAuthentication: String, Sendable, Equatable, CaseIterable {
        /// No certificate is asked for.
        case noClientCert = "NoClientCert"
        /// A certificate is asked for; none, or one that does not verify, is accepted.
        case requestClientCert = "RequestClientCert"
        /// A certificate is required, but not verified.
        case requireAnyClientCert = "RequireAnyClientCert"
        /// A certificate is asked for; if given it must verify against the client CAs.
        case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
        /// A certificate is required and must verify against the client CAs.
        case requireAndVerifyClientCert = "RequireAndVerifyClientCert"

        /// Whether a client without a certificate is turned away.
        public var requiresCertificate: Bool { self == .requireAnyClientCert || self == .requireAndVerifyClientCert }
        /// Whether a presented certificate must chain to the client CAs.
        public var verifiesCertificate: Bool { self == .verifyClientCertIfGiven || self == .requireAndVerifyClientCert }
    }

    /// PEM certificate chain, leaf first.
    public var certificateFile: String
    /// PEM private key of the leaf (unencrypted).
    public var keyFile: String
    /// How client certificates are handled.
    public var clientAuthentication: ClientAuthentication
    /// PEM CAs client certificates must chain to (needed when they are verified).
    public var clientCAFile: String?
    /// The oldest protocol version accepted.
    public var minimumVersion: TLSVersion
    /// The newest protocol version offered; nil: the newest OpenSSL knows (TLS 1.3).
    public var maximumVersion: TLSVersion?

    /// A configuration; defaults as exporter-toolkit's (no client certificates, TLS 1.2 and up).
    public init(
        certificateFile: String, keyFile: String, clientAuthentication: ClientAuthentication = .noClientCert,
        clientCAFile: String? = nil, minimumVersion: TLSVersion = .tls12, maximumVersion: TLSVersion? = nil
    ) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.clientAuthentication = clientAuthentication
        self.clientCAFile = clientCAFile
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
    }

    /// The files the context is built from, to notice when one changes.
    public var files: [String] { [certificateFile, keyFile] + (clientCAFile.map { [$0] } ?? []) }
}
