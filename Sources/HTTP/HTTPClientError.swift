import Sockets
import TLS

/// A failed client request. URLs in these errors are always redacted (``HTTPClientURL/redacted``).
public enum HTTPClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The URL could not be parsed; the reason never repeats the URL (it may hold a token).
    case invalidURL(String)
    /// Connecting (resolution, TCP connect) failed; nothing was sent.
    case connect(url: String, SocketError)
    /// The TLS handshake or certificate verification failed; nothing was sent, and the client
    /// never retries the same request in plaintext.
    case tls(url: String, TLSError)
    /// Writing the request or reading the response failed after the connection was up.
    case io(url: String, String)
    /// The whole exchange did not finish within its timeout.
    case timedOut(url: String)
    /// The server's response was not valid HTTP/1.x.
    case malformedResponse(url: String, String)

    /// True when the request certainly never reached the server (connect or TLS failure).
    public var requestNotSent: Bool {
        switch self {
        case .invalidURL, .connect, .tls: return true
        case .io, .timedOut, .malformedResponse: return false
        }
    }

    /// One line for logs; URLs are redacted.
    public var description: String {
        switch self {
        case .invalidURL(let reason): return "invalid URL: \(reason)"
        case .connect(let url, let error): return "connect to \(url): \(error)"
        case .tls(let url, let error): return "TLS with \(url): \(error)"
        case .io(let url, let text): return "exchange with \(url): \(text)"
        case .timedOut(let url): return "request to \(url) timed out"
        case .malformedResponse(let url, let text): return "malformed response from \(url): \(text)"
        }
    }
}
