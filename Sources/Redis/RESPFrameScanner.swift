/// Walks the framing of a RESP2 byte stream ahead of hiredis, so that no header can make anything
/// allocate before it has been checked against the limits.
///
/// Why: hiredis 0.14 (Debian's) has no `maxelements`; it `calloc`s an array's element table as
/// soon as it reads `*2147483647\r\n` (16 GiB of address space, seconds of page faults) and grows
/// its buffer for a `$2147483647\r\n` bulk until the bytes arrive. The scanner reads only the type
/// byte and the header digits of each item and skips bulk payloads by count, so it costs a few
/// comparisons per item, keeps a stack no deeper than ``Limits/nestingDepth``, and tells
/// ``RESPReader`` where each reply ends: the reader hands hiredis complete, checked replies only.
///
/// A reply larger than ``Limits/discardAbove`` (when set), or announcing more than
/// ``Limits/aggregateElements`` elements, is not an error: the scanner reports it as discarded and
/// the reader drops its bytes as they stream past, without buffering them. Only a bulk past
/// Redis's string limit (``refusedBulkBytes``) or aggregates announcing more than
/// ``refusedAggregateElements`` elements in all are refused even then.
struct RESPFrameScanner {
    /// The checks applied to every reply.
    struct Limits: Equatable {
        /// Wire bytes of one reply; past it the reply is refused (``RedisError/replyTooLarge(limit:)``)
        /// unless ``discardAbove`` is set.
        var replyBytes: Int
        /// Elements announced by all aggregate headers of one reply together.
        var aggregateElements: Int
        /// Aggregates nested inside each other (an array of arrays is 2).
        var nestingDepth: Int
        /// Replies larger than this are dropped rather than refused; nil refuses past ``replyBytes``.
        var discardAbove: Int?
    }

    /// Where a reply ended in the chunk just scanned, and whether its bytes are to be dropped.
    struct Boundary: Equatable {
        /// Offset just past the reply's last byte, relative to the scanned chunk.
        var end: Int
        /// True when the reply exceeded ``Limits/discardAbove`` (or, discarding, announced more
        /// than ``Limits/aggregateElements`` elements).
        var discarded: Bool
    }

    /// A bulk header announcing more bytes than this is refused even when discarding: Redis
    /// strings end at 512 MiB (`proto-max-bulk-len`), and skipping more would hold the connection
    /// for as long as the server cares to trickle.
    static let refusedBulkBytes = 512 << 20
    /// Elements (all aggregate headers of one reply together) past which a reply is refused even
    /// when discarding: far past any reply the exporter asks for (a Redis set may hold 2^32 − 1
    /// members, but streaming 2^27 elements past would take minutes of the read timeout anyway).
    static let refusedAggregateElements = 1 << 27

    /// Longest `*` or `$` header line accepted (`-1` or up to 19 digits, then `\r`).
    private static let maximumHeaderLength = 20

    /// Longest text of a `+`, `-` or `:` line accepted, not counting the type byte and `\r\n`.
    ///
    /// Why: these lines have no length header, so without a cap a hostile server's 50 MB error
    /// reply would be buffered whole and then copied into errors and log lines. 64 KiB is Redis's
    /// own inline limit (`PROTO_INLINE_MAX_SIZE`); real status, error and integer replies are far
    /// shorter. Past it the stream is refused as a protocol error without buffering more.
    static let maximumLineLength = 64 * 1024

    let limits: Limits

    private enum State {
        /// Expecting the type byte of an item.
        case type
        /// Reading the rest of a `+`, `-` or `:` line, up to `\r\n`; `length` bytes of it so far.
        case line(sawCR: Bool, length: Int)
        /// Reading the length of a `$` (`isBulk`) or `*` header.
        case header(isBulk: Bool, sawCR: Bool)
        /// Skipping a bulk payload and its trailing `\r\n`.
        case payload(remaining: Int)
    }

    private var state = State.type
    /// Elements still to come in each open aggregate, outermost first.
    private var open: [Int] = []
    /// The digits of the header being read (at most ``maximumHeaderLength``).
    private var digits: [UInt8] = []
    /// Wire bytes of the current reply so far.
    private var replyBytes = 0
    /// Elements announced by the current reply's aggregate headers so far.
    private var replyElements = 0
    /// True once the current reply is known to be skipped (past ``Limits/discardAbove`` bytes or
    /// ``Limits/aggregateElements`` elements, when discarding).
    private(set) var isDiscarding = false

    init(limits: Limits) {
        self.limits = limits
        open.reserveCapacity(limits.nestingDepth)
        digits.reserveCapacity(RESPFrameScanner.maximumHeaderLength)
    }

    /// True while the stream is inside a reply (some of its bytes have been scanned).
    var isInsideReply: Bool {
        if case .type = state { return !open.isEmpty }
        return true
    }

