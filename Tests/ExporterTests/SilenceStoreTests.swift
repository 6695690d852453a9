import Alerting
import Foundation
import Logging
import Notify
import Synchronization
import TestSupport
import Testing

@testable import Exporter

/// The silence store's rules, driven by an explicit clock: Alertmanager's validation and
/// state changes, retention, the caps, and persistence across instances.
@Suite struct SilenceStoreTests {
    final class Clock: Sendable {
        let now = Mutex<Double>(10_000)
        func read() -> Double { now.withLock { $0 } }
        func advance(_ s: Double) { now.withLock { $0 += s } }
    }

    func draft(_ name: String = "A", starts: Double = 10_000, ends: Double = 13_600) throws -> Silence {
        Silence(
            id: "", matchers: [try LabelMatcher(parsing: "alertname=\"\(name)\"")], startsAt: starts, endsAt: ends,
            updatedAt: 0, createdBy: "me", comment: "why")
    }

    /// An id comes from the client (a POST body, a DELETE path): the refusal that names it
    /// shows it only when it is short and printable, so it cannot break or forge a line.
    @Test func anUnknownIdIsNamedOnlyWhenPrintable() throws {
        let store = try SilenceStore(file: nil, logger: Logger(label: "t"), clock: { 10_000 })
        var silence = try draft()
        silence.id = "x\r\nforged: 1"
        do throws(SilenceStoreError) {
            _ = try store.add(silence, now: 10_000)
            Issue.record("updated an unknown silence")
        } catch {
            #expect(error == .notFound(id: "x\r\nforged: 1"))
            #expect(error.status == 404)
            #expect(error.description == "silence (unprintable id) not found")
        }
        let plain = "0b7c4bd2-8a3f-4c1e-9d2a-3f6e5b1c7a90"
        #expect(SilenceStoreError.notFound(id: plain).description == "silence \(plain) not found")
    }

