import Testing

@testable import Redis

@Suite struct RESPReaderTests {
    private func parseAll(_ text: String, chunk: Int = Int.max) throws -> [RESPValue] {
        let reader = RESPReader()
        let bytes = Array(text.utf8)
        var out: [RESPValue] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            try reader.feed(Array(bytes[offset..<end]))
            offset = end
            while let value = try reader.next() { out.append(value) }
        }
        return out
    }

    @Test func parsesEveryReplyType() throws {
        let replies = try parseAll(
            "+OK\r\n-WRONGTYPE Operation against a key\r\n:42\r\n$3\r\nabc\r\n$-1\r\n*-1\r\n*0\r\n$0\r\n\r\n")
        #expect(
            replies == [
                .status("OK"), .error("WRONGTYPE Operation against a key"), .integer(42), .bulk(Array("abc".utf8)),
                .null, .null, .array([]), .bulk([]),
            ])
    }

    @Test func nestedArraysByteAtATime() throws {
        let text = "*3\r\n$1\r\n0\r\n*2\r\n$4\r\nk\r\n1\r\n*1\r\n:7\r\n:-3\r\n"
        let reader = RESPReader()
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated() {
            try reader.feed([byte])
            let value = try reader.next()
            if index < bytes.count - 1 {
                #expect(value == nil, "reply completed early at byte \(index)")
            } else {
                #expect(
                    value
                        == .array([
                            .bulk(Array("0".utf8)), .array([.bulk(Array("k\r\n1".utf8)), .array([.integer(7)])]),
                            .integer(-3),
                        ]))
            }
        }
        #expect(try reader.next() == nil)
    }

    @Test(arguments: [1, 2, 3, 5, 7, 64])
    func repliesSplitAtAnyPoint(chunk: Int) throws {
        let text = "+PONG\r\n$5\r\nhello\r\n*2\r\n$1\r\na\r\n$-1\r\n:1\r\n-ERR x\r\n"
        #expect(
            try parseAll(text, chunk: chunk) == [
                .status("PONG"), .bulk(Array("hello".utf8)), .array([.bulk([0x61]), .null]), .integer(1),
                .error("ERR x"),
            ])
    }

    @Test func bulkKeepsBinaryBytes() throws {
        let payload: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF, 0x06, 0x16]
        let reader = RESPReader()
        try reader.feed(Array("$6\r\n".utf8) + payload + [0x0D, 0x0A])
        #expect(try reader.next() == .bulk(payload))
    }

    @Test func malformedInputIsAProtocolError() throws {
        let reader = RESPReader()
        #expect(throws: RedisError.protocol(message: "invalid RESP type byte 0x21")) {
            try reader.feed(Array("!oops\r\n".utf8))
        }
        #expect(throws: RedisError.self) { try reader.next() }
        // The reader stays failed.
        #expect(throws: RedisError.self) { try reader.feed(Array("+OK\r\n".utf8)) }
    }

    @Test func deepNestingBeyondHiredisLimitFails() throws {
        let reader = RESPReader()
        #expect(throws: RedisError.self) {
            try reader.feed(Array((String(repeating: "*1\r\n", count: 9) + ":1\r\n").utf8))
        }
        #expect(throws: RedisError.self) { try reader.next() }
    }

    @Test func refusesOversizedReply() throws {
        // The status line has no length header, so only its bytes can tell.
        let reader = RESPReader(maximumReplyBytes: 1024)
        try reader.feed(Array("+".utf8))
        #expect(try reader.next() == nil)
        #expect(throws: RedisError.replyTooLarge(limit: 1024)) {
            for _ in 0..<10 { try reader.feed([UInt8](repeating: 0x61, count: 200)) }
        }
    }

    @Test func limitAppliesPerReplyNotPerStream() throws {
        // 50 replies of ~110 bytes each through a 256-byte limit: fine, each is small.
        let reader = RESPReader(maximumReplyBytes: 256)
        let one = Array("$100\r\n".utf8) + [UInt8](repeating: 0x62, count: 100) + [0x0D, 0x0A]
        var count = 0
        for _ in 0..<50 {
            try reader.feed(one)
            while try reader.next() != nil { count += 1 }
        }
        #expect(count == 50)
        #expect(reader.bufferedByteCount == 0)
    }
}
