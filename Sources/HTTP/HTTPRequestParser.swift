/// An incremental HTTP/1.x request parser over bytes, not sockets: the server appends what it
/// reads, tests append literal strings, and both call ``next()`` until it says
/// ``Result/needMoreData``. Pipelined requests come out one per call, in order.
///
/// Decisions (RFC 9112), each answered with the status ``HTTPStatus/init(for:)`` gives:
/// - Lines end in CRLF only; a bare LF or bare CR is a 400 (see ``HTTPParseError/invalidLineEnding``).
///   Empty lines before a request line are skipped (RFC 9112 §2.2).
/// - The head (request line plus fields plus the blank line) may be at most `maxHeaderBytes`
///   long: 414 when the request line alone has not ended within it, 431 otherwise.
/// - Bodies are read by `Content-Length` up to `maxBodyBytes` (413 above). `Transfer-Encoding`
///   is refused: 411 for chunked, 501 for other codings, 400 with `Content-Length` too.
/// - Once it has reported an error the parser stays failed: the connection must close, since
///   where the next request would start is unknown.
public struct HTTPRequestParser: Sendable {
    /// What ``HTTPRequestParser/next()`` found.
    public enum Result: Sendable {
        /// A complete request, removed from the buffer.
        case request(HTTPRequest)
        /// The buffer holds no complete request yet (possibly nothing at all).
        case needMoreData
        /// The input is not acceptable; answer with `HTTPStatus(for:)` and close.
        case error(HTTPParseError)
    }

    /// The longest head (request line, fields and the blank line, CRLFs included) accepted.
    public let maxHeaderBytes: Int
    /// The largest `Content-Length` accepted.
    public let maxBodyBytes: Int

    private var buffer: [UInt8] = []
    /// Index of the first byte not yet consumed by a returned request.
    private var start = 0
    /// Index up to which the current head has been scanned for its end (no rescans when input
    /// trickles in a byte at a time).
    private var scanned = 0
    /// End of the request line (index of its LF) once seen.
    private var requestLineEnd: Int?
    /// A parsed head waiting for its body.
    private var pending: (request: HTTPRequest, bodyLength: Int)?
    private var failure: HTTPParseError?

