/// Why a receiver's response could not be parsed (``HTTPClientResponseParser``). No case carries
/// the response's bytes: a status line, header or body is outside text.
public enum HTTPClientResponseParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The status line and header block are longer than `limit` bytes.
    case headTooLarge(limit: Int)
    /// The server closed the connection before sending a byte.
    case closedBeforeResponse
    /// The server closed the connection inside the response head.
    case truncatedHead
    /// The head ended without a status line.
    case emptyHead
    /// The status line is not `HTTP/1.x NNN reason` with a status of at least 100.
    case invalidStatusLine
    /// A header line has no colon.
    case headerWithoutColon
    /// A header name is empty or contains whitespace.
    case invalidHeaderName
    /// `Content-Length` is not a number, or repeats with different values.
    case invalidContentLength
    /// The server closed the connection after `received` of the `expected` body bytes.
    case closedInBody(received: Int, expected: Int)
    /// The server closed the connection inside a chunked body.
    case closedInChunkedBody
    /// A chunk-size line is longer than `limit` bytes.
    case chunkSizeLineTooLong(limit: Int)
    /// A chunk-size line is not a hexadecimal number.
    case invalidChunkSize
    /// A chunk's data is not followed by CRLF.
    case chunkWithoutCRLF

    /// One line (the client adds the redacted URL).
    public var description: String {
        switch self {
        case .headTooLarge(let limit): return "response head larger than \(limit) bytes"
        case .closedBeforeResponse: return "connection closed before a response"
        case .truncatedHead: return "truncated response head"
        case .emptyHead: return "empty response head"
        case .invalidStatusLine: return "invalid status line"
        case .headerWithoutColon: return "header line without a colon"
        case .invalidHeaderName: return "invalid header name"
        case .invalidContentLength: return "invalid Content-Length"
        case .closedInBody(let received, let expected):
            return "connection closed after \(received) of \(expected) body bytes"
        case .closedInChunkedBody: return "connection closed inside a chunked body"
        case .chunkSizeLineTooLong: return "chunk size line too long"
        case .invalidChunkSize: return "invalid chunk size"
        case .chunkWithoutCRLF: return "chunk not followed by CRLF"
        }
    }
}
