import Testing

@testable import Celery

/// Decoding kombu messages from the head and tail slices of a value too large to read whole.
@Suite struct KombuFragmentsTests {
    private let t0 = 1_795_625_000.0

    private func slices(_ value: String, _ n: Int = 16 * 1024) -> (head: [UInt8], tail: [UInt8]) {
        let bytes = b(value)
        return (Array(bytes.prefix(n)), Array(bytes.suffix(n)))
    }

    @Test func fieldsOfALargeMessageComeFromItsTail() throws {
        let value = largeCeleryMessage(
            tag: "t1", queue: "ingest", task: "app.ingest", eta: iso(t0 + 60), sentAt: t0 - 5, argumentBytes: 300_000)
        let whole = try KombuMessage(bytes: b(value))
        let (head, tail) = slices(value)
        let sliced = KombuFragments.message(head: head, tail: tail)
        #expect(sliced == whole)
        #expect(sliced?.taskName == "app.ingest")
        #expect(sliced?.routingKey == "ingest")
        #expect(sliced?.publishedAt == t0 - 5)
    }

    @Test func unackedRoutingKeyComesFromTheTrailerElseFromDeliveryInfo() {
        let message = largeCeleryMessage(tag: "t2", queue: "reports", argumentBytes: 200_000)
        let (head, tail) = slices("[" + message + #", "", "reports"]"#)
        let entry = KombuFragments.unackedEntry(head: head, tail: tail)
        #expect(entry?.routingKey == "reports")
        #expect(entry?.message.taskID == "id-t2")

        // A routing key with an escaped quote is read whole.
        let (_, quoted) = slices("[" + message + #", "", "we\"ird"]"#)
        #expect(KombuFragments.unackedEntry(head: [], tail: quoted)?.routingKey == #"we"ird"#)

        // Without the trailer (cut), delivery_info still names the queue.
        let (_, cut) = slices("[" + message + #", "", "rep"#)
        #expect(KombuFragments.unackedEntry(head: head, tail: cut)?.routingKey == "reports")
    }

    @Test func headersBeforeTheBodyAreFoundInTheHead() {
        let value =
            #"{"headers": {"task": "app.first", "id": "x"}, "properties": {"delivery_tag": "d"}, "body": ""#
            + String(repeating: "A", count: 100_000) + #""}"#
        let (head, tail) = slices(value)
        let message = KombuFragments.message(head: head, tail: tail)
        #expect(message?.taskName == "app.first")
        #expect(message?.deliveryTag == "d")
    }

    /// Whatever point a tail slice starts at, the decoder either finds the true values or none:
    /// a cut object is not parsed, so it can never report a wrong queue or task.
    @Test func everyCutOfTheTailYieldsTrueValuesOrNothing() {
        let value =
            "[" + largeCeleryMessage(tag: "t3", queue: "celery", task: "app.ingest", argumentBytes: 4_000)
            + #", "", "celery"]"#
        let bytes = b(value)
        var found = 0
        for start in stride(from: 0, to: bytes.count, by: 7) {
            let tail = Array(bytes[start...])
            guard let entry = KombuFragments.unackedEntry(head: [], tail: tail) else { continue }
            found += 1
            #expect(entry.routingKey == "celery")
            #expect(entry.message.taskName == nil || entry.message.taskName == "app.ingest")
            #expect(entry.message.deliveryTag == nil || entry.message.deliveryTag == "t3")
        }
        #expect(found > 0)
    }

    @Test func hostileSlicesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = b(#"{}[]":,\ "headers""properties"x1"#)
        for _ in 0..<2_000 {
            let n = Int.random(in: 0..<300, using: &generator)
            let bytes = (0..<n).map { _ in alphabet.randomElement(using: &generator)! }
            _ = KombuFragments.unackedEntry(head: bytes, tail: bytes)
            _ = KombuFragments.message(head: bytes, tail: bytes.reversed())
        }
        // Deep nesting after a key is bounded by the JSON parser's depth limit.
        let deep =
            b(#""headers": "#) + Array(repeating: UInt8(ascii: "{"), count: 10_000)
            + Array(repeating: UInt8(ascii: "}"), count: 10_000)
        #expect(KombuFragments.object(named: "headers", in: deep) == nil)
    }
}