    /// A parser with the given limits (the server's defaults: 16 KiB head, 64 KiB body).
    public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 64 * 1024) {
        precondition(maxHeaderBytes > 0 && maxBodyBytes >= 0, "parser limits must be positive")
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// Bytes buffered and not yet returned as part of a request.
    public var bufferedByteCount: Int { buffer.count - start }

    /// True when part of a request has arrived but not all of it (a head without its end, or
    /// a head waiting for its body): the server's request timeout runs while this is true.
    public var hasPartialRequest: Bool { pending != nil || buffer.count > start }

    /// True when bytes of a request head have arrived but not its end: nothing the server has
    /// committed to yet (a connection at the cap may be closed to admit another).
    public var hasPartialHead: Bool { pending == nil && buffer.count > start }

    /// True when a complete HTTP/1.1 head with `Expect: 100-continue` waits for a body that
    /// has not started to arrive: the server then sends `100 Continue` (RFC 9110 §10.1.1), so
    /// clients such as curl do not pause a second before sending the body.
    public var expectsContinue: Bool {
        guard let (request, length) = pending, length > 0, buffer.count == start else { return false }
        return request.version == .http11 && request.headers.containsToken("100-continue", in: "Expect")
    }

    /// Appends bytes read from the peer.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes (tests feed string literals with `Array("GET / ...".utf8)`).
    public mutating func append<C: Collection>(contentsOf bytes: C) where C.Element == UInt8 {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete request, ``Result/needMoreData``, or the error that ends the
    /// connection.
    public mutating func next() -> Result {
        if let failure { return .error(failure) }
        if pending == nil {
            switch parseHead() {
            case .success(nil): return .needMoreData
            case .success(let head?): pending = head
            case .failure(let error):
                failure = error
                return .error(error)
            }
        }
        guard let (request, length) = pending else { return .needMoreData }
        guard buffer.count - start >= length else { return .needMoreData }
        var complete = request
        if length > 0 { complete.body = Array(buffer[start..<(start + length)]) }
        start += length
        scanned = start
        pending = nil
        return .request(complete)
    }

    /// Drops consumed bytes once they are the larger part of the buffer (amortised O(1)).
    private mutating func compact() {
        guard start > 0, start >= buffer.count - start else { return }
        buffer.removeSubrange(0..<start)
        scanned -= start
        if let end = requestLineEnd { requestLineEnd = end - start }
        start = 0
    }

    private static let cr: UInt8 = 13
    private static let lf: UInt8 = 10
    private static let sp: UInt8 = 32
    private static let htab: UInt8 = 9
    private static let httpSlash = Array("HTTP/".utf8)

    /// Finds the end of the head; parses it when complete. `.success(nil)`: need more bytes.
    private mutating func parseHead() -> Swift.Result<(request: HTTPRequest, bodyLength: Int)?, HTTPParseError> {
        // RFC 9112 §2.2: a server SHOULD ignore empty lines received before the request line.
        while requestLineEnd == nil, buffer.count - start >= 2, buffer[start] == Self.cr, buffer[start + 1] == Self.lf {
            start += 2
        }
        if scanned < start { scanned = start }
        var i = scanned
        var headEnd: Int?
        while i < buffer.count {
            let byte = buffer[i]
            if byte == Self.cr {
                guard i + 1 < buffer.count else { break }  // decide once the next byte arrives
                guard buffer[i + 1] == Self.lf else { return .failure(.invalidLineEnding) }
            } else if byte == Self.lf {
                guard i > start, buffer[i - 1] == Self.cr else { return .failure(.invalidLineEnding) }
                if requestLineEnd == nil { requestLineEnd = i }
                if i - start >= 3, buffer[i - 2] == Self.lf {
                    headEnd = i + 1
                    i += 1
                    break
                }
            }
            i += 1
            if i - start > maxHeaderBytes { break }
        }
        scanned = i
        guard let end = headEnd, end - start <= maxHeaderBytes else {
            if i - start > maxHeaderBytes || headEnd != nil { return .failure(oversizeError()) }
            return .success(nil)
        }
        let result = parseHead(from: start, lineEnd: requestLineEnd!, to: end)
        if case .success = result {
            start = end
            scanned = end
            requestLineEnd = nil
        }
        return result
    }

    /// 414 when the request line has not ended inside the limit (and the method did, so it is
    /// the target that is long), else 431.
    private func oversizeError() -> HTTPParseError {
        if requestLineEnd != nil { return .headersTooLarge }
        let line = buffer[start..<min(buffer.count, start + maxHeaderBytes)]
        return line.contains(Self.sp) ? .uriTooLong : .malformedRequestLine
    }

    private func parseHead(from start: Int, lineEnd: Int, to end: Int)
        -> Swift.Result<(request: HTTPRequest, bodyLength: Int)?, HTTPParseError>
    {
        // Request line: method SP request-target SP HTTP-version (RFC 9112 §3), single spaces.
        // Split at the first two spaces (the version part keeps any further ones and fails below);
        // index arithmetic rather than `split`, which allocates on every request.
        let line = buffer[start..<(lineEnd - 1)]
        guard let firstSpace = line.firstIndex(of: Self.sp),
            let secondSpace = line[(firstSpace + 1)...].firstIndex(of: Self.sp)
        else { return .failure(.malformedRequestLine) }
        let methodBytes = line[line.startIndex..<firstSpace]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(isTokenByte) else {
            return .failure(.malformedRequestLine)
        }
        let versionBytes = line[(secondSpace + 1)...]
        let v = versionBytes.startIndex
        guard versionBytes.count == 8, versionBytes.starts(with: Self.httpSlash),
            isDigit(buffer[v + 5]), buffer[v + 6] == UInt8(ascii: "."), isDigit(buffer[v + 7])
        else { return .failure(.malformedRequestLine) }
        let version = HTTPVersion(major: Int(buffer[v + 5] - 48), minor: Int(buffer[v + 7] - 48))
        guard version == .http10 || version == .http11 else { return .failure(.versionNotSupported) }
        let targetBytes = line[(firstSpace + 1)..<secondSpace]
        guard !targetBytes.isEmpty, targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(.invalidTarget)
        }
        let method = String(decoding: methodBytes, as: UTF8.self)
        let target = String(decoding: targetBytes, as: UTF8.self)

        // Field lines: name ":" OWS value OWS (RFC 9112 §5).
        var headers = HTTPHeaders()
        var lineStart = lineEnd + 1
        while lineStart < end - 2 {
            var lineStop = lineStart
            while buffer[lineStop] != Self.cr { lineStop += 1 }
            let field = buffer[lineStart..<lineStop]
            lineStart = lineStop + 2
            if field.first == Self.sp || field.first == Self.htab { return .failure(.obsoleteLineFolding) }
            guard let colon = field.firstIndex(of: UInt8(ascii: ":")) else { return .failure(.invalidHeaderName) }
            let name = field[field.startIndex..<colon]
            // Whitespace before the colon fails the token check: RFC 9112 §5.1 requires a 400.
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return .failure(.invalidHeaderName) }
            var value = field[(colon + 1)...]
            while let c = value.first, c == Self.sp || c == Self.htab { value = value.dropFirst() }
            while let c = value.last, c == Self.sp || c == Self.htab { value = value.dropLast() }
            guard value.allSatisfy({ $0 == Self.htab || ($0 >= 0x20 && $0 != 0x7F) }) else {
                return .failure(.invalidHeaderValue)
            }
            headers.add(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        }

        let hosts = headers.count(of: "Host")
        if hosts > 1 || (version == .http11 && hosts == 0) { return .failure(.invalidHost) }

        var bodyLength = 0
        let lengths = headers.contains("Content-Length") ? headers.values(for: "Content-Length") : []
        if headers.contains("Transfer-Encoding") {
            if !lengths.isEmpty { return .failure(.contentLengthWithTransferEncoding) }
            let codings = headers.values(for: "Transfer-Encoding").flatMap { $0.split(separator: ",") }
            if let last = codings.last, HTTPHeaders.namesEqual(trimmed(last), "chunked") {
                return .failure(.chunkedBodyNotSupported)
            }
            return .failure(.unsupportedTransferEncoding)
        }
        if !lengths.isEmpty {
            // Repeats (or a list) are accepted only when every value is the same (RFC 9112 §6.3).
            var parsed: Int?
            for element in lengths.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
                let digits = trimmed(element)
                guard !digits.isEmpty, digits.count <= 18, digits.utf8.allSatisfy(isDigit), let n = Int(digits) else {
                    return .failure(.invalidContentLength)
                }
                if let parsed, parsed != n { return .failure(.invalidContentLength) }
                parsed = n
            }
            bodyLength = parsed ?? 0
            if bodyLength > maxBodyBytes { return .failure(.bodyTooLarge) }
        }

        guard let (path, query) = Self.splitTarget(target, method: method) else { return .failure(.invalidTarget) }
        let isHead = method == "HEAD"
        let request = HTTPRequest(
            method: isHead ? "GET" : method, target: target, path: path, query: query, version: version,
            headers: headers, body: [], isHead: isHead)
        return .success((request, bodyLength))
    }

    /// Path (percent-decoded) and raw query of an origin-form (`/p?q`), absolute-form
    /// (`http://host/p?q`, which RFC 9112 §3.2.2 says servers MUST accept) or asterisk-form
    /// (`*`, OPTIONS only) target. Nil when the target is none of those or badly escaped.
    static func splitTarget(_ target: String, method: String) -> (path: String, query: String?)? {
        if target == "*" { return method == "OPTIONS" ? ("*", nil) : nil }
        // The common case, `/metrics`: a path with nothing to split off or decode.
        if target.utf8.first == UInt8(ascii: "/"),
            !target.utf8.contains(where: {
                $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "%")
            })
        {
            return (target, nil)
        }
        var rest = Substring(target)
        if !rest.hasPrefix("/") {
            let lower = rest.prefix(8).lowercased()
            let scheme: Int
            if lower.hasPrefix("http://") {
                scheme = 7
            } else if lower.hasPrefix("https://") {
                scheme = 8
            } else {
                return nil
            }
            let afterScheme = rest.dropFirst(scheme)
            guard let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return ("/", nil) }
            rest = afterScheme[slash...]
            if rest.hasPrefix("?") { rest = "/" + rest }
        }
        let rawPath: Substring
        var query: String?
        if let q = rest.firstIndex(of: "?") {
            rawPath = rest[..<q]
            query = String(rest[rest.index(after: q)...])
        } else {
            rawPath = rest
        }
        if let hash = query?.firstIndex(of: "#") { query = String(query![..<hash]) }
        guard let path = percentDecode(rawPath.prefix { $0 != "#" }) else { return nil }
        return (path, query)
    }

    /// Decodes `%XX` escapes; nil for a malformed escape. Invalid UTF-8 becomes U+FFFD.
    static func percentDecode(_ text: Substring) -> String? {
        guard text.contains("%") else { return String(text) }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var bytes = text.utf8.makeIterator()
        while let b = bytes.next() {
            if b != UInt8(ascii: "%") {
                out.append(b)
                continue
            }
            guard let h = bytes.next().flatMap(hexValue), let l = bytes.next().flatMap(hexValue) else { return nil }
            out.append(h << 4 | l)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// RFC 9110 §5.6.2 `tchar`: the bytes a method or field name may contain.
@inline(__always)
func isTokenByte(_ b: UInt8) -> Bool {
    switch b {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
        UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        return true
    default:
        return false
    }
}

@inline(__always)
func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 48...57: return b - 48
    case 65...70: return b - 55
    case 97...102: return b - 87
    default: return nil
    }
}
