import Logging
import Redis
import TestSupport
import Testing

@testable import Celery

/// ``SliceScript/readSmallFirst(_:using:now:)`` against a real `redis-server`: the same answers as
/// a plain read within the budget, in half the round trips for ordinary messages, and a large
/// value is never read twice.
@Suite(.serialized) struct SliceScriptSmallFirstTests {
    /// Counts pipelined rounds.
    final class Rounds: RedisCommandExecuting {
        let inner: any RedisCommandExecuting
        private(set) var count = 0
        init(_ inner: any RedisCommandExecuting) { self.inner = inner }
        func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
            count += 1
            return try inner.pipeline(commands)
        }
    }

    @Test func sameAnswersAsAPlainReadInFewerRoundTrips() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = Rounds(
            try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0")))
        // 500 ordinary 1.5 KB tails, one of 40 KiB (whole within the budget, over two slices) and
        // one of 100 KiB (over the whole-value budget: slices).
        var seed: [RedisCommand] = (0..<500).map { [b("LPUSH"), b("l\($0)"), [UInt8](repeating: 0x61, count: 1_500)] }
        seed.append([b("LPUSH"), b("mid"), [UInt8](repeating: 0x62, count: 40 << 10)])
        seed.append([b("LPUSH"), b("big"), [UInt8](repeating: 0x63, count: 100 << 10)])
        _ = try redis.pipeline(seed)
        let targets = ((0..<500).map { "l\($0)" } + ["mid", "big"]).map {
            SliceScript.Target.probedListElement(key: b($0), index: -1)
        }

        let plain = SliceScript(budget: ValueReadBudget())
        let start = redis.count
        let expected = try plain.read(targets, using: redis, now: 0)
        let plainRounds = redis.count - start - 1  // less the SCRIPT LOAD

        let smallFirst = SliceScript(budget: ValueReadBudget())
        let before = redis.count
        let values = try smallFirst.readSmallFirst(targets, using: redis, now: 0)
        let rounds = redis.count - before - 1
        #expect(values == expected)
        #expect(values[500] == .whole([UInt8](repeating: 0x62, count: 40 << 10)))
        if case .sliced(let length, let head, let tail) = values[501] {
            #expect(length == 100 << 10 && head.count == 16 << 10 && tail.count == 16 << 10)
        } else {
            Issue.record("the 100 KiB value came back as \(values[501])")
        }
        #expect(plainRounds == 8)  // 502 calls at 63 a round
        #expect(rounds == 5)  // 502 calls at 127 a round, then the 40 KiB one again
    }
}
