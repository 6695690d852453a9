#if canImport(Glibc)
    import Glibc
#endif

/// Writes response heads. Owned by one loop thread: it caches the `Date` value, which only
/// changes once a second, so formatting it is not on every response's path.
struct HTTPResponseEncoder {
    private var dateSecond: Int = -1
    private var dateBytes: [UInt8] = []

    /// Header fields the server manages itself; a handler's copies are dropped.
    private static let managed = ["Content-Length", "Connection", "Transfer-Encoding", "Date"]

    /// Appends the status line and header fields (ending with the blank line) to `out`.
    /// - Parameters:
    ///   - bodyLength: the `Content-Length` to announce (the GET length for HEAD).
    ///   - keepAlive: false adds `Connection: close`.
    ///   - http10: the request was HTTP/1.0, so keep-alive must be announced explicitly.
    mutating func encodeHead(
        _ response: HTTPResponse, bodyLength: Int, keepAlive: Bool, http10: Bool, into out: inout [UInt8]
    ) {
        let status = HTTPStatus(response.status)
        out.append(contentsOf: "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8)
        for (name, value) in response.headers {
            if Self.managed.contains(where: { HTTPHeaders.namesEqual($0, name) }) { continue }
            // A CR or LF from a handler would let it forge fields or a second response: drop it.
            if name.utf8.contains(where: { !isTokenByte($0) }) || value.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
                continue
            }
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "Date: ".utf8)
        out.append(contentsOf: currentDate())
        out.append(contentsOf: "\r\n".utf8)
        if !(status.code < 200 || status.code == 204) {
            out.append(contentsOf: "Content-Length: \(bodyLength)\r\n".utf8)
        }
        if !keepAlive {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        } else if http10 {
            out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
    }

    /// The IMF-fixdate of RFC 9110 §5.6.7 (`Sun, 06 Nov 1994 08:49:37 GMT`) for now.
    private mutating func currentDate() -> [UInt8] {
        var now = time(nil)
        if Int(now) == dateSecond { return dateBytes }
        var parts = tm()
        gmtime_r(&now, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let text =
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
        dateSecond = Int(now)
        dateBytes = Array(text.utf8)
        return dateBytes
    }
}
