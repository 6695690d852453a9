import Foundation
import TestSupport
import Testing

/// Issue 16, row 8: a real exporter process restarted on the same `--storage.path` keeps the
/// incidents that are still open: `activeAt` in `/api/v1/alerts` and `startsAt` in
/// notifications are those of before the restart, and no second "firing" is sent.
@Suite(.serialized) struct AlertingRestartTests {
    func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    /// The alerts of `/api/v1/alerts`.
    func apiAlerts(_ exporter: ExporterProcess) -> [[String: Any]] {
        guard let body = try? exporter.get("/api/v1/alerts").body, let object = try? json(body) else { return [] }
        return (object["data"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
    }

    /// The first alert's field of each notification with `status`.
    func field(_ receiver: RecordingReceiver, _ status: String, _ name: String) -> [String] {
        receiver.requests.compactMap { r -> String? in
            guard let body = try? json(r.body), body["status"] as? String == status else { return nil }
            return ((body["alerts"] as? [[String: Any]])?.first?[name] as? String)
        }
    }

    @Test func restartKeepsActiveAtAndStartsAt() throws {
        let redis = try CelerySeed.backloggedRedis(tasks: 6)
        let receiver = try RecordingReceiver()
        let dir = try makeTemporaryDirectory("restart")
        let storage = dir.appendingPathComponent("storage")
        try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
        let rules = dir.appendingPathComponent("rules.yml")
        try """
        groups:
          - name: celery
            rules:
              - alert: CeleryBacklog
                expr: celery_redis_queue_length > 5
                for: 2s
        """.write(to: rules, atomically: true, encoding: .utf8)
        let alerting = dir.appendingPathComponent("alerting.yml")
        try """
        route:
          receiver: hook
          group_by: ['alertname']
          group_wait: 0s
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: hook
            webhook_configs:
              - url: http://127.0.0.1:\(receiver.port)/hook
        """.write(to: alerting, atomically: true, encoding: .utf8)
        let arguments = [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.3s", "--rules.file=\(rules.path)",
            "--alerting.config=\(alerting.path)", "--storage.path=\(storage.path)",
        ]

        let first = try ExporterProcess(arguments: arguments)
        #expect(waitUntil(timeout: 15) { field(receiver, "firing", "startsAt").count == 1 }, "\(first.stderr)")
        let activeAt = try #require(apiAlerts(first).first?["activeAt"] as? String)
        let startsAt = try #require(field(receiver, "firing", "startsAt").first)
        #expect(first.terminate() == 0)

        Thread.sleep(forTimeInterval: 1.5)  // a reset would show a later time
        let second = try ExporterProcess(arguments: arguments)
        let firing = waitUntil(timeout: 15) { apiAlerts(second).first?["state"] as? String == "firing" }
        #expect(firing, "\(second.stderr)")
        #expect(apiAlerts(second).first?["activeAt"] as? String == activeAt)

        try redis.command("DEL", "celery")
        #expect(waitUntil(timeout: 15) { !field(receiver, "resolved", "startsAt").isEmpty }, "\(second.stderr)")
        #expect(field(receiver, "resolved", "startsAt") == [startsAt])
        #expect(field(receiver, "firing", "startsAt") == [startsAt])  // not announced again
        #expect(second.terminate() == 0)
    }
}
