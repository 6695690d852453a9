/// What one ``HTTPClient/attempt(_:to:tls:deadline:cancellation:resolver:maxResponseBodyBytes:)``
/// came to, split by the question a retry loop must answer: could the receiver have acted on
/// the request?
public enum HTTPClientOutcome: Sendable, Equatable {
    /// A complete response, whatever its status (3xx is returned, not followed).
    case response(HTTPClientResponse)
    /// Not one byte of the request was written: the name did not resolve (or not in time), the
    /// connect or the TLS handshake failed or timed out, the attempt was cancelled, or the
    /// deadline passed before the write began. The receiver cannot have it: a plain failure,
    /// safe to send again.
    case notSent(HTTPClientError)
    /// The request was written, wholly or in part, and no complete, valid answer came: the
    /// deadline passed or the attempt was cancelled while writing or waiting, the connection
    /// was reset or closed, or the answer was malformed. The receiver may have processed it:
    /// count it as unknown, not failed, and retry with the same idempotency key (`webhook-id`)
    /// so the receiver can drop the duplicate.
    case sentNoAnswer(HTTPClientError)

    /// The response, if one came.
    public var response: HTTPClientResponse? {
        if case .response(let response) = self { return response }
        return nil
    }

    /// The error, if no response came.
    public var error: HTTPClientError? {
        switch self {
        case .response: return nil
        case .notSent(let error), .sentNoAnswer(let error): return error
        }
    }

    /// True unless the request certainly never reached the receiver; the same answer as
    /// `!error.requestNotSent` for every outcome that has an error.
    public var requestMayHaveBeenSent: Bool {
        if case .notSent = self { return false }
        return true
    }
}
