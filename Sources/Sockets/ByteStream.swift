/// A bidirectional byte stream with deadlines: a plain ``Socket`` or a TLS stream over one.
/// Redis and the HTTP client talk to this, so TLS is a transport choice, not a code path.
public protocol ByteStream: AnyObject {
    /// Reads what is available into `buffer`, waiting until `deadline`; returns 0 at end of stream.
    func read(into buffer: UnsafeMutableRawBufferPointer, deadline: Deadline) throws -> Int
    /// Writes every byte before `deadline`.
    func writeAll(_ bytes: UnsafeRawBufferPointer, deadline: Deadline) throws
    /// Closes the stream (idempotent).
    func close()
}

extension Socket: ByteStream {}

extension ByteStream {
    /// Convenience overload for byte arrays.
    public func writeAll(_ bytes: [UInt8], deadline: Deadline) throws {
        try bytes.withUnsafeBytes { try writeAll($0, deadline: deadline) }
    }
}
