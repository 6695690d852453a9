/// Why a request could not be parsed. Every case ends the connection after its error response;
/// ``HTTPStatus/init(for:)`` maps each to the status sent.
public enum HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The request line is not `method SP target SP HTTP/x.y` (extra spaces, bad method token). 400.
    case malformedRequestLine
    /// The request target is not origin-form, absolute-form or `*` (for OPTIONS), contains a
    /// byte outside visible ASCII, or has a bad percent escape. 400.
    case invalidTarget
    /// A well-formed version other than HTTP/1.0 and HTTP/1.1 (e.g. `HTTP/2.0`). 505.
    case versionNotSupported
    /// The request line alone exceeded the head limit. 414 (RFC 9110 §15.5.15): the target
    /// is what is too long, and a client can act on that (shorten the query).
    case uriTooLong
    /// Request line plus header fields exceeded the head limit. 431 (RFC 6585 §5).
    case headersTooLarge
    /// A CR not followed by LF, or an LF not preceded by CR. 400: RFC 9112 §2.2 lets a
    /// recipient accept a bare LF, but two parsers that disagree on line ends are how
    /// request smuggling starts, so this server accepts CRLF only.
    case invalidLineEnding
    /// A field line without a colon, an empty or non-token name, or whitespace between the
    /// name and the colon (RFC 9112 §5.1: MUST be rejected with 400). 400.
    case invalidHeaderName
    /// A field value with a control character (NUL, DEL, ...). 400.
    case invalidHeaderValue
    /// A field line starting with whitespace (obsolete line folding, RFC 9112 §5.2). 400.
    case obsoleteLineFolding
    /// HTTP/1.1 without `Host`, or more than one `Host` (RFC 9112 §3.2: MUST answer 400). 400.
    case invalidHost
    /// `Content-Length` that is not digits, overflows, or repeats with different values. 400.
    case invalidContentLength
    /// Both `Content-Length` and `Transfer-Encoding` (RFC 9112 §6.1: a smuggling vector). 400.
    case contentLengthWithTransferEncoding
    /// A `chunked` request body. 411 Length Required: this server reads bodies by
    /// `Content-Length` only (its one body, a reload request, is tiny), and 411 tells the
    /// client exactly what to send instead.
    case chunkedBodyNotSupported
    /// A transfer coding other than `chunked`. 501 (RFC 9112 §6.1).
    case unsupportedTransferEncoding
    /// `Content-Length` above the configured body limit. 413.
    case bodyTooLarge

    /// A short explanation, also sent in the error response's body.
    public var description: String {
        switch self {
        case .malformedRequestLine: return "malformed request line"
        case .invalidTarget: return "invalid request target"
        case .versionNotSupported: return "only HTTP/1.0 and HTTP/1.1 are supported"
        case .uriTooLong: return "request line too long"
        case .headersTooLarge: return "request header fields too large"
        case .invalidLineEnding: return "lines must end with CRLF"
        case .invalidHeaderName: return "invalid header field name"
        case .invalidHeaderValue: return "invalid header field value"
        case .obsoleteLineFolding: return "obsolete line folding is not accepted"
        case .invalidHost: return "HTTP/1.1 requests need exactly one Host header"
        case .invalidContentLength: return "invalid Content-Length"
        case .contentLengthWithTransferEncoding: return "Content-Length and Transfer-Encoding together"
        case .chunkedBodyNotSupported: return "chunked request bodies are not supported; send Content-Length"
        case .unsupportedTransferEncoding: return "unsupported transfer coding"
        case .bodyTooLarge: return "request body too large"
        }
    }
}
