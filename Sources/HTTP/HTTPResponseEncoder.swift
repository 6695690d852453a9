#if canImport(Glibc)
    import Glibc
#endif

/// Writes response heads. Owned by one loop thread: it caches the `Date` field, which only
/// changes once a second, and the complete heads of prepared responses
/// (``HTTPResponse/prepared()``) for that second, so serving a prepared response encodes and
/// allocates nothing.
struct HTTPResponseEncoder {
    private var dateSecond: Int = -1
    private var dateField: [UInt8] = []

    /// A complete head of a prepared response, valid for the current second.
    private struct HeadKey: Hashable {
        var prepared: ObjectIdentifier
        var bodyLength: Int
        var keepAlive: Bool
        var http10: Bool
    }
    /// Heads of prepared responses for `dateSecond`. An entry keeps its prepared head alive, so
    /// the identifier in its key cannot be reused by another object while it is cached. Cleared
    /// every second and when full: a handful of bodies are served, each in few variants.
    private var heads: [HeadKey: (prepared: HTTPPreparedHead, bytes: [UInt8])] = [:]
    private static let maximumCachedHeads = 64

    /// Header fields the server manages itself; a handler's copies are dropped.
    private static let managed = ["Content-Length", "Connection", "Transfer-Encoding", "Date"]

    /// The status line and header fields (ending with the blank line) of `response`.
    /// - Parameters:
    ///   - bodyLength: the `Content-Length` to announce (the GET length for HEAD).
    ///   - keepAlive: false adds `Connection: close`.
    ///   - http10: the request was HTTP/1.0, so keep-alive must be announced explicitly.
    mutating func head(_ response: HTTPResponse, bodyLength: Int, keepAlive: Bool, http10: Bool) -> [UInt8] {
        refreshDate()
        guard let prepared = response.preparedHead else {
            var out: [UInt8] = []
            out.reserveCapacity(256)
            encodeHead(response, bodyLength: bodyLength, keepAlive: keepAlive, http10: http10, into: &out)
            return out
        }
        let key = HeadKey(
            prepared: ObjectIdentifier(prepared), bodyLength: bodyLength, keepAlive: keepAlive, http10: http10)
        if let cached = heads[key] { return cached.bytes }
        var out: [UInt8] = []
        out.reserveCapacity(prepared.fields.count + 96)
        out += prepared.fields
        appendManagedFields(
            status: prepared.status, bodyLength: bodyLength, keepAlive: keepAlive, http10: http10, into: &out)
        if heads.count >= Self.maximumCachedHeads { heads.removeAll(keepingCapacity: true) }
        heads[key] = (prepared, out)
        return out
    }

    /// Appends the status line and header fields (ending with the blank line) to `out`; the
    /// parameters are those of ``head(_:bodyLength:keepAlive:http10:)``.
    mutating func encodeHead(
        _ response: HTTPResponse, bodyLength: Int, keepAlive: Bool, http10: Bool, into out: inout [UInt8]
    ) {
        refreshDate()
        Self.encodeFields(status: response.status, headers: response.headers, into: &out)
        appendManagedFields(
            status: response.status, bodyLength: bodyLength, keepAlive: keepAlive, http10: http10, into: &out)
    }

    /// Appends the status line and the handler's header fields, without the managed ones and
    /// without any that could forge fields or a second response.
    static func encodeFields(status code: Int, headers: [(String, String)], into out: inout [UInt8]) {
        let status = HTTPStatus(code)
        out.append(contentsOf: "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8)
        for (name, value) in headers {
            if managed.contains(where: { HTTPHeaders.namesEqual($0, name) }) { continue }
            // A CR or LF from a handler would let it forge fields or a second response: drop it.
            if name.utf8.contains(where: { !isTokenByte($0) }) || value.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
                continue
            }
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
    }

    /// Appends `Date`, `Content-Length`, `Connection` and the blank line.
    private func appendManagedFields(
        status code: Int, bodyLength: Int, keepAlive: Bool, http10: Bool, into out: inout [UInt8]
    ) {
        out += dateField
        if !(code < 200 || code == 204) {
            out.append(contentsOf: "Content-Length: ".utf8)
            Self.appendDecimal(bodyLength, to: &out)
            out.append(contentsOf: "\r\n".utf8)
        }
        if !keepAlive {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        } else if http10 {
            out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
    }

    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        precondition(value >= 0, "a Content-Length cannot be negative")
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(48 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Brings the `Date` field up to date; a new second also retires the cached heads.
    private mutating func refreshDate() {
        var now = time(nil)
        guard Int(now) != dateSecond else { return }
        var parts = tm()
        gmtime_r(&now, &parts)
        dateSecond = Int(now)
        dateField = Array("Date: \(Self.imfFixdate(parts))\r\n".utf8)
        heads.removeAll(keepingCapacity: true)
    }

    /// The IMF-fixdate of RFC 9110 §5.6.7 (`Sun, 06 Nov 1994 08:49:37 GMT`).
    private static func imfFixdate(_ parts: tm) -> String {
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
