import Foundation
import Testing

@testable import Celery
@testable import Exporter

/// Issue 12: what the poller hands the page each poll, through to the served JSON.
@Suite struct StatusPageUpdateTests {
    static func json(_ page: StatusPage) throws -> [String: Any] {
        let body = page.json(gzip: false).body
        return try #require(JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    static func queueHistory(_ json: [String: Any]) -> [Int] {
        let items = (json["queues"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
        return (items.first?["history"] as? [Any] ?? []).compactMap { $0 as? Int }
    }

    @Test func aFailedPollKeepsTheHistoryAndShowsRedisDown() throws {
        let page = StatusPage(telemetryPath: "/metrics", pollInterval: 15, censusEnabled: false, eventsEnabled: false)
        #expect((try Self.json(page)["health"] as? [String: Any])?["polled"] as? Bool == false)
        let t0 = 1_800_000_000.0
        func poll(_ depth: Int64?, at t: Double) {
            let snapshot =
                depth.map {
                    Snapshot(
                        timestamp: t, pollDuration: 0.01,
                        outcome: .sampled(SampledState(queues: [QueueSnapshot(name: "q", length: $0)])))
                }
                ?? Snapshot.failure(stage: .queues, timestamp: t, pollDuration: 0.01, reason: "Connection reset")
            page.update(snapshot: snapshot, families: [], alerts: [], lastSuccessAt: t0, now: t)
        }
        poll(5, at: t0)
        poll(nil, at: t0 + 30)
        let down = try Self.json(page)
        let health = try #require(down["health"] as? [String: Any])
        #expect(
            health["redis_up"] as? Bool == false
                && (health["last_error"] as? String)?.contains("Connection reset") == true)
        poll(9, at: t0 + 60)
        #expect(Self.queueHistory(try Self.json(page)) == [5, 9])
        let html = String(decoding: page.page(gzip: false).body, as: UTF8.self)
        #expect(html.contains("now 9, peak 9 messages"))
    }
}
