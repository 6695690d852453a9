/// A request for ``HTTPClient/send(request:to:tls:timeout:maxResponseBodyBytes:)``.
///
/// The client adds `Host`, `Content-Length` and `Connection: close` itself (one request per
/// connection keeps the client simple, and webhooks are rare enough that reuse buys nothing).
public struct HTTPClientRequest: Sendable {
    /// The method (`POST`).
    public var method: String
    /// Header fields in order; `Host`, `Content-Length` and `Connection` given here are ignored.
    public var headers: HTTPHeaders
    /// The body bytes (sent with `Content-Length`, never chunked).
    public var body: [UInt8]

    /// A request from its parts.
    public init(method: String = "POST", headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.headers = headers
        self.body = body
    }
}
