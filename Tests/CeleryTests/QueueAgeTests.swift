import Foundation
import Logging
import Redis
import Testing

@testable import Celery

/// The host clock of the observed payloads: 2026-11-25T16:43:20Z.
private let t0 = 1_795_625_000.0

/// ISO-8601 with offset, as Celery writes `eta`/`expires`.
func iso(_ t: Double) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date(timeIntervalSince1970: t)).replacingOccurrences(of: "Z", with: "+00:00")
}

/// Puts `tail` at index -1 of a priority list holding `count` messages.
func setTail(_ redis: FakeRedis, queue: String = "celery", step: Int = 0, count: Int64 = 1, _ tail: String) {
    let key = step == 0 ? b(queue) : b(queue) + sep + b(String(step))
    redis.lists[key] = count
    redis.listTails[key] = b(tail)
}

private func queueSampler() -> Sampler {
    Sampler(
        configuration: CeleryConfiguration(queues: ["celery", "idle"], discoverQueues: false, censusEnabled: false),
        logger: Logger(label: "test"))
}

@Suite struct QueueAgeTests {
    @Test func sentAtHeaderGivesTheExactAge() {
        let redis = FakeRedis()
        setTail(redis, count: 3, celeryMessage(tag: "a", sentAt: t0 - 42.5))
        let s = queueSampler()
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.sampled?.queues[0].oldestMessageAge == 42.5)
        #expect(snap.sampled?.queues[0].oldestMessageAgeIsExact == true)
        // A queue with no messages reads nil (0 in the exposition), like unacked_oldest_age.
        #expect(snap.sampled?.queues[1].oldestMessageAge == nil)
        // Only the non-empty list's tail is read, through the slicing script (loaded once).
        #expect(redis.commands(named: "LINDEX").isEmpty)
        let tails = redis.commands(named: "EVALSHA_RO")
        #expect(tails.count == 1)
        #expect(Array(tails[0][2...5]) == [b("1"), b("celery"), b("p"), b("-1")])
        #expect(redis.commands(named: "SCRIPT").count == 1)
        // A clock-skewed sent_at in the future reads 0, never negative.
        setTail(redis, count: 3, celeryMessage(tag: "b", sentAt: t0 + 100))
        #expect(s.poll(using: redis, now: t0 + 1).sampled?.queues[0].oldestMessageAge == 0)
    }

    @Test func expiresMinusExpirationGivesThePublishTime() {
        let redis = FakeRedis()
        // Sent with expires=3600 at t0 - 100: expires = t0 + 3500, expiration "3600000" ms.
        setTail(redis, celeryMessage(tag: "e", expires: iso(t0 + 3_500), expiration: "3600000"))
        let snap = queueSampler().poll(using: redis, now: t0)
        #expect(abs((snap.sampled?.queues[0].oldestMessageAge ?? -1) - 100) < 0.001)
        #expect(snap.sampled?.queues[0].oldestMessageAgeIsExact == true)
    }

    @Test func withoutATimestampTheAgeIsTimeSinceFirstSeenAtTheTail() {
        let redis = FakeRedis()
        setTail(redis, count: 2, celeryMessage(tag: "m1"))
        let s = queueSampler()
        #expect(s.poll(using: redis, now: t0).sampled?.queues[0].oldestMessageAge == 0)
        let later = s.poll(using: redis, now: t0 + 15)
        #expect(later.sampled?.queues[0].oldestMessageAge == 15)
        #expect(later.sampled?.queues[0].oldestMessageAgeIsExact == false)
        // m1 is consumed: the next message is first seen now (a lower bound), m1 is forgotten.
        setTail(redis, count: 1, celeryMessage(tag: "m2"))
        #expect(s.poll(using: redis, now: t0 + 30).sampled?.queues[0].oldestMessageAge == 0)
        #expect(s.tailTracker.firstSeen.keys.map { String(decoding: $0, as: UTF8.self) } == ["m2"])
        #expect(s.poll(using: redis, now: t0 + 45).sampled?.queues[0].oldestMessageAge == 15)
    }

    @Test func oldestOverPriorityListsWins() {
        let redis = FakeRedis()
        setTail(redis, step: 0, celeryMessage(tag: "p0", sentAt: t0 - 5))
        setTail(redis, step: 6, celeryMessage(tag: "p6", priority: 7, sentAt: t0 - 50))
        setTail(redis, step: 9, celeryMessage(tag: "p9", priority: 9))  // first seen now: 0
        let snap = queueSampler().poll(using: redis, now: t0)
        #expect(snap.sampled?.queues[0].oldestMessageAge == 50)
        #expect(snap.sampled?.queues[0].oldestMessageAgeIsExact == true)
    }

    @Test func futureETATailsAreSkippedAndCountAgainOnceDue() {
        let redis = FakeRedis()
        setTail(redis, step: 0, celeryMessage(tag: "eta", eta: iso(t0 + 60), sentAt: t0 - 500))
        setTail(redis, step: 3, celeryMessage(tag: "due", priority: 5, sentAt: t0 - 20))
        let s = queueSampler()
        #expect(s.poll(using: redis, now: t0).sampled?.queues[0].oldestMessageAge == 20)
        // Only the ETA tail left: no due message → nil (exported as 0).
        redis.lists[b("celery") + sep + b("3")] = nil
        #expect(s.poll(using: redis, now: t0 + 1).sampled?.queues[0].oldestMessageAge == nil)
        // Once the ETA has passed it is an ordinary waiting message.
        #expect(s.poll(using: redis, now: t0 + 61).sampled?.queues[0].oldestMessageAge == 561)
        // Without a publish time, first-seen was recorded while it was still scheduled.
        setTail(redis, step: 0, celeryMessage(tag: "eta2", eta: iso(t0 + 100)))
        #expect(s.poll(using: redis, now: t0 + 62).sampled?.queues[0].oldestMessageAge == nil)
        #expect(s.poll(using: redis, now: t0 + 102).sampled?.queues[0].oldestMessageAge == 40)
    }

    @Test func redeliveredTailsAreCounted() {
        let redis = FakeRedis()
        setTail(redis, step: 0, celeryMessage(tag: "r0", redelivered: true))
        setTail(redis, step: 3, celeryMessage(tag: "r3", priority: 3, redelivered: true))
        setTail(redis, step: 6, celeryMessage(tag: "n6", priority: 6))
        let snap = queueSampler().poll(using: redis, now: t0)
        #expect(snap.sampled?.queues[0].redeliveredTailMessages == 2)
        #expect(snap.sampled?.queues[1].redeliveredTailMessages == 0)
    }

    @Test func garbageTailsAreTimedByTheirBytesAndEvicted() {
        let redis = FakeRedis()
        setTail(redis, "not json at all")
        let s = queueSampler()
        _ = s.poll(using: redis, now: t0)
        #expect(s.poll(using: redis, now: t0 + 7).sampled?.queues[0].oldestMessageAge == 7)
        redis.lists = [:]
        redis.listTails = [:]
        let empty = s.poll(using: redis, now: t0 + 8)
        #expect(empty.sampled?.queues[0].oldestMessageAge == nil)
        #expect(s.tailTracker.firstSeen.isEmpty, "identities no longer at a tail are evicted")
    }

    @Test func wrongTypeQueueKeyHasNoTail() {
        let redis = FakeRedis()
        redis.strings[b("celery")] = b("x")
        let snap = queueSampler().poll(using: redis, now: t0)
        #expect(snap.sampled?.queues[0].oldestMessageAge == nil)
        #expect(snap.sampled?.commandErrors == [.queues: 1], "counted once (LLEN), not again for LINDEX")
    }
}
