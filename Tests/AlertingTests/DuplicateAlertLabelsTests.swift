import Exposition
import Foundation
import Testing

@testable import Alerting

/// Two rules that yield the same alert labels: valid in Prometheus (and common by accident: a
/// rule file named twice, a rule copied into a second group). Before the fix, each alert became
/// its own `celery_redis_alerts` sample, so `/metrics` served the same series twice (and a debug
/// build trapped in the encoder's consistency assertion within one poll).
@Suite struct DuplicateAlertLabelsTests {
    private func up(_ value: Double) -> [MetricFamily] { [gauge("celery_redis_up", [([:], value)])] }

    /// Encodes `evaluator`'s families with the real encoder after checking the invariant the
    /// encoder asserts in debug builds (checked first, so a failure is reported, not a trap).
    private func exposition(_ evaluator: AlertEvaluator, now: Double) throws -> [String] {
        let families = evaluator.metricFamilies(now: now)
        let problems = MetricFamily.consistencyProblems(families)
        try #require(problems.isEmpty, "\(problems)")
        let text = String(decoding: MetricEncoder.encode(families, as: .prometheusText), as: UTF8.self)
        return text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    @Test func theSameRuleInTwoGroupsIsOneSeries() throws {
        let evaluator = AlertEvaluator(
            groups: try groups(
                """
                groups:
                  - name: a
                    rules: [{alert: Up, expr: celery_redis_up == 1}]
                  - name: b
                    rules: [{alert: Up, expr: celery_redis_up == 1}]
                """))
        let alerts = evaluator.evaluate(families: up(1), now: 1000)
        // The alerts API keeps both (as Prometheus lists one alert per rule).
        #expect(alerts.count == 2)
        #expect(alerts.allSatisfy { $0.state == .firing })
        let lines = try exposition(evaluator, now: 1000)
        #expect(
            lines.filter { $0.hasPrefix("celery_redis_alerts{") } == [
                #"celery_redis_alerts{alertname="Up",alertstate="firing"} 1"#
            ])
        #expect(
            lines.filter { $0.hasPrefix("celery_redis_alert_active_since_timestamp_seconds{") } == [
                #"celery_redis_alert_active_since_timestamp_seconds{alertname="Up"} 1000"#
            ])
    }

    /// One group, two rules of one name and equal labels: one fires at once, the other waits
    /// for `for:` and became true later. Pending and firing stay two series (their `alertstate`
    /// differs, as in Prometheus's `ALERTS`); the active-since series is one, the earlier time.
    @Test func pendingAndFiringOfOneLabelSet() throws {
        let evaluator = AlertEvaluator(
            groups: try groups(
                """
                groups:
                  - name: a
                    rules:
                      - {alert: Up, expr: celery_redis_up > 0}
                      - {alert: Up, expr: celery_redis_up > 1, for: 5m}
                      - {alert: Up, expr: celery_redis_up > 1, for: 5m}
                """))
        _ = evaluator.evaluate(families: up(1), now: 1000)
        let alerts = evaluator.evaluate(families: up(2), now: 1060)
        #expect(alerts.map(\.state) == [.firing, .pending, .pending])
        let lines = try exposition(evaluator, now: 1060)
        #expect(
            lines.filter { $0.hasPrefix("celery_redis_alerts{") } == [
                #"celery_redis_alerts{alertname="Up",alertstate="firing"} 1"#,
                #"celery_redis_alerts{alertname="Up",alertstate="pending"} 1"#,
            ])
        #expect(
            lines.filter { $0.hasPrefix("celery_redis_alert_active_since_timestamp_seconds{") } == [
                #"celery_redis_alert_active_since_timestamp_seconds{alertname="Up"} 1000"#
            ])
    }

    /// A rule file named twice (`--rules.file=up.yml --rules.file=up.yml`), matched again by an
    /// overlapping glob, or reached through a symbolic link is loaded once, with a warning.
    @Test func aRuleFileNamedTwiceIsLoadedOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dup-rules-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "groups:\n  - name: up\n    rules: [{alert: Up, expr: celery_redis_up == 1}]\n"
            .write(toFile: dir + "/up.yml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.yaml", withDestinationPath: dir + "/up.yml")
        for patterns in [
            [dir + "/up.yml", dir + "/up.yml"],
            [dir + "/up.yml", dir + "/up.y*"],
            [dir + "/up.yml", dir + "/./up.yml", dir + "/link.yaml"],
        ] {
            let loaded = try RuleLoader.load(patterns: patterns)
            #expect(loaded.map(\.file) == [dir + "/up.yml"], "\(patterns)")
            // And the exporter's path with those groups: one series.
            let evaluator = AlertEvaluator(groups: loaded)
            _ = evaluator.evaluate(families: up(1), now: 1000)
            #expect(try exposition(evaluator, now: 1000).filter { $0.hasPrefix("celery_redis_alerts{") }.count == 1)
        }
        var warnings: [String] = []
        _ = try RuleLoader.load(patterns: [dir + "/up.yml", dir + "/up.yml", dir + "/link.yaml"], warnings: &warnings)
        #expect(
            warnings == [
                "rule file \(dir)/up.yml is given more than once; it is loaded once",
                "rule file \(dir)/link.yaml is the same file as \(dir)/up.yml; it is loaded once",
            ])
        // Distinct files stay distinct, and a missing one is still an error naming it.
        try "groups: []\n".write(toFile: dir + "/other.yml", atomically: true, encoding: .utf8)
        warnings = []
        _ = try RuleLoader.load(patterns: [dir + "/*.yml"], warnings: &warnings)
        #expect(warnings.isEmpty)
        let missing = errorMessage { _ = try RuleLoader.load(patterns: [dir + "/gone.yml", dir + "/gone.yml"]) }
        #expect(missing?.contains("gone.yml: cannot read the rule file") == true, "\(missing ?? "loaded")")
    }
}
