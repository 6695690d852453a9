import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// Small helpers shared by the contexts and the stream: OpenSSL's error queue, file checks that
/// produce messages naming the file, and loading of certificates, keys and trust anchors.
enum OpenSSLSupport {
    /// Empties this thread's OpenSSL error queue, so the next failure reports only its own errors.
    static func clearErrors() {
        ERR_clear_error()
    }

    /// Drains this thread's OpenSSL error queue into one line (entries joined by `"; "`).
    static func drainErrors() -> String {
        var parts: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            buffer.withUnsafeMutableBufferPointer { raw in
                ERR_error_string_n(code, raw.baseAddress, raw.count)
                parts.append(String(cString: raw.baseAddress!))
            }
        }
        return parts.joined(separator: "; ")
    }

    /// A configuration error with OpenSSL's queue attached.
    static func configurationError(_ message: String) -> TLSError {
        TLSError(kind: .configuration, message: message, openSSLErrors: drainErrors())
    }

    /// Throws a configuration error naming `path` unless it is a readable regular file
    /// (or, when `allowDirectory`, a directory).
    static func checkReadable(_ path: String, role: String, allowDirectory: Bool = false) throws {
        if path.isEmpty { throw TLSError(kind: .configuration, message: "\(role) path is empty") }
        var info = stat()
        if stat(path, &info) != 0 {
            throw TLSError(kind: .configuration, message: "cannot read \(role) \(path): \(errnoText(errno))")
        }
        let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
        if isDirectory && !allowDirectory {
            throw TLSError(kind: .configuration, message: "cannot read \(role) \(path): is a directory")
        }
        // A FIFO or device would block OpenSSL's read (on an HTTP loop thread when certificates
        // are re-read): only regular files (and CA directories).
        if !isDirectory && (info.st_mode & S_IFMT) != S_IFREG {
            throw TLSError(kind: .configuration, message: "cannot read \(role) \(path): not a regular file")
        }
        if access(path, R_OK) != 0 {
            throw TLSError(kind: .configuration, message: "cannot read \(role) \(path): \(errnoText(errno))")
        }
    }

    /// Whether `path` names a directory (for CA directories in `c_rehash` layout).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// `strerror` as a Swift string.
    static func errnoText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Installs a passphrase callback that always fails, so an encrypted key file produces an
    /// error instead of OpenSSL prompting on the terminal (which would hang a daemon).
    static func refusePassphrases(_ ctx: OpaquePointer) {
        SSL_CTX_set_default_passwd_cb(ctx) { _, _, _, _ in 0 }
    }

    /// Loads trust anchors from a PEM bundle or a hashed directory into `ctx`.
    static func loadTrustAnchors(_ ctx: OpaquePointer, path: String, role: String) throws {
        try checkReadable(path, role: role, allowDirectory: true)
        clearErrors()
        let ok: Int32
        if isDirectory(path) {
            ok = SSL_CTX_load_verify_locations(ctx, nil, path)
        } else {
            ok = SSL_CTX_load_verify_locations(ctx, path, nil)
        }
        guard ok == 1 else {
            throw configurationError("\(role) \(path) contains no usable PEM certificate")
        }
    }

    /// Loads a certificate chain and its private key into `ctx` and checks that they match.
    static func loadIdentity(_ ctx: OpaquePointer, certificateFile: String, keyFile: String) throws {
        try checkReadable(certificateFile, role: "certificate file")
        try checkReadable(keyFile, role: "key file")
        clearErrors()
        guard SSL_CTX_use_certificate_chain_file(ctx, certificateFile) == 1 else {
            throw configurationError("certificate file \(certificateFile) does not contain a usable PEM certificate")
        }
        // Parse the key on its own first, so "not a key" and "not this certificate's key" get
        // different messages (SSL_CTX_use_PrivateKey_file reports both as one failure).
        clearErrors()
        guard let key = readPrivateKey(keyFile) else {
            throw configurationError(
                "key file \(keyFile) does not contain a usable PEM private key (encrypted keys are not supported)")
        }
        defer { EVP_PKEY_free(key) }
        clearErrors()
        guard SSL_CTX_use_PrivateKey(ctx, key) == 1, SSL_CTX_check_private_key(ctx) == 1 else {
            throw configurationError("key file \(keyFile) does not match certificate file \(certificateFile)")
        }
    }

    /// Reads the first PEM private key in `path`; nil when there is none, it is malformed, or it
    /// is encrypted (the passphrase callback refuses instead of prompting on the terminal).
    static func readPrivateKey(_ path: String) -> OpaquePointer? {
        guard let bio = BIO_new_file(path, "r") else { return nil }
        defer { BIO_free(bio) }
        return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
    }

    /// Sets the protocol floor and the options every context gets (no compression, no renegotiation).
    static func applyCommonOptions(_ ctx: OpaquePointer, minimumVersion: TLSVersion) throws {
        clearErrors()
        guard copenssl_ctx_set_min_proto(ctx, minimumVersion.openSSLValue) == 1 else {
            throw configurationError("cannot set minimum protocol version \(minimumVersion)")
        }
        _ = SSL_CTX_set_options(ctx, copenssl_op_no_compression() | copenssl_op_no_renegotiation())
        _ = copenssl_ctx_set_mode_release_buffers(ctx)
        refusePassphrases(ctx)
    }

    /// The subject of a certificate in RFC 2253 form (`CN=localhost,O=Example`).
    static func subject(of certificate: OpaquePointer) -> String? {
        guard let name = X509_get_subject_name(certificate), let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, copenssl_xn_flag_rfc2253()) >= 0 else { return nil }
        let length = Int(BIO_ctrl_pending(bio))
        var bytes = [UInt8](repeating: 0, count: length)
        let read = bytes.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(length)) }
        guard read >= 0 else { return nil }
        return String(decoding: bytes.prefix(Int(read)), as: UTF8.self)
    }
}
