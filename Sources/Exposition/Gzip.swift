import CZlib

/// One-shot gzip (RFC 1952) compression and decompression of in-memory bodies, on the system zlib.
public enum Gzip {
    /// Compresses `bytes` into a single gzip member. `level` is zlib's 0 (store) … 9 (best), or -1
    /// for zlib's default; an out-of-range level is a programmer error and traps.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        precondition((-1...9).contains(level), "gzip level must be -1...9, got \(level)")
        var stream = z_stream()  // zeroed: default allocator
        let initResult = czlib_deflate_init_gzip(&stream, level)
        precondition(initResult == Z_OK, "deflateInit2 failed with \(initResult) (out of memory?)")
        defer { deflateEnd(&stream) }
        // deflateBound plus room for the gzip header and trailer: one deflate call always finishes.
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        let result = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        precondition(result == Z_STREAM_END, "deflate did not finish in one call (\(result))")
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Decompresses one gzip member. Throws ``GzipError`` for corrupt or truncated input, or when
    /// the output would exceed `limit` bytes (default 256 MiB).
    public static func decompress(_ bytes: [UInt8], limit: Int = 256 << 20) throws(GzipError) -> [UInt8] {
        var stream = z_stream()
        let initResult = czlib_inflate_init_gzip(&stream)
        guard initResult == Z_OK else { throw .zlib(code: initResult, message: "inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let outcome: GzipError? = bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                var result: Int32 = Z_OK
                let produced = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    result = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                if output.count + produced > limit { return .tooLarge(limit: limit) }
                output.append(contentsOf: chunk[0..<produced])
                switch result {
                case Z_STREAM_END:
                    return nil
                case Z_OK where stream.avail_in > 0 || produced == chunk.count:
                    continue
                case Z_OK, Z_BUF_ERROR:
                    return .truncated
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? String(cString: zError(result))
                    return .zlib(code: result, message: message)
                }
            }
        }
        if let outcome { throw outcome }
        return output
    }
}
