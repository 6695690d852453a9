import Sockets
import TLS

/// A failed client request. URLs in these errors are always redacted (``HTTPClientURL/redacted``).
///
/// ``requestNotSent`` tells whether the request may have reached the receiver, and always agrees
/// with the ``HTTPClientOutcome`` that carries the error (`notSent` or `sentNoAnswer`).
public enum HTTPClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The URL could not be parsed; the reason never repeats the URL (it may hold a token).
    case invalidURL(reason: String)
    /// Connecting failed or ran out of time: name resolution, TCP connect (or the deadline
    /// passed once connected, before the request was written). Nothing was sent.
    case connect(url: String, SocketError)
    /// The TLS handshake or certificate verification failed or ran out of time; nothing was
    /// sent, and the client never retries the same request in plaintext.
    case tls(url: String, TLSError)
    /// Writing the request or reading the response (`operation`: `write` or `read`) failed
    /// after the connection was up; `reason` is the socket's or TLS layer's error text.
    case io(url: String, operation: String, reason: String)
    /// The deadline passed while the request was written or its answer awaited.
    case timedOut(url: String)
    /// The attempt was cut by its ``CancellationToken`` (shutdown); `requestSent` when the
    /// request had begun to be written.
    case cancelled(url: String, requestSent: Bool)
    /// The server's response was not valid HTTP/1.x (the error never quotes the response).
    case malformedResponse(url: String, HTTPClientResponseParseError)

    /// True when the request certainly never reached the server (invalid URL, connect or TLS
    /// failure, cancelled before writing); false when the receiver may have it.
    public var requestNotSent: Bool {
        switch self {
        case .invalidURL, .connect, .tls: return true
        case .cancelled(_, let requestSent): return !requestSent
        case .io, .timedOut, .malformedResponse: return false
        }
    }

    /// One line for logs; URLs are redacted.
    public var description: String {
        switch self {
        case .invalidURL(let reason): return "invalid URL: \(reason)"
        case .connect(let url, let error): return "connect to \(url): \(error)"
        case .tls(let url, let error): return "TLS with \(url): \(error)"
        case .io(let url, let operation, let reason): return "exchange with \(url): \(operation): \(reason)"
        case .timedOut(let url): return "request to \(url) timed out"
        case .cancelled(let url, let sent):
            return "request to \(url) cancelled (shutting down) " + (sent ? "after it was sent" : "before it was sent")
        case .malformedResponse(let url, let error): return "malformed response from \(url): \(error)"
        }
    }
}
