import JSON
import TestSupport
import Testing

@testable import Celery

/// The JSON parser on what Celery stores (the parser itself is tested in Tests/JSONTests).
@Suite struct JSONValueTests {
    @Test func parsesTheQueuedMessageSample() throws {
        let json = try JSONValue.parse(sampleQueuedMessage)
        #expect(json["headers"]?["task"] == .string("app.add"))
        #expect(json["headers"]?["timelimit"] == .array([.null, .null]))
        #expect(json["headers"]?["stamps"] == .object([:]))
        #expect(json["properties"]?["delivery_mode"]?.intValue == 2)
        #expect(json["properties"]?["delivery_info"]?["routing_key"]?.stringValue == "celery")
    }

    @Test func everyTruncationOfAMessageIsAnError() {
        let bytes = Array(sampleQueuedMessage.utf8)
        for end in 0..<bytes.count where !bytes[..<end].allSatisfy({ $0 == 0x20 || $0 == 0x0A }) {
            let prefix = Array(bytes[..<end])
            // Only the complete object (plus trailing whitespace) parses.
            let parsed = try? JSONValue.parse(prefix)
            #expect(parsed == nil || end >= bytes.count - 1, "prefix of \(end) bytes parsed")
        }
    }

    @Test func mutatedMessagesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        let original = Array(sampleQueuedMessage.utf8)
        for _ in 0..<2_000 {
            var bytes = original
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            _ = try? KombuMessage(bytes: bytes)
            _ = try? KombuUnackedEntry(bytes: Array("[".utf8) + bytes + Array(#", "", "celery"]"#.utf8))
        }
    }
}
