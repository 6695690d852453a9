import CHiredis

/// An incremental RESP2 parser: feed it bytes as they arrive, take complete replies out.
///
/// It wraps hiredis's reader (`redisReaderCreate`/`Feed`/`GetReply`) rather than a parser of our
/// own, because hiredis's is the one every Redis client in C has exercised for a decade. The
/// reader knows nothing about sockets, so unit tests feed it literal bytes, a connection feeds
/// it whatever its transport read, and a later Pub/Sub listener can feed it push messages from a
/// subscribed connection the same way.
///
/// hiredis 0.14.1 limits nesting to 7 levels of arrays and knows only RESP2, which is why the
/// connection never sends `HELLO 3`.
///
/// Not `Sendable`: the C reader is not thread-safe, so one reader belongs to one thread.
public final class RESPReader {
    private let reader: UnsafeMutablePointer<redisReader>

    /// The largest single reply accepted, in bytes of wire data (see ``feed(_:)``).
    public let maximumReplyBytes: Int

    /// Bytes fed that belong to the reply being parsed. Counted by us, because hiredis grows its
    /// buffer without limit; it can undercount by at most one fed chunk (the part of the reply
    /// that arrived together with the end of the previous one and was already parsed).
    private var pendingBytes = 0

    /// Set once the reader has failed; hiredis's reader cannot recover after an error.
    private var failure: RedisError?

    /// Creates a reader that refuses any single reply larger than `maximumReplyBytes`.
    public init(maximumReplyBytes: Int = RedisConfiguration.defaultMaximumReplyBytes) {
        precondition(maximumReplyBytes > 0, "maximumReplyBytes must be positive")
        guard let created = redisReaderCreate() else { fatalError("redisReaderCreate returned NULL (out of memory)") }
        self.reader = created
        self.maximumReplyBytes = maximumReplyBytes
    }

    deinit { redisReaderFree(reader) }

    /// Bytes fed but not yet returned as part of a complete reply.
    public var bufferedByteCount: Int { pendingBytes }

    /// Appends wire bytes. Throws ``RedisError/replyTooLarge(limit:)`` once the reply being
    /// parsed exceeds ``maximumReplyBytes``; the reader is unusable after any thrown error.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws {
        if let failure { throw failure }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        pendingBytes += bytes.count
        if pendingBytes > maximumReplyBytes {
            // Check before handing the bytes to hiredis, so the limit bounds its buffer too.
            let error = RedisError.replyTooLarge(limit: maximumReplyBytes)
            failure = error
            throw error
        }
        if redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count) != REDIS_OK {
            throw fail()
        }
    }

    /// Appends wire bytes (convenience for arrays).
    public func feed(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try feed($0) }
    }

    /// Returns the next complete reply, or nil when more bytes are needed.
    /// Throws ``RedisError/protocol(message:)`` on malformed input.
    public func next() throws -> RESPValue? {
        if let failure { throw failure }
        var raw: UnsafeMutableRawPointer?
        if redisReaderGetReply(reader, &raw) != REDIS_OK { throw fail() }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        // What is still buffered belongs to the following replies.
        pendingBytes = reader.pointee.len - reader.pointee.pos
        return RESPReader.copy(raw.assumingMemoryBound(to: redisReply.self))
    }

    private func fail() -> RedisError {
        let message = String(cString: chiredis_reader_error(reader))
        let error = RedisError.protocol(message: message.isEmpty ? "unparseable reply" : message)
        failure = error
        return error
    }

    /// Deep-copies a hiredis reply tree into a ``RESPValue`` so the C tree can be freed at once.
    private static func copy(_ reply: UnsafePointer<redisReply>) -> RESPValue {
        let r = reply.pointee
        func bytes() -> [UInt8] {
            // Copy by length, never as a C string: NUL bytes are data.
            guard let s = r.str, r.len > 0 else { return [] }
            return Array(UnsafeRawBufferPointer(start: s, count: r.len))
        }
        switch r.type {
        case REDIS_REPLY_STRING: return .bulk(bytes())
        case REDIS_REPLY_STATUS: return .status(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_ERROR: return .error(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_INTEGER: return .integer(r.integer)
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_ARRAY:
            var elements: [RESPValue] = []
            elements.reserveCapacity(r.elements)
            for index in 0..<r.elements {
                if let element = r.element[index] {
                    elements.append(copy(element))
                } else {
                    elements.append(.null)
                }
            }
            return .array(elements)
        default:
            // hiredis 0.14.1 produces only the six RESP2 types above.
            return .error("unsupported reply type \(r.type)")
        }
    }
}
