/// A failed TLS operation: what kind of failure, what we were doing, and OpenSSL's own error
/// queue as text (drained where the failure happened, so it belongs to this failure only).
///
/// Certificate problems are reported as ``Kind/verification(code:reason:)`` with OpenSSL's
/// `X509_V_ERR_*` code, so callers (and tests) can tell an untrusted chain (18, 19, 20, 21) from a
/// host name mismatch (62) or an IP address mismatch (64).
public struct TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The broad class of a ``TLSError``.
    public enum Kind: Equatable, Sendable {
        /// A context could not be set up: unreadable or malformed CA, certificate or key file,
        /// a key that does not match its certificate, or an invalid option combination.
        case configuration
        /// The TLS handshake failed for a reason other than certificate verification (no common
        /// protocol version or cipher, a peer alert, garbage from a non-TLS peer).
        case handshake
        /// The peer's certificate was rejected. `code` is OpenSSL's `X509_V_ERR_*` value
        /// (e.g. 20 "unable to get local issuer certificate", 62 "hostname mismatch") and
        /// `reason` is `X509_verify_cert_error_string(code)`.
        case verification(code: Int, reason: String)
        /// A socket or TLS protocol failure after the handshake (or while moving its bytes).
        case io
        /// The operation did not finish before its deadline.
        case timedOut
        /// The connection is closed: by the peer in the middle of a handshake or a write, or
        /// locally with ``TLSStream/close()``.
        case closed
    }

    /// What went wrong, broadly.
    public let kind: Kind
    /// What we were doing, with the context that matters (file, host, call), e.g.
    /// `"TLS handshake with localhost"`.
    public let message: String
    /// OpenSSL's error queue for this failure, entries joined by `"; "` (empty when it was empty).
    public let openSSLErrors: String

    /// Creates an error; most code uses the internal helpers that also drain OpenSSL's queue.
    public init(kind: Kind, message: String, openSSLErrors: String = "") {
        self.kind = kind
        self.message = message
        self.openSSLErrors = openSSLErrors
    }

    /// The `X509_V_ERR_*` code when this is a verification failure, otherwise nil.
    public var verificationCode: Int? {
        if case .verification(let code, _) = kind { return code }
        return nil
    }

    /// One line: the message, the verification result if any, then OpenSSL's queue.
    public var description: String {
        var text = message
        switch kind {
        case .verification(let code, let reason): text += ": certificate verification failed (\(code): \(reason))"
        case .timedOut: text += ": timed out"
        case .closed: text += ": connection closed"
        case .configuration, .handshake, .io: break
        }
        if !openSSLErrors.isEmpty { text += " [OpenSSL: \(openSSLErrors)]" }
        return text
    }
}
