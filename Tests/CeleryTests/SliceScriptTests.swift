import Logging
import Redis
import Testing

@testable import Celery

/// The slicing script's modes, driven through the sampler with the in-memory Redis (the real
/// server cases are in LargeValueIntegrationTests).
@Suite struct SliceScriptTests {
    private let t0 = 1_795_625_000.0

    private func sampler() -> Sampler {
        Sampler(
            configuration: CeleryConfiguration(queues: ["celery"], discoverQueues: false, censusEnabled: false),
            logger: Logger(label: "test"))
    }

    @Test func refusedScriptingIsCountedAndReprobedAfterFiveMinutes() {
        let redis = FakeRedis()
        redis.scriptingRefused = true
        setTail(redis, count: 2, celeryMessage(tag: "a", sentAt: t0 - 9))
        let s = sampler()
        let first = s.poll(using: redis, now: t0)
        #expect(first.succeeded)
        #expect(first.sampled?.queues[0].length == 2)
        #expect(first.sampled?.queues[0].oldestMessageAge == nil)
        #expect(first.sampled?.queues[0].unreadTailMessages == [.scriptingUnavailable: 1])

        // Allowed again, but not asked for until the re-probe interval has passed.
        redis.scriptingRefused = false
        let soon = s.poll(using: redis, now: t0 + 10)
        #expect(soon.sampled?.queues[0].unreadTailMessages == [.scriptingUnavailable: 1])
        #expect(redis.commands(named: "SCRIPT").count == 1)
        let later = s.poll(using: redis, now: t0 + SliceScript.reprobeInterval + 1)
        #expect(later.sampled?.queues[0].unreadTailMessages.isEmpty == true)
        #expect(later.sampled?.queues[0].oldestMessageAge == SliceScript.reprobeInterval + 10)
        #expect(redis.commands(named: "SCRIPT").count == 2)
    }

    @Test func noscriptReloadsAndRetriesTheRound() {
        let redis = FakeRedis()
        setTail(redis, count: 1, celeryMessage(tag: "a", sentAt: t0 - 3))
        let s = sampler()
        #expect(s.poll(using: redis, now: t0).sampled?.queues[0].oldestMessageAge == 3)
        var flushed = true
        redis.override = { command in
            guard command[0] == b("EVALSHA_RO"), flushed else { return nil }
            flushed = false
            return .error("NOSCRIPT No matching script. Please use EVAL.")
        }
        let after = s.poll(using: redis, now: t0 + 1)
        #expect(after.succeeded)
        #expect(after.sampled?.queues[0].oldestMessageAge == 4)
        #expect(after.sampled?.commandErrors.isEmpty == true)
        #expect(redis.commands(named: "SCRIPT").count == 2)
    }

    @Test func largeValuesComeBackAsSlicesAndSmallOnesWhole() {
        let budget = ValueReadBudget(wholeValueBytes: 64, sliceBytes: 8, roundBytes: 1_024)
        let script = SliceScript(budget: budget)
        let redis = FakeRedis()
        let big = Array(repeating: UInt8(ascii: "a"), count: 100) + b("END")
        redis.hashes[b("h")] = [b("small"): b("tiny"), b("big"): big]
        let values = try? script.read(
            [
                .hashField(key: b("h"), field: b("small")), .hashField(key: b("h"), field: b("big")),
                .hashField(key: b("h"), field: b("none")),
            ],
            using: redis, now: t0)
        #expect(
            values == [
                .whole(b("tiny")), .sliced(length: 103, head: Array(big.prefix(8)), tail: Array(big.suffix(8))),
                .absent,
            ])
        // Rounds hold at most roundBytes / (whole-value limit + framing) calls.
        #expect(budget.scriptCallsPerRound == 1_024 / (64 + 64))
    }
}
