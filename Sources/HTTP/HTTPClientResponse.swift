/// A response read by ``HTTPClient``.
public struct HTTPClientResponse: Sendable, Equatable {
    /// The status code (`200`, `503`).
    public var status: Int
    /// The header fields as received.
    public var headers: HTTPHeaders
    /// The body, decoded from chunked transfer coding if needed, at most the configured cap.
    public var body: [UInt8]
    /// True when the body was longer than the cap and the rest was not read. The status and
    /// headers are still valid: a receiver that answers 200 with a huge page has still accepted
    /// the request, so this is not an error.
    public var bodyTruncated: Bool

    /// A response from its parts.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], bodyTruncated: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyTruncated = bodyTruncated
    }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
