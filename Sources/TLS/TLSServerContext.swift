import COpenSSL

/// A configured OpenSSL server context (`SSL_CTX`): the server's certificate and key and,
/// for mutual TLS, the CAs that client certificates must chain to.
///
/// `@unchecked Sendable` is safe because the `SSL_CTX` is fully configured in `init` and never
/// mutated afterwards; OpenSSL locks its internal shared state (reference counts, the session
/// cache, the certificate store) itself, so `SSL_new` may be called on it from any thread.
public final class TLSServerContext: @unchecked Sendable {
    /// The `SSL_CTX`; freed in `deinit` only (a throwing init still runs `deinit`).
    let context: OpaquePointer
    /// Whether clients must present a certificate.
    public let requireClientCertificate: Bool
    /// The configuration the context was built from.
    public let configuration: TLSServerConfiguration

    /// Builds the context, loading every file now.
    /// - Parameters:
    ///   - certificateFile: PEM certificate chain (leaf first).
    ///   - keyFile: PEM private key of the leaf (unencrypted).
    ///   - clientCAFile: PEM CAs for verifying client certificates. When given, a client
    ///     certificate is requested and, if presented, must verify.
    ///   - requireClientCertificate: reject clients without a certificate (needs `clientCAFile`).
    ///   - minimumVersion: the oldest protocol version accepted.
    public convenience init(
        certificateFile: String,
        keyFile: String,
        clientCAFile: String? = nil,
        requireClientCertificate: Bool = false,
        minimumVersion: TLSVersion = .tls12
    ) throws {
        if requireClientCertificate && clientCAFile == nil {
            throw TLSError(
                kind: .configuration,
                message: "requireClientCertificate needs a client CA file to verify client certificates against")
        }
        let authentication: TLSServerConfiguration.ClientAuthentication =
            clientCAFile == nil
            ? .noClientCert : (requireClientCertificate ? .requireAndVerifyClientCert : .verifyClientCertIfGiven)
        try self.init(
            TLSServerConfiguration(
                certificateFile: certificateFile, keyFile: keyFile, clientAuthentication: authentication,
                clientCAFile: clientCAFile, minimumVersion: minimumVersion))
    }

    /// Builds the context from `configuration`, loading every file now.
    /// - Throws: ``TLSError`` of kind `.configuration` naming the file or setting at fault: an
    ///   unreadable or malformed file, a key that does not match the certificate, a verifying
    ///   client authentication without a client CA file, a CA file with a mode that never looks
    ///   at it, or a maximum version below the minimum.
    public init(_ configuration: TLSServerConfiguration) throws {
        OpenSSLSupport.clearErrors()
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw OpenSSLSupport.configurationError("SSL_CTX_new failed")
        }
        self.context = ctx
        self.configuration = configuration
        let authentication = configuration.clientAuthentication
        self.requireClientCertificate = authentication.requiresCertificate
        // From here on every stored property is set: a throw runs deinit, which frees `ctx` once.
        try OpenSSLSupport.applyCommonOptions(ctx, minimumVersion: configuration.minimumVersion)
        if let maximum = configuration.maximumVersion {
            guard maximum.openSSLValue >= configuration.minimumVersion.openSSLValue else {
                throw TLSError(
                    kind: .configuration,
                    message: "max_version \(maximum) is older than min_version \(configuration.minimumVersion)")
            }
            OpenSSLSupport.clearErrors()
            guard copenssl_ctx_set_max_proto(ctx, maximum.openSSLValue) == 1 else {
                throw OpenSSLSupport.configurationError("cannot set maximum protocol version \(maximum)")
            }
        }
        try OpenSSLSupport.loadIdentity(
            ctx, certificateFile: configuration.certificateFile, keyFile: configuration.keyFile)
        // A session id context is required once client certificates are verified, or resumed
        // sessions fail with "session id context uninitialized".
        let sessionContext: [UInt8] = Array("celery-redis-exporter".utf8)
        _ = SSL_CTX_set_session_id_context(ctx, sessionContext, UInt32(sessionContext.count))
        if let clientCAFile = configuration.clientCAFile {
            guard authentication != .noClientCert else {
                // As exporter-toolkit: a CA file that nothing would look at is a mistake, not a default.
                throw TLSError(
                    kind: .configuration,
                    message:
                        "client_ca_file is set but client_auth_type is NoClientCert; choose how client certificates are checked"
                )
            }
            try OpenSSLSupport.loadTrustAnchors(ctx, path: clientCAFile, role: "client CA file")
            if !OpenSSLSupport.isDirectory(clientCAFile) {
                // The CA names sent in the CertificateRequest, so clients pick the right certificate.
                if let names = SSL_load_client_CA_file(clientCAFile) {
                    SSL_CTX_set_client_CA_list(ctx, names)  // takes ownership of `names`
                }
                OpenSSLSupport.clearErrors()
            }
        } else if authentication.verifiesCertificate {
            throw TLSError(
                kind: .configuration,
                message:
                    "client_auth_type \(authentication.rawValue) needs client_ca_file to verify client certificates against"
            )
        }
        switch authentication {
        case .noClientCert:
            SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        case .requestClientCert:
            // Ask, and accept whatever comes (Go's RequestClientCert does not verify).
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, { _, _ in 1 })
        case .requireAnyClientCert:
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, { _, _ in 1 })
        case .verifyClientCertIfGiven:
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        case .requireAndVerifyClientCert:
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
    }

    deinit {
        SSL_CTX_free(context)
    }
}