    @Test func validationStatesAndExpiry() throws {
        let clock = Clock()
        let store = try SilenceStore(file: nil, logger: Logger(label: "t"), clock: clock.read)
        // An end in the past is refused; a start in the past becomes now.
        #expect(throws: SilenceStoreError.self) { try store.add(try draft(ends: 9_000), now: clock.read()) }
        let id = try store.add(try draft(starts: 1), now: clock.read())
        #expect(store.get(id)?.startsAt == 10_000)
        #expect(store.get(id)?.state(at: clock.read()) == .active)
        // A pending silence expired ends before it started.
        let later = try store.add(try draft("B", starts: 20_000, ends: 30_000), now: clock.read())
        #expect(store.get(later)?.state(at: clock.read()) == .pending)
        try store.expire(later, now: clock.read())
        #expect(store.get(later)?.startsAt == 10_000 && store.get(later)?.endsAt == 10_000)
        // Expiring twice and an unknown id are errors (400, 404), as in Alertmanager.
        #expect(throws: SilenceStoreError.self) { try store.expire(later, now: clock.read()) }
        do {
            try store.expire("nope", now: clock.read())
            Issue.record("expired an unknown silence")
        } catch { #expect(error.status == 404) }
        // Updating a live silence keeps its id.
        var changed = try draft(ends: 20_000)
        changed.id = id
        #expect(try store.add(changed, now: clock.read()) == id)
        #expect(store.get(id)?.endsAt == 20_000)
    }

    /// `amtool silence update` sends the silence back with its id and original start: like
    /// Alertmanager, an active silence keeps its id and start when only its end changes; new
    /// matchers or a new start expire it and make a new silence; a pending one moved into the
    /// past is replaced too.
    @Test func updatesFollowAlertmanagersCanUpdate() throws {
        let clock = Clock()
        let store = try SilenceStore(file: nil, logger: Logger(label: "t"), clock: clock.read)
        clock.advance(0.123_456_7)  // a start with more digits than amtool sends back
        let id = try store.add(try draft(starts: 10_000, ends: 13_600), now: clock.read())
        clock.advance(60 - 0.123_456_7)
        var longer = try #require(store.get(id))
        longer.startsAt = 10_000.123  // amtool silence update: the start as it read it, to the millisecond
        longer.endsAt = 20_000
        #expect(try store.add(longer, now: clock.read()) == id)
        #expect(store.get(id)?.startsAt == 10_000.123_456_7)  // not moved to the time of the update
        #expect(store.get(id)?.endsAt == 20_000)
        #expect(store.get(id)?.updatedAt == 10_060)

        var other = try draft("B", starts: 10_000, ends: 20_000)
        other.id = id
        let replacement = try store.add(other, now: clock.read())
        #expect(replacement != id)
        #expect(store.get(id)?.state(at: clock.read()) == .expired)
        #expect(store.get(id)?.endsAt == 10_060)
        #expect(store.get(replacement)?.startsAt == 10_060)
        #expect(store.get(replacement)?.matchers.map(\.value) == ["B"])

        let pending = try store.add(try draft("C", starts: 50_000, ends: 60_000), now: clock.read())
        var later = try #require(store.get(pending))
        later.startsAt = 40_000
        #expect(try store.add(later, now: clock.read()) == pending)  // still in the future: in place
        later.startsAt = 5_000
        let started = try store.add(later, now: clock.read())
        #expect(started != pending)
        #expect(store.get(pending)?.state(at: clock.read()) == .expired)
        #expect(store.get(started)?.state(at: clock.read()) == .active)
        #expect(store.list(now: clock.read()).filter { $0.state(at: clock.read()) != .expired }.count == 2)
    }

    @Test func expiredSilencesAreDroppedAfterRetentionAndCapped() throws {
        let clock = Clock()
        var limits = SilenceLimits()
        limits.maxSilences = 2
        limits.retention = 3600
        let store = try SilenceStore(file: nil, limits: limits, logger: Logger(label: "t"), clock: clock.read)
        var ids: [String] = []
        for i in 0..<3 {
            let id = try store.add(try draft("A\(i)"), now: clock.read())
            try store.expire(id, now: clock.read())
            ids.append(id)
            clock.advance(1)
        }
        // Three expired, cap two: the oldest went, counted.
        let list = store.list(now: clock.read())
        #expect(Set(list.map(\.id)) == Set(ids.suffix(2)))
        // Live ones are capped: a third live silence is refused.
        _ = try store.add(try draft("L1", ends: 100_000), now: clock.read())
        _ = try store.add(try draft("L2", ends: 100_000), now: clock.read())
        #expect(throws: SilenceStoreError.self) { try store.add(try draft("L3", ends: 100_000), now: clock.read()) }
        // Past retention the expired ones are dropped.
        clock.advance(3601)
        #expect(store.list(now: clock.read()).allSatisfy { $0.state(at: clock.read()) != .expired })
        let text = store.metricFamilies(now: clock.read()).map { f in
            f.name + ":" + f.samples.map { "\($0.labels.map(\.value).joined())=\($0.value)" }.joined(separator: ",")
        }
        #expect(text.contains("celery_redis_silences_expunged:cap=1.0,retention=2.0"))
        #expect(text.contains("celery_redis_silences_rejected:invalid=0.0,limit=1.0,size=0.0"))
    }

    @Test func persistsAtomicallyAndRestores() throws {
        let clock = Clock()
        let dir = try makeTemporaryDirectory("silence-store")
        let file = dir.appendingPathComponent("s.json").path
        let store = try SilenceStore(file: file, logger: Logger(label: "t"), clock: clock.read)
        try store.start()
        var d = try draft()
        d.matchers.append(try LabelMatcher(parsing: #"queue=~"a|b\"c""#))
        d.comment = "line1\nline2 \"quoted\" <&>"
        let id = try store.add(d, now: clock.read())
        store.stop()
        #expect(!FileManager.default.fileExists(atPath: file + ".tmp"))
        let restored = try SilenceStore(file: file, logger: Logger(label: "t"), clock: clock.read)
        let s = try #require(restored.get(id))
        #expect(s.matchers == d.matchers)
        #expect(s.comment == d.comment)
        #expect(s.startsAt == 10_000 && s.endsAt == 13_600)
    }
}
