import Exposition
import Foundation
import TestSupport
import Testing

@testable import Alerting

/// The rules shipped in deploy/prometheus: valid for Prometheus (promtool), loadable by our
/// evaluator, and firing the same alerts in both engines.
@Suite struct ShippedRulesTests {
    static let rulesPath = repositoryRoot.appendingPathComponent("deploy/prometheus/celery-redis-rules.yml").path
    static let testsPath = repositoryRoot.appendingPathComponent("deploy/prometheus/celery-redis-rules.test.yml").path

    @Test func loadInOurEvaluator() throws {
        let groups = try RuleLoader.load(patterns: [ShippedRulesTests.rulesPath])
        let names = groups.flatMap { $0.rules.map(\.name) }
        #expect(
            names == [
                "CeleryRedisUnreachable", "CeleryResultBackendUnreachable", "CeleryRedisExporterPollsStale",
                "CeleryQueueBacklog",
                "CeleryQueueOldestMessageTooOld",
                "CeleryStrandedTasks", "CeleryOrphanedStartedTasks", "CeleryNoLiveWorker", "CeleryWorkerDown",
                "CeleryTaskFailureRateHigh", "CeleryQueueNotDraining",
            ])
        for rule in groups.flatMap(\.rules) {
            #expect(rule.labels["severity"] != nil, "\(rule.name) has a severity")
            #expect(Set(rule.annotations.keys) == ["summary", "description", "runbook_url"], "\(rule.name)")
            // Each links to its own runbook section of the README (heading "Runbook: <alert name>").
            #expect(rule.annotations["runbook_url"] == "README.md#runbook-\(rule.name.lowercased())")
            #expect(rule.expression.contains("celery_redis_"), "\(rule.name) uses the exporter's metrics")
        }
    }

    @Test func promtoolCheckRules() throws {
        let promtool = try requireTool("promtool")
        let result = try runCommand(promtool, ["check", "rules", ShippedRulesTests.rulesPath])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("SUCCESS: 11 rules found"))
    }

    @Test func promtoolTestRules() throws {
        let promtool = try requireTool("promtool")
        let result = try runCommand(promtool, ["test", "rules", ShippedRulesTests.testsPath])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("SUCCESS"))
    }

    /// The demo Alertmanager has a route for every severity the shipped rules emit (and none for a
    /// severity no rule emits), and real `amtool` sends each to that route's receiver.
    @Test func demoAlertmanagerRoutesTheShippedSeverities() throws {
        let amtool = try requireTool("amtool")
        let config = repositoryRoot.appendingPathComponent("deploy/alertmanager/alertmanager.yml").path
        let severities = Set(
            try RuleLoader.load(patterns: [ShippedRulesTests.rulesPath]).flatMap { $0.rules }
                .compactMap { $0.labels["severity"] })
        #expect(severities == ["critical", "warning"])
        let root = try yamlValue(try String(contentsOfFile: config, encoding: .utf8)) as? [String: Any]
        let routes = (root?["route"] as? [String: Any])?["routes"] as? [[String: Any]] ?? []
        var receiverBySeverity: [String: String] = [:]
        for route in routes {
            for matcher in route["matchers"] as? [String] ?? [] where matcher.hasPrefix("severity=") {
                let value = matcher.dropFirst("severity=".count).trimmingCharacters(
                    in: CharacterSet(charactersIn: "\""))
                receiverBySeverity[value] = route["receiver"] as? String
            }
        }
        #expect(Set(receiverBySeverity.keys) == severities)
        for (severity, receiver) in receiverBySeverity {
            let routed = try runCommand(
                amtool, ["config", "routes", "test", "--config.file=\(config)", "severity=\(severity)", "alertname=X"])
            #expect(routed.status == 0, "\(routed.stderr)")
            #expect(routed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == receiver, "severity \(severity)")
        }
    }

    /// Replays every promtool test case of celery-redis-rules.test.yml through our evaluator,
    /// evaluating every `evaluation_interval` as Prometheus does, and expects the same firing alerts
    /// (labels and expanded annotations) at each `eval_time`.
    @Test func ourEvaluatorAgreesWithPromtoolCases() throws {
        let text = try String(contentsOfFile: ShippedRulesTests.testsPath, encoding: .utf8)
        guard let root = try yamlValue(text) as? [String: Any], let tests = root["tests"] as? [[String: Any]]
        else {
            Issue.record("cannot read \(ShippedRulesTests.testsPath)")
            return
        }
        let step = PrometheusDuration.parse(root["evaluation_interval"] as? String ?? "1m")!
        let groups = try RuleLoader.load(patterns: [ShippedRulesTests.rulesPath])
        #expect(tests.count == 12)
        for test in tests {
            let name = test["name"] as? String ?? "?"
            let interval = PrometheusDuration.parse(test["interval"] as? String ?? "1m")!
            let series = try (test["input_series"] as? [[String: Any]] ?? []).map { entry in
                (
                    try PromtoolSeries.parseSelector(entry["series"] as! String),
                    PromtoolSeries.expand("\(entry["values"]!)")
                )
            }
            let cases = (test["alert_rule_test"] as? [[String: Any]] ?? []).map { entry in
                (
                    PrometheusDuration.parse(entry["eval_time"] as! String)!, entry["alertname"] as! String,
                    entry["exp_alerts"] as? [[String: Any]] ?? []
                )
            }
            let evaluator = AlertEvaluator(groups: groups)
            let end = cases.map(\.0).max() ?? 0
            var now = 0.0
            while now <= end {
                let index = Int((now / interval).rounded(.down))
                var byName: [String: [([String: String], Double)]] = [:]
                for ((metric, labels), values) in series where index < values.count {
                    if let value = values[index] { byName[metric, default: []].append((labels, value)) }
                }
                let families = byName.sorted { $0.key < $1.key }.map { gauge($0.key, $0.value) }
                let alerts = evaluator.evaluate(families: families, now: now)
                for (evalTime, alertname, expected) in cases where evalTime == now {
                    let firing = alerts.filter { $0.name == alertname && $0.state == .firing }
                    let got = Set(
                        firing.map {
                            "\($0.labels.sorted { $0.key < $1.key })|\($0.annotations.sorted { $0.key < $1.key })"
                        })
                    let want = Set(
                        expected.map { alert -> String in
                            var labels = (alert["exp_labels"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
                            labels["alertname"] = alertname
                            let annotations = (alert["exp_annotations"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
                            return "\(labels.sorted { $0.key < $1.key })|\(annotations.sorted { $0.key < $1.key })"
                        })
                    #expect(got == want, "\(name) at \(evalTime)s")
                }
                now += step
            }
        }
    }
}

/// promtool's series notation: `name{a="b"}` and expanding values (`1 0x3`, `0+10x5`, `_`, `stale`).
enum PromtoolSeries {
    static func parseSelector(_ text: String) throws -> (String, [String: String]) {
        guard let brace = text.firstIndex(of: "{") else { return (text, [:]) }
        let name = String(text[..<brace])
        var labels: [String: String] = [:]
        let body = text[text.index(after: brace)..<text.index(before: text.endIndex)]
        for pair in body.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            labels[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces)
                .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return (name, labels)
    }

    static func expand(_ text: String) -> [Double?] {
        var out: [Double?] = []
        for token in text.split(separator: " ") {
            if token == "_" || token == "stale" {
                out.append(nil)
                continue
            }
            guard let x = token.firstIndex(of: "x") else {
                out.append(Double(token))
                continue
            }
            let count = Int(token[token.index(after: x)...])!
            let head = token[..<x]
            if head == "_" {
                out += Array(repeating: nil, count: count)
                continue
            }
            // a+bxn / a-bxn: n+1 values; axn: n+1 copies.
            var start = Double(head)
            var delta = 0.0
            if start == nil, let sign = head.dropFirst().firstIndex(where: { $0 == "+" || $0 == "-" }) {
                start = Double(head[..<sign])
                delta = Double(head[sign...])!
            }
            for i in 0...count { out.append(start! + Double(i) * delta) }
        }
        return out
    }
}