    /// Scans `bytes`, returning the end of every reply completed in them, in order.
    /// Throws for malformed framing or a reply past a limit; the scanner is unusable afterwards.
    mutating func scan(_ bytes: UnsafeRawBufferPointer) throws(RedisError) -> [Boundary] {
        var boundaries: [Boundary] = []
        var index = 0
        let size = bytes.count
        while index < size {
            let byte = bytes[index]
            switch state {
            case .type:
                index += 1
                try account(bytes: 1)
                switch byte {
                case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"): state = .line(sawCR: false, length: 0)
                case UInt8(ascii: "$"): state = .header(isBulk: true, sawCR: false)
                case UInt8(ascii: "*"): state = .header(isBulk: false, sawCR: false)
                default: throw RedisError.protocol(message: "invalid RESP type byte 0x\(String(byte, radix: 16))")
                }
                digits.removeAll(keepingCapacity: true)

            case .line(let sawCR, let length):
                // Skip to the next `\r\n` in one step; the line's text is hiredis's business.
                // Look no further than the longest allowed line (text plus `\r\n`).
                let allowed = RESPFrameScanner.maximumLineLength + 2 - length
                let limit = size - index > allowed ? index + allowed : size
                var end = index
                var cr = sawCR
                var done = false
                while end < limit {
                    let b = bytes[end]
                    end += 1
                    if cr && b == UInt8(ascii: "\n") {
                        done = true
                        break
                    }
                    cr = b == UInt8(ascii: "\r")
                }
                let scanned = end - index
                guard done || scanned < allowed else {
                    throw RedisError.protocol(
                        message: "RESP status, error or integer line longer than "
                            + "\(RESPFrameScanner.maximumLineLength) bytes")
                }
                try account(bytes: scanned)
                index = end
                if done {
                    state = .type
                    if itemDone() { boundaries.append(finishReply(end: index)) }
                } else {
                    state = .line(sawCR: cr, length: length + scanned)
                }

            case .header(let isBulk, let sawCR):
                index += 1
                try account(bytes: 1)
                if sawCR {
                    guard byte == UInt8(ascii: "\n") else {
                        throw RedisError.protocol(message: "RESP header not terminated by CRLF")
                    }
                    state = .type
                    let length = try headerValue()
                    let completed = isBulk ? try bulkHeader(length) : try aggregateHeader(length)
                    if completed && itemDone() { boundaries.append(finishReply(end: index)) }
                } else if byte == UInt8(ascii: "\r") {
                    state = .header(isBulk: isBulk, sawCR: true)
                } else {
                    let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
                    guard isDigit || (byte == UInt8(ascii: "-") && digits.isEmpty),
                        digits.count < RESPFrameScanner.maximumHeaderLength
                    else { throw RedisError.protocol(message: "invalid RESP \(isBulk ? "bulk" : "array") length") }
                    digits.append(byte)
                }

            case .payload(let remaining):
                let step = min(remaining, size - index)
                index += step
                try account(bytes: step)
                if step == remaining {
                    state = .type
                    if itemDone() { boundaries.append(finishReply(end: index)) }
                } else {
                    state = .payload(remaining: remaining - step)
                }
            }
        }
        return boundaries
    }

    /// The header's number: `-1` or a non-negative count that fits an `Int`.
    private func headerValue() throws(RedisError) -> Int {
        guard !digits.isEmpty, let value = Int(String(decoding: digits, as: UTF8.self)), value >= -1 else {
            throw RedisError.protocol(message: "invalid RESP length header")
        }
        return value
    }

    /// Checks a `$` header; true when the item is already complete (a nil bulk).
    private mutating func bulkHeader(_ length: Int) throws(RedisError) -> Bool {
        if length == -1 { return true }
        if limits.discardAbove != nil, length > RESPFrameScanner.refusedBulkBytes {
            throw RedisError.replyTooLarge(limit: RESPFrameScanner.refusedBulkBytes)
        }
        // Check the whole announced size now, before a byte of it is buffered anywhere.
        let needed = length > Int.max - 2 ? Int.max : length + 2
        try account(bytes: needed, announced: true)
        state = .payload(remaining: needed)
        return false
    }

    /// Checks a `*` header; true when the item is already complete (nil or empty array).
    private mutating func aggregateHeader(_ elements: Int) throws(RedisError) -> Bool {
        if elements <= 0 { return true }
        guard open.count < limits.nestingDepth else {
            throw RedisError.protocol(
                message: "reply nests arrays deeper than the limit of \(limits.nestingDepth) (maximumNestingDepth)")
        }
        if elements > limits.aggregateElements - replyElements {
            // Discarding, the elements are only counted as they stream past: no allocation.
            guard limits.discardAbove != nil, elements <= RESPFrameScanner.refusedAggregateElements - replyElements
            else {
                let limit =
                    limits.discardAbove == nil ? limits.aggregateElements : RESPFrameScanner.refusedAggregateElements
                throw RedisError.protocol(
                    message: "reply announces more than the limit of \(limit) elements "
                        + (limits.discardAbove == nil
                            ? "(maximumAggregateElements)"
                            : "(past maximumAggregateElements replies are skipped; past this even a skipped one is refused)")
                )
            }
            isDiscarding = true
        }
        replyElements += elements
        open.append(elements)
        return false
    }

    /// Counts `bytes` towards the current reply. `announced` bytes (a bulk header's length) are
    /// checked before they arrive and not counted again as the payload streams past.
    private mutating func account(bytes: Int, announced: Bool = false) throws(RedisError) {
        if case .payload = state, !announced { return }
        let total = bytes > Int.max - replyBytes ? Int.max : replyBytes + bytes
        if let discardAbove = limits.discardAbove {
            if total > discardAbove { isDiscarding = true }
        } else if total > limits.replyBytes {
            throw RedisError.replyTooLarge(limit: limits.replyBytes)
        }
        replyBytes = total
    }

    /// Records that one item finished; true when that finished the whole reply.
    private mutating func itemDone() -> Bool {
        while let last = open.last {
            if last > 1 {
                open[open.count - 1] = last - 1
                return false
            }
            open.removeLast()  // that item was the aggregate's last: the aggregate is done too
        }
        return true
    }

    /// Resets the per-reply counters and reports the boundary.
    private mutating func finishReply(end: Int) -> Boundary {
        let boundary = Boundary(end: end, discarded: isDiscarding)
        replyBytes = 0
        replyElements = 0
        isDiscarding = false
        return boundary
    }
}
