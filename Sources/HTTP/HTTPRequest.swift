/// One parsed HTTP request, body included.
public struct HTTPRequest: Sendable {
    /// The method as sent (`GET`, `POST`; case-sensitive per RFC 9110 §9.1).
    ///
    /// A `HEAD` request reaches handlers as `GET` with ``isHead`` set: the server sends the
    /// GET response's headers and `Content-Length` without the body, so handlers never need
    /// a HEAD branch.
    public var method: String
    /// The request target exactly as sent (`/metrics?x=1`, or an absolute URI).
    public var target: String
    /// The percent-decoded path without the query (`/metrics`); `*` for `OPTIONS *`.
    public var path: String
    /// The raw (still percent-encoded) query after `?`, or nil when there is no `?`.
    public var query: String?
    /// The protocol version (1.0 or 1.1; the parser rejects others with 505).
    public var version: HTTPVersion
    /// The header fields.
    public var headers: HTTPHeaders
    /// The body (empty without `Content-Length`).
    public var body: [UInt8]
    /// True when the client sent `HEAD` (``method`` then reads `GET`).
    public var isHead: Bool

    /// A request from its parts (tests build requests for handlers this way).
    public init(
        method: String, target: String, path: String? = nil, query: String? = nil,
        version: HTTPVersion = .http11, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
        isHead: Bool = false
    ) {
        self.method = method
        self.target = target
        if let path {
            self.path = path
            self.query = query
        } else if let q = target.firstIndex(of: "?") {
            self.path = String(target[..<q])
            self.query = String(target[target.index(after: q)...])
        } else {
            self.path = target
            self.query = query
        }
        self.version = version
        self.headers = headers
        self.body = body
        self.isHead = isHead
    }

    /// Whether the client wants the connection kept open after the response:
    /// HTTP/1.1 unless `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    public var wantsKeepAlive: Bool {
        if headers.containsToken("close", in: "Connection") { return false }
        if version == .http10 { return headers.containsToken("keep-alive", in: "Connection") }
        return true
    }
}
