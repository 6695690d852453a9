import CHiredis

/// An incremental RESP2 parser: feed it bytes as they arrive, take complete replies out.
///
/// It wraps hiredis's reader (`redisReaderCreate`/`Feed`/`GetReply`) rather than a parser of our
/// own, because hiredis's is the one every Redis client in C has exercised for a decade. The
/// reader knows nothing about sockets, so unit tests feed it literal bytes, a connection feeds
/// it whatever its transport read, and a later Pub/Sub listener can feed it push messages from a
/// subscribed connection the same way.
///
/// hiredis 0.14.1 knows only RESP2 (which is why the connection never sends `HELLO 3`), nests
/// at most ``hiredisMaximumNestingDepth`` arrays and has no limit of its own on sizes: it
/// allocates an array's element table from the header alone. So every byte passes a
/// ``RESPFrameScanner`` first, which checks each header against the limits before anything is
/// allocated, and hiredis is fed complete, checked replies only.
///
/// Not `Sendable`: the C reader is not thread-safe, so one reader belongs to one thread.
public final class RESPReader {
    /// The deepest nesting of arrays hiredis 0.14 parses (`*1\r\n` eight times, then an item).
    public static let hiredisMaximumNestingDepth = 8

    private let reader: UnsafeMutablePointer<redisReader>
    private var scanner: RESPFrameScanner

    /// The largest single reply accepted, in bytes of wire data (see ``feed(_:)``).
    public var maximumReplyBytes: Int { scanner.limits.replyBytes }
    /// The most elements one reply's array headers may announce, all nesting levels together.
    public var maximumAggregateElements: Int { scanner.limits.aggregateElements }
    /// The deepest nesting of arrays accepted.
    public var maximumNestingDepth: Int { scanner.limits.nestingDepth }
    /// Replies larger than this many bytes are dropped as they stream past instead of failing
    /// the reader; nil when oversized replies fail it (see ``discardedReplyCount``).
    public var discardRepliesAbove: Int? { scanner.limits.discardAbove }

    /// Replies dropped because they were larger than ``discardRepliesAbove`` (or announced more
    /// than ``maximumAggregateElements`` elements while discarding).
    public private(set) var discardedReplyCount = 0
    /// When true, each dropped reply is answered by ``discardedReplyError`` in its place, so the
    /// replies of a pipeline stay one per command.
    public let answersDiscardedWithError: Bool

    /// The bytes of the reply being received, held until the scanner has seen its end.
    private var pending: [UInt8] = []

    /// Set once the reader has failed; neither the scanner nor hiredis can recover after an error.
    private var failure: RedisError?

    /// Creates a reader.
    /// - Parameters:
    ///   - maximumReplyBytes: the largest single reply accepted, in wire bytes.
    ///   - maximumAggregateElements: the most elements one reply may announce in its array
    ///     headers, all nesting levels together (bounds what hiredis allocates per reply).
    ///   - maximumNestingDepth: the deepest nesting of arrays; at most ``hiredisMaximumNestingDepth``.
    ///   - discardRepliesAbove: when set, a reply larger than this (or announcing more than
    ///     `maximumAggregateElements` elements) is skipped and counted instead of failing the
    ///     reader (for Pub/Sub, where one oversized message must not cost the subscription); it is
    ///     never buffered, so ``maximumReplyBytes`` does not apply then. A bulk header over
    ///     512 MiB (Redis's string limit) or array headers over 2^27 elements in all (far past
    ///     any reply the exporter asks for) still fail it.
    ///   - answerDiscardedWithError: answer each skipped reply with ``discardedReplyError`` (for
    ///     command connections: a pipeline keeps one reply per command).
    public init(
        maximumReplyBytes: Int = RedisConfiguration.defaultMaximumReplyBytes,
        maximumAggregateElements: Int = RedisConfiguration.defaultMaximumAggregateElements,
        maximumNestingDepth: Int = RESPReader.hiredisMaximumNestingDepth,
        discardRepliesAbove: Int? = nil, answerDiscardedWithError: Bool = false
    ) {
        precondition(!answerDiscardedWithError || discardRepliesAbove != nil, "only skipped replies are answered")
        self.answersDiscardedWithError = answerDiscardedWithError
        precondition(maximumReplyBytes > 0, "maximumReplyBytes must be positive")
        precondition(maximumAggregateElements > 0, "maximumAggregateElements must be positive")
        precondition(
            (1...RESPReader.hiredisMaximumNestingDepth).contains(maximumNestingDepth),
            "maximumNestingDepth must be 1...\(RESPReader.hiredisMaximumNestingDepth)")
        precondition(discardRepliesAbove.map { $0 > 0 } ?? true, "discardRepliesAbove must be positive")
        guard let created = redisReaderCreate() else { fatalError("redisReaderCreate returned NULL (out of memory)") }
        self.reader = created
        self.scanner = RESPFrameScanner(
            limits: .init(
                replyBytes: maximumReplyBytes, aggregateElements: maximumAggregateElements,
                nestingDepth: maximumNestingDepth, discardAbove: discardRepliesAbove))
    }

