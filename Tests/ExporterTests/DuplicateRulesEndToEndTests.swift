import Foundation
import TestSupport
import Testing

/// The auditor's crash, on the real binary: a rule file named twice (`--rules.file=up.yml
/// --rules.file='up.y*'`) plus a second group holding the same rule. The debug binary trapped in
/// the encoder's assertion within one poll; a release binary served each alert series twice.
@Suite struct DuplicateRulesEndToEndTests {
    @Test func aRuleFileNamedTwiceAndARepeatedRuleServeEachSeriesOnce() throws {
        let redis = try CelerySeed.backloggedRedis(tasks: 1)
        let dir = try makeTemporaryDirectory("dup-rules")
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        groups:
          - name: fast
            rules: [{alert: Up, expr: celery_redis_up == 1}]
          - name: slow
            rules: [{alert: Up, expr: celery_redis_up > 0}]
        """.write(to: dir.appendingPathComponent("up.yml"), atomically: true, encoding: .utf8)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.3s",
            "--rules.file=\(dir.path)/up.yml", "--rules.file=\(dir.path)/up.y*",
        ])
        let series = #"celery_redis_alerts{alertname="Up",alertstate="firing"} 1"#
        let firing = waitUntil(timeout: 15) { ((try? exporter.get("/metrics").text) ?? "").contains(series) }
        #expect(firing, "stderr: \(exporter.stderr)")
        // Several polls later the exporter still serves, each series once.
        Thread.sleep(forTimeInterval: 1.5)
        let text = try exporter.get("/metrics").text
        let lines = text.split(separator: "\n").map(String.init).filter {
            $0.hasPrefix("celery_redis_alert") && !$0.hasPrefix("celery_redis_alerts_")
        }
        let states = lines.filter { $0.hasPrefix("celery_redis_alerts{") }
        let since = lines.filter { $0.hasPrefix("celery_redis_alert_active_since_timestamp_seconds{") }
        #expect(states == [series], "\(lines)")
        #expect(since.count == 1, "\(lines)")
        #expect(since.first?.hasPrefix(#"celery_redis_alert_active_since_timestamp_seconds{alertname="Up"} "#) == true)
        #expect(ServedCatalogue.problems(text) == [])
        // The API lists one alert per rule: two groups, the file read once.
        let api = try #require(
            JSONSerialization.jsonObject(with: Data(try exporter.get("/api/v1/alerts").body)) as? [String: Any])
        #expect(((api["data"] as? [String: Any])?["alerts"] as? [Any])?.count == 2)
        #expect(exporter.stderr.contains("rule file \(dir.path)/up.yml is given more than once; it is loaded once"))
        #expect(exporter.terminate() == 0, "stderr: \(exporter.stderr)")
    }
}
