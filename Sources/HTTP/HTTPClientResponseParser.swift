/// Parses one HTTP/1.x response from bytes, fed as they arrive; no sockets, so tests feed it
/// literal bytes (FlyingFox's rule for the request parser, applied to the client).
///
/// Framing follows RFC 9112 §6.3: no body for HEAD, 1xx, 204 and 304; chunked when
/// `Transfer-Encoding` ends in `chunked`; else `Content-Length`; else until the server closes.
/// Interim 1xx responses (`100 Continue`) are skipped. A body longer than the cap is cut and
/// flagged, since the status is what the caller acts on.
public struct HTTPClientResponseParser: Sendable {
    /// The largest status line plus header block accepted.
    public let maxHeaderBytes: Int
    /// The largest body kept; longer bodies are truncated (``HTTPClientResponse/bodyTruncated``).
    public let maxBodyBytes: Int
    /// Whether the request was HEAD (its response has no body whatever the headers say).
    public let isHeadRequest: Bool
    /// The longest chunk-size line (size and extensions) accepted.
    static let maxChunkSizeLineBytes = 1024

    private enum Framing: Sendable {
        case none
        case length(Int)
        case chunked
        case untilClose
    }

    private enum ChunkState: Sendable {
        case size
        case data(Int)
        case dataEnd
        case trailers
    }

    private var buffer: [UInt8] = []
    private var status = 0
    private var headers = HTTPHeaders()
    private var framing: Framing?
    private var body: [UInt8] = []
    private var chunkState = ChunkState.size

    /// A parser with the given limits.
    public init(maxHeaderBytes: Int = 64 * 1024, maxBodyBytes: Int = 1 << 20, isHeadRequest: Bool = false) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.isHeadRequest = isHeadRequest
    }

    /// Adds received bytes.
    public mutating func append<C: Collection>(contentsOf bytes: C) where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// Returns the response once complete (or, with `atEndOfStream`, once the server closed),
    /// nil when more bytes are needed.
    /// - Throws: ``HTTPClientResponseParseError`` saying what is malformed (the caller wraps it
    ///   with the redacted URL).
    public mutating func parse(atEndOfStream: Bool) throws(HTTPClientResponseParseError) -> HTTPClientResponse? {
        while framing == nil {
            guard let headEnd = findHeadEnd() else {
                if buffer.count > maxHeaderBytes { throw .headTooLarge(limit: maxHeaderBytes) }
                if atEndOfStream {
                    throw buffer.isEmpty ? HTTPClientResponseParseError.closedBeforeResponse : .truncatedHead
                }
                return nil
            }
            if headEnd > maxHeaderBytes { throw .headTooLarge(limit: maxHeaderBytes) }
            try parseHead(Array(buffer[..<headEnd]))
            buffer.removeFirst(headEnd + 4)
            if (100..<200).contains(status) {
                headers = HTTPHeaders()
                continue  // interim response: the real one follows
            }
            framing = try decideFraming()
        }
        switch framing! {
        case .none:
            return finish(truncated: false)
        case .length(let n):
            if buffer.count >= n || buffer.count >= maxBodyBytes {
                let keep = min(n, maxBodyBytes)
                body = Array(buffer.prefix(keep))
                return finish(truncated: keep < n)
            }
            if atEndOfStream { throw .closedInBody(received: buffer.count, expected: n) }
            return nil
        case .untilClose:
            if buffer.count >= maxBodyBytes {
                body = Array(buffer.prefix(maxBodyBytes))
                return finish(truncated: true)
            }
            if atEndOfStream {
                body = buffer
                return finish(truncated: false)
            }
            return nil
        case .chunked:
            if try decodeChunks() { return finish(truncated: false) }
            if body.count >= maxBodyBytes {
                body = Array(body.prefix(maxBodyBytes))
                return finish(truncated: true)
            }
            if atEndOfStream { throw .closedInChunkedBody }
            return nil
        }
    }

    private func finish(truncated: Bool) -> HTTPClientResponse {
        HTTPClientResponse(status: status, headers: headers, body: body, bodyTruncated: truncated)
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        var i = 0
        while i + 3 < buffer.count {
            if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }

    private mutating func parseHead(_ head: [UInt8]) throws(HTTPClientResponseParseError) {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { throw .emptyHead }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "HTTP/1.1" || parts[0] == "HTTP/1.0",
            parts[1].count == 3, let code = Int(parts[1]), code >= 100
        else {
            throw .invalidStatusLine
        }
        status = code
        var fields = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw .headerWithoutColon }
            let name = line[..<colon]
            guard !name.isEmpty, !name.contains(" "), !name.contains("\t") else { throw .invalidHeaderName }
            fields.add(name: String(name), value: String(trimmed(line[line.index(after: colon)...])))
        }
        headers = fields
    }

    private func decideFraming() throws(HTTPClientResponseParseError) -> Framing {
        if isHeadRequest || status == 204 || status == 304 { return .none }
        if let te = headers["Transfer-Encoding"] {
            let last = te.split(separator: ",").last.map { trimmed($0).lowercased() }
            return last == "chunked" ? .chunked : .untilClose
        }
        let lengths = headers.values(for: "Content-Length")
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), let n = Int(first), n >= 0 else {
                throw .invalidContentLength
            }
            return n == 0 ? .none : .length(n)
        }
        return .untilClose
    }

    /// Decodes as many chunks as are buffered; true once the last chunk and trailers are read.
    private mutating func decodeChunks() throws(HTTPClientResponseParseError) -> Bool {
        var position = 0
        defer { buffer.removeFirst(position) }
        func line(from start: Int) -> Int? {
            var i = start
            while i + 1 < buffer.count {
                if buffer[i] == 13 && buffer[i + 1] == 10 { return i }
                i += 1
            }
            return nil
        }
        while true {
            switch chunkState {
            case .size:
                guard let end = line(from: position) else {
                    if buffer.count - position > Self.maxChunkSizeLineBytes {
                        throw .chunkSizeLineTooLong(limit: Self.maxChunkSizeLineBytes)
                    }
                    return false
                }
                var sizeText = String(decoding: buffer[position..<end], as: UTF8.self)
                if let semicolon = sizeText.firstIndex(of: ";") { sizeText = String(sizeText[..<semicolon]) }
                guard let size = Int(sizeText.trimmingSpaces, radix: 16), size >= 0 else {
                    throw .invalidChunkSize
                }
                position = end + 2
                chunkState = size == 0 ? .trailers : .data(size)
            case .data(let left):
                let available = buffer.count - position
                if available == 0 { return false }
                let take = min(left, available)
                if body.count < maxBodyBytes {
                    body.append(contentsOf: buffer[position..<(position + min(take, maxBodyBytes - body.count))])
                }
                position += take
                chunkState = left - take == 0 ? .dataEnd : .data(left - take)
                if body.count >= maxBodyBytes { return false }
            case .dataEnd:
                guard buffer.count - position >= 2 else { return false }
                guard buffer[position] == 13 && buffer[position + 1] == 10 else {
                    throw .chunkWithoutCRLF
                }
                position += 2
                chunkState = .size
            case .trailers:
                guard let end = line(from: position) else { return false }
                let empty = end == position
                position = end + 2
                if empty { return true }
            }
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(trimmed(Substring(self)))
    }
}