    deinit { redisReaderFree(reader) }

    /// Bytes fed but not yet returned as part of a complete reply.
    public var bufferedByteCount: Int { pending.count + (reader.pointee.len - reader.pointee.pos) }

    /// True while part of a reply has arrived but not its end (a caller bounding each reply by a
    /// deadline starts the clock when this turns true).
    public var hasPartialReply: Bool { scanner.isInsideReply }

    /// Appends wire bytes. Without ``discardRepliesAbove``, throws ``RedisError/replyTooLarge(limit:)``
    /// as soon as a reply is known to exceed ``maximumReplyBytes`` (for a bulk string: at its
    /// header, before its bytes arrive), and ``RedisError/protocol(message:)`` for an array
    /// header past ``maximumAggregateElements``. With it, such replies are skipped (see the
    /// initialiser) and only a bulk header over 512 MiB (`replyTooLarge`) or array headers over
    /// 2^27 elements in all are refused. Malformed framing and nesting past
    /// ``maximumNestingDepth`` always throw. The reader is unusable after any thrown error, and
    /// so is the connection it reads from: RESP cannot resynchronise.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws {
        if let failure { throw failure }
        guard bytes.count > 0 else { return }
        let boundaries: [RESPFrameScanner.Boundary]
        do {
            boundaries = try scanner.scan(bytes)
        } catch {
            failure = error
            pending = []
            throw error
        }
        // bytes[runStart..<runEnd] are complete replies to keep (after `pending`, when it is set).
        var runStart = 0
        var runEnd = 0
        for boundary in boundaries {
            if boundary.discarded {
                try feedHiredis(bytes, runStart..<runEnd)
                pending = []
                discardedReplyCount += 1
                if answersDiscardedWithError {
                    try RESPReader.discardedReplyFrame.withUnsafeBytes { try feedHiredis($0) }
                }
                runStart = boundary.end
            }
            runEnd = boundary.end
        }
        try feedHiredis(bytes, runStart..<runEnd)
        if scanner.isDiscarding {
            pending = []
        } else {
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runEnd...]))
        }
    }

    /// The error reply given in place of a skipped one (``answersDiscardedWithError``).
    public var discardedReplyError: RESPValue {
        .error(String(decoding: RESPReader.discardedReplyFrame.dropFirst().dropLast(2), as: UTF8.self))
    }

    private static let discardedReplyFrame = Array(
        "-ERR reply larger than the exporter's reply limit (bytes or elements): skipped unread\r\n".utf8)

    /// Appends wire bytes (convenience for arrays).
    public func feed(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try feed($0) }
    }

    /// Hands hiredis `pending` plus `bytes[range]`, which together end on a reply boundary.
    private func feedHiredis(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) throws {
        guard !range.isEmpty else { return }
        if pending.isEmpty {
            try feedHiredis(UnsafeRawBufferPointer(rebasing: bytes[range]))
        } else {
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
            let whole = pending
            pending = []  // release the large buffer now, not at the next reply
            try whole.withUnsafeBytes { try feedHiredis($0) }
        }
    }

    private func feedHiredis(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count) != REDIS_OK {
            throw fail()
        }
    }

    /// Returns the next complete reply, or nil when more bytes are needed.
    /// Throws ``RedisError/protocol(message:)`` on malformed input.
    public func next() throws -> RESPValue? {
        if let failure { throw failure }
        var raw: UnsafeMutableRawPointer?
        if redisReaderGetReply(reader, &raw) != REDIS_OK { throw fail() }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
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
