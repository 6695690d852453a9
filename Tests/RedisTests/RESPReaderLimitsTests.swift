import Testing

@testable import Redis

/// The limits checked before anything is allocated (issue 9, row 7: `*2147483647` cost 16 GB of
/// address space and 12 s), and the framing scan that makes them possible.
struct RESPReaderLimitsTests {
    /// Error text of `body`'s thrown ``RedisError``; nil when it did not throw one.
    func failure(_ body: () throws -> Void) -> RedisError? {
        do {
            try body()
            return nil
        } catch {
            return error as? RedisError
        }
    }

    @Test func hugeArrayHeaderIsRefusedAtTheHeader() throws {
        let reader = RESPReader()
        let error = failure { try reader.feed(bytes("*2147483647\r\n")) }
        #expect(
            error?.description.contains("1048576 elements (maximumAggregateElements)") == true,
            "\(String(describing: error))")
        #expect(reader.bufferedByteCount == 0)
        // Unusable afterwards, like the connection: RESP cannot resynchronise.
        #expect(throws: RedisError.self) { try reader.next() }
        #expect(throws: RedisError.self) { try reader.feed(bytes("+OK\r\n")) }
    }

    @Test func hugeBulkHeaderIsRefusedBeforeItsBytesArrive() throws {
        let reader = RESPReader()
        #expect(throws: RedisError.replyTooLarge(limit: RedisConfiguration.defaultMaximumReplyBytes)) {
            try reader.feed(bytes("$2147483647\r\n"))
        }
        #expect(reader.bufferedByteCount == 0)
    }

    @Test func bulkHeaderCountsAgainstTheWholeReply() throws {
        // Two 600-byte strings in one array: each fits 1024 bytes, together they do not.
        let reader = RESPReader(maximumReplyBytes: 1024)
        let item = "$600\r\n" + String(repeating: "x", count: 600) + "\r\n"
        #expect(throws: RedisError.replyTooLarge(limit: 1024)) { try reader.feed(bytes("*2\r\n" + item + "$600\r\n")) }
    }

    @Test func elementsAreCountedOverAllNestingLevels() throws {
        let reader = RESPReader(maximumAggregateElements: 1000)
        try reader.feed(bytes("*2\r\n*600\r\n"))
        let error = failure { try reader.feed(bytes("*500\r\n")) }
        #expect(error?.description.contains("1000 elements") == true, "\(String(describing: error))")
    }

    @Test func anArrayAtTheElementLimitIsFine() throws {
        let reader = RESPReader(maximumAggregateElements: 3)
        try reader.feed(bytes("*3\r\n:1\r\n:2\r\n:3\r\n*3\r\n$-1\r\n*0\r\n*-1\r\n"))
        #expect(try reader.next() == .array([.integer(1), .integer(2), .integer(3)]))
        #expect(try reader.next() == .array([.null, .array([]), .null]))
    }

    @Test func nestingIsCheckedAtTheHeader() throws {
        let reader = RESPReader(maximumNestingDepth: 2)
        try reader.feed(bytes("*1\r\n*1\r\n:1\r\n"))
        #expect(try reader.next() == .array([.array([.integer(1)])]))
        let error = failure { try reader.feed(bytes("*1\r\n*1\r\n*1\r\n")) }
        #expect(error?.description.contains("deeper than the limit of 2 (maximumNestingDepth)") == true)
    }

    @Test func hiredisDeepestNestingStillParses() throws {
        let reader = RESPReader()
        try reader.feed(bytes(String(repeating: "*1\r\n", count: 8) + ":7\r\n"))
        var value = try #require(try reader.next())
        for _ in 0..<8 { value = try #require(value.array?.first) }
        #expect(value == .integer(7))
    }

    @Test(arguments: ["?x\r\n", "$-2\r\n", "*-5\r\n", "$12a\r\n", "$1\r\r\n", "$\r\n", "*99999999999999999999\r\n"])
    func malformedHeadersAreProtocolErrors(_ wire: String) throws {
        let reader = RESPReader()
        let error = failure { try reader.feed(bytes(wire)) }
        guard case .protocol = error else {
            Issue.record("expected a protocol error for \(wire.debugDescription), got \(String(describing: error))")
            return
        }
    }

    @Test func byteByByteFeedingFindsTheSameReplies() throws {
        // Payloads holding CR LF, '*' and '$' must be skipped by length, not scanned for headers.
        let wire = bytes(
            "+OK\r\n-ERR bad\r\n:-42\r\n$8\r\n*1\r\n$2\r\n\r\n$-1\r\n*-1\r\n*0\r\n"
                + "*2\r\n$3\r\nfoo\r\n*2\r\n:1\r\n$0\r\n\r\n+a\rb\r\n")
        let whole = RESPReader()
        try whole.feed(wire)
        var expected: [RESPValue] = []
        while let value = try whole.next() { expected.append(value) }
        try #require(expected.count == 9, "\(expected)")
        #expect(expected[3] == .bulk(bytes("*1\r\n$2\r\n")))
        #expect(expected[8] == .status("a\rb"))

        let trickled = RESPReader()
        var got: [RESPValue] = []
        for byte in wire {
            try trickled.feed([byte])
            while let value = try trickled.next() { got.append(value) }
        }
        #expect(got == expected)
        #expect(!trickled.hasPartialReply)
        #expect(trickled.bufferedByteCount == 0)
    }

    @Test func partialReplyIsReported() throws {
        let reader = RESPReader()
        #expect(!reader.hasPartialReply)
        try reader.feed(bytes("*2\r\n:1\r\n"))
        #expect(reader.hasPartialReply)
        try reader.feed(bytes(":2\r\n"))
        #expect(!reader.hasPartialReply)
        #expect(try reader.next() == .array([.integer(1), .integer(2)]))
    }

    @Test func oversizedRepliesAreDiscardedWithoutBufferingWhenAsked() throws {
        let reader = RESPReader(discardRepliesAbove: 100)
        let small = "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n"
        let big = "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5000\r\n" + String(repeating: "z", count: 5000) + "\r\n"
        let wire = bytes(small + big + small)
        var got: [RESPValue] = []
        var mostBuffered = 0
        for start in stride(from: 0, to: wire.count, by: 64) {
            try reader.feed(Array(wire[start..<min(wire.count, start + 64)]))
            mostBuffered = max(mostBuffered, reader.bufferedByteCount)
            while let value = try reader.next() { got.append(value) }
        }
        let expected = RESPValue.array([.bulk(bytes("message")), .bulk(bytes("ch")), .bulk(bytes("hello"))])
        #expect(got == [expected, expected])
        #expect(reader.discardedReplyCount == 1)
        #expect(mostBuffered <= 100 + 64, "buffered \(mostBuffered) bytes of a reply being discarded")
    }

    /// A command connection's reader: a skipped reply is answered by an error in its place, at
    /// every chunking, so a pipeline keeps one reply per command (issue 9).
    @Test func skippedRepliesAreAnsweredWithAnErrorInPlace() throws {
        let big = "$5000\r\n" + String(repeating: "z", count: 5000) + "\r\n"
        let manyElements = "*3\r\n*600\r\n" + String(repeating: ":1\r\n", count: 600) + ":2\r\n:3\r\n"
        let wire = bytes("+OK\r\n" + big + ":7\r\n" + manyElements + "$1\r\nx\r\n")
        for chunk in [1, 7, 64, 100_000] {
            let reader = RESPReader(
                maximumAggregateElements: 500, discardRepliesAbove: 100, answerDiscardedWithError: true)
            var got: [RESPValue] = []
            var mostBuffered = 0
            for start in stride(from: 0, to: wire.count, by: chunk) {
                try reader.feed(Array(wire[start..<min(wire.count, start + chunk)]))
                mostBuffered = max(mostBuffered, reader.bufferedByteCount)
                while let value = try reader.next() { got.append(value) }
            }
            #expect(
                got == [
                    .status("OK"), reader.discardedReplyError, .integer(7), reader.discardedReplyError,
                    .bulk(bytes("x")),
                ],
                "chunk \(chunk)")
            #expect(reader.discardedReplyCount == 2)
            #expect(mostBuffered <= 100 + chunk + 100, "chunk \(chunk): buffered \(mostBuffered) bytes")
        }
    }

    /// Skipping has bounds: a bulk over Redis's 512 MiB string limit, or more than 2^27
    /// elements, is refused from its header (naming that limit), not streamed past.
    @Test func skippingRefusesHeadersPastRedisLimits() throws {
        let justSkipped = RESPReader(discardRepliesAbove: 100, answerDiscardedWithError: true)
        try justSkipped.feed(bytes("$\(512 << 20)\r\n"))
        #expect(justSkipped.hasPartialReply)
        let bulk = RESPReader(discardRepliesAbove: 100, answerDiscardedWithError: true)
        #expect(throws: RedisError.replyTooLarge(limit: 512 << 20)) { try bulk.feed(bytes("$\((512 << 20) + 1)\r\n")) }
        let array = RESPReader(discardRepliesAbove: 100, answerDiscardedWithError: true)
        do {
            try array.feed(bytes("*\((1 << 27) + 1)\r\n"))
            Issue.record("expected a refusal")
        } catch {
            #expect("\(error)".contains("\(1 << 27) elements"), "\(error)")
        }
        let elements = RESPReader(discardRepliesAbove: 100, answerDiscardedWithError: true)
        try elements.feed(bytes("*\(1 << 27)\r\n"))
        #expect(elements.hasPartialReply)
    }

    @Test func discardingStillRefusesBadFraming() throws {
        let reader = RESPReader(discardRepliesAbove: 10)
        try reader.feed(bytes("$50\r\n" + String(repeating: "q", count: 52)))
        #expect(reader.discardedReplyCount == 1)
        #expect(throws: RedisError.self) { try reader.feed(bytes("*2147483647\r\n")) }
    }
}
