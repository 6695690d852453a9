/// A response's status line and header fields, encoded once for a response that is served
/// many times (the exporter's `/metrics` bodies, rendered once per poll): the loop then adds
/// only `Date`, `Content-Length` and `Connection`, from a per-second cache, so serving it
/// encodes and allocates nothing. Made by ``HTTPResponse/prepared()``.
public final class HTTPPreparedHead: Sendable {
    /// The status code.
    let status: Int
    /// The status line and the handler's fields (managed and malformed fields already dropped).
    let fields: [UInt8]
    /// The handler asked to close the connection after the response (`Connection: close`).
    let closes: Bool

    init(status: Int, headers: [(String, String)]) {
        self.status = status
        var bytes: [UInt8] = []
        HTTPResponseEncoder.encodeFields(status: status, headers: headers, into: &bytes)
        fields = bytes
        closes = HTTPResponse.asksToClose(headers)
    }
}

extension HTTPResponse {
    /// This response with its status line and header fields encoded now, once, for serving it
    /// many times without encoding them again. Changing ``status`` or ``headers`` afterwards
    /// drops the prepared encoding (the response is then encoded per request, as any other).
    public func prepared() -> HTTPResponse {
        var response = self
        response.preparedHead = HTTPPreparedHead(status: status, headers: headers)
        return response
    }

    /// True when `headers` carry `Connection: close`.
    static func asksToClose(_ headers: [(String, String)]) -> Bool {
        headers.contains { HTTPHeaders.namesEqual($0.0, "Connection") && $0.1.lowercased().contains("close") }
    }
}
