/// A response a handler returns. The server adds `Content-Length`, `Date` and `Connection`
/// itself (any the handler sets are replaced), and drops the body for HEAD requests.
public struct HTTPResponse: Sendable {
    /// The status code (`200`, `404`); its reason phrase comes from ``HTTPStatus``.
    public var status: Int { didSet { preparedHead = nil } }
    /// Header fields in order, e.g. `("Content-Type", "text/plain; version=0.0.4")`.
    /// A handler may send `("Connection", "close")` to close the connection after this response.
    public var headers: [(String, String)] { didSet { preparedHead = nil } }
    /// The body bytes; pre-rendered bodies are sent without being copied when large.
    public var body: [UInt8]
    /// Set by ``deferred(_:)``: the real response comes later through this; the other fields
    /// are then ignored.
    public var pending: HTTPDeferredResponse?
    /// Status line and fields encoded by ``prepared()``; nil once either changes.
    var preparedHead: HTTPPreparedHead?

    /// A response from its parts.
    public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response completed later from another thread (see ``HTTPDeferredResponse``): for work
    /// too slow for the loop thread.
    public static func deferred(_ pending: HTTPDeferredResponse) -> HTTPResponse {
        var response = HTTPResponse(status: 503)
        response.pending = pending
        return response
    }

    /// A UTF-8 `text/plain` response.
    public static func text(status: Int = 200, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    /// A UTF-8 `text/html` response.
    public static func html(status: Int = 200, _ html: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(html.utf8))
    }

    /// A response with raw bytes and a content type (the exporter's pre-rendered `/metrics`).
    public static func bytes(status: Int = 200, contentType: String, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: body)
    }

    /// A plain-text error page for `status`: the reason phrase, then `detail` when given.
    public static func error(_ status: HTTPStatus, detail: String? = nil) -> HTTPResponse {
        var text = "\(status.code) \(status.reasonPhrase)\n"
        if let detail { text += detail + "\n" }
        return .text(status: status.code, text)
    }

    /// The value of the first header named `name` (any case), or nil.
    public func header(_ name: String) -> String? {
        headers.first { HTTPHeaders.namesEqual($0.0, name) }?.1
    }
}
