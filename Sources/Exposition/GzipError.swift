/// A failure to decompress gzip data.
public enum GzipError: Error, Equatable, Sendable, CustomStringConvertible {
    /// zlib reported `code` (e.g. `Z_DATA_ERROR`) with its message. The message is one of zlib's
    /// own fixed texts (`incorrect header check`), never the input's bytes.
    case zlib(code: Int32, message: String)
    /// The input ended before the gzip stream did.
    case truncated
    /// The decompressed data would exceed the caller's limit.
    case tooLarge(limit: Int)

    /// One line for a log: what went wrong, never the data.
    public var description: String {
        switch self {
        case .zlib(let code, let message): return "gzip data is corrupt: zlib error \(code) (\(message))"
        case .truncated: return "gzip data ends before the end of its stream"
        case .tooLarge(let limit): return "gzip data decompresses to more than \(limit) bytes"
        }
    }
}
