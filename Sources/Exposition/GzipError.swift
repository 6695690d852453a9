/// A failure to decompress gzip data.
public enum GzipError: Error, Equatable, Sendable {
    /// zlib reported `code` (e.g. `Z_DATA_ERROR`) with its message.
    case zlib(code: Int32, message: String)
    /// The input ended before the gzip stream did.
    case truncated
    /// The decompressed data would exceed the caller's limit.
    case tooLarge(limit: Int)
}
