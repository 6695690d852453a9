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
    /// Whether clients must present a certificate that chains to the client CA file.
    public let requireClientCertificate: Bool

    /// Builds the context, loading every file now.
    /// - Parameters:
    ///   - certificateFile: PEM certificate chain (leaf first).
    ///   - keyFile: PEM private key of the leaf (unencrypted).
    ///   - clientCAFile: PEM CAs for verifying client certificates. When given, a client
    ///     certificate is requested and, if presented, must verify.
    ///   - requireClientCertificate: reject clients without a certificate (needs `clientCAFile`).
    ///   - minimumVersion: the oldest protocol version accepted.
    public init(
        certificateFile: String,
        keyFile: String,
        clientCAFile: String? = nil,
        requireClientCertificate: Bool = false,
        minimumVersion: TLSVersion = .tls12
    ) throws {
        OpenSSLSupport.clearErrors()
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw OpenSSLSupport.configurationError("SSL_CTX_new failed")
        }
        self.context = ctx
        self.requireClientCertificate = requireClientCertificate
        // From here on every stored property is set: a throw runs deinit, which frees `ctx` once.
        try OpenSSLSupport.applyCommonOptions(ctx, minimumVersion: minimumVersion)
        try OpenSSLSupport.loadIdentity(ctx, certificateFile: certificateFile, keyFile: keyFile)
        // A session id context is required once client certificates are verified, or resumed
        // sessions fail with "session id context uninitialized".
        let sessionContext: [UInt8] = Array("celery-redis-exporter".utf8)
        _ = SSL_CTX_set_session_id_context(ctx, sessionContext, UInt32(sessionContext.count))
        if let clientCAFile {
            try OpenSSLSupport.loadTrustAnchors(ctx, path: clientCAFile, role: "client CA file")
            if !OpenSSLSupport.isDirectory(clientCAFile) {
                // The CA names sent in the CertificateRequest, so clients pick the right certificate.
                if let names = SSL_load_client_CA_file(clientCAFile) {
                    SSL_CTX_set_client_CA_list(ctx, names)  // takes ownership of `names`
                }
                OpenSSLSupport.clearErrors()
            }
            let mode = requireClientCertificate ? (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT) : SSL_VERIFY_PEER
            SSL_CTX_set_verify(ctx, mode, nil)
        } else if requireClientCertificate {
            throw TLSError(
                kind: .configuration,
                message: "requireClientCertificate needs a client CA file to verify client certificates against")
        } else {
            SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        }
    }

    deinit {
        SSL_CTX_free(context)
    }
}
