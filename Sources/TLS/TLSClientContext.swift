import COpenSSL

/// A configured OpenSSL client context (`SSL_CTX`): trust anchors, optional client certificate,
/// protocol floor. Build one per configuration at start-up and share it between connections.
///
/// `@unchecked Sendable` is safe because the `SSL_CTX` is fully configured in `init` and never
/// mutated afterwards; OpenSSL locks its internal shared state (reference counts, the session
/// cache, the certificate store) itself, so `SSL_new` may be called on it from any thread.
public final class TLSClientContext: @unchecked Sendable {
    /// The configuration this context was built from.
    public let configuration: TLSClientConfiguration
    /// The `SSL_CTX`; freed in `deinit` only (a throwing init still runs `deinit`).
    let context: OpaquePointer

    /// Builds the context, loading every file now, so a bad file stops start-up with a message
    /// that names it (``TLSError/Kind/configuration``).
    public init(_ configuration: TLSClientConfiguration) throws {
        OpenSSLSupport.clearErrors()
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            throw OpenSSLSupport.configurationError("SSL_CTX_new failed")
        }
        self.context = ctx
        self.configuration = configuration
        // From here on every stored property is set: a throw runs deinit, which frees `ctx` once.
        try OpenSSLSupport.applyCommonOptions(ctx, minimumVersion: configuration.minimumVersion)
        // Fail the handshake on a bad chain; the host name is set per connection (SSL_set1_host).
        SSL_CTX_set_verify(ctx, configuration.insecureSkipVerify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nil)
        if let caFile = configuration.caFile {
            try OpenSSLSupport.loadTrustAnchors(ctx, path: caFile, role: "CA file")
        } else {
            OpenSSLSupport.clearErrors()
            guard SSL_CTX_set_default_verify_paths(ctx) == 1 else {
                throw OpenSSLSupport.configurationError("cannot load the system trust store")
            }
        }
        switch (configuration.certificateFile, configuration.keyFile) {
        case (nil, nil):
            break
        case (let cert?, let key?):
            try OpenSSLSupport.loadIdentity(ctx, certificateFile: cert, keyFile: key)
        case (let cert?, nil):
            throw TLSError(
                kind: .configuration, message: "client certificate file \(cert) was given without a key file")
        case (nil, let key?):
            throw TLSError(kind: .configuration, message: "client key file \(key) was given without a certificate file")
        }
    }

    deinit {
        SSL_CTX_free(context)
    }
}
