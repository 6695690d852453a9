import Exporter
import Foundation
import Logging
import Notify
import Sockets
import TestSupport
import Testing

/// Issue 9, rows 8-10, against the real binary: hostile configuration ends in exit 2 with one line
/// at start-up, and in a refused reload (previous configuration kept, no crash) later; errors name
/// file, line and column and never carry a webhook URL.
@Suite(.serialized) struct HostileConfigurationTests {
    static let depth = 100_000
    static let deepRules =
        "groups:\n  - name: g\n    rules:\n      - alert: Deep\n        expr: "
        + String(repeating: "(", count: depth) + "celery_redis_up" + String(repeating: ")", count: depth) + "\n"
    static let goodRules = "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: celery_redis_up == 0\n"
    static let secret = "SECRET-hook-t0ken"
    /// Broken: a stray `key: value` after the URL on the same line, so the offending line (the one
    /// Yams quotes with a caret) holds the URL.
    static func alerting(url: String, broken: Bool) -> String {
        "route:\n  receiver: hook\nreceivers:\n  - name: hook\n    webhook_configs:\n"
            + (broken
                ? "      - url: \(url) send_resolved: true\n" : "      - url: \(url)\n        send_resolved: true\n")
    }

    @Test(arguments: [
        ["--poll.interval", "99999999999999999999h"],
        ["--poll.interval=1e400s"],
        ["--poll.interval=" + String(repeating: "9", count: 400) + "s"],
        ["--celery.visibility-timeout=-5s"],
        ["--redis.read-timeout=NaN"],
        ["--celery.result-expires=1e30"],
        ["--web.max-connections=99999999999999999999"],
    ])
    func hostileNumbersExitWithStatus2AndOneLine(_ arguments: [String]) throws {
        let flag = String(arguments[0].prefix { $0 != "=" })
        let result = try runExporterToExit(arguments + ["--redis.url=redis://127.0.0.1:1/0"])
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("\(flag)="), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("expected a "), "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "expected one line, got: \(result.stderr)")
    }

    @Test func deeplyNestedRuleStopsStartUpWithPlaceAndNoCrash() throws {
        let dir = try makeTemporaryDirectory("deep-rules")
        let rules = dir.appendingPathComponent("deep.yml")
        try Self.deepRules.write(to: rules, atomically: true, encoding: .utf8)
        let result = try runExporterToExit(["--rules.file=\(rules.path)", "--redis.url=redis://127.0.0.1:1/0"])
        #expect(result.status == 2, "stderr: \(result.stderr.prefix(500))")
        #expect(
            result.stderr.contains("deep.yml:5:15: group \"g\", rule \"Deep\""), "stderr: \(result.stderr.prefix(500))")
        #expect(result.stderr.contains("nesting too deep"), "stderr: \(result.stderr.prefix(500))")
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.utf8.count < 1000)
    }

    @Test func yamlErrorNextToWebhookURLStopsStartUpWithoutTheURL() throws {
        let dir = try makeTemporaryDirectory("bad-alerting")
        let config = dir.appendingPathComponent("alerting.yml")
        try Self.alerting(url: "https://hooks.example/\(Self.secret)", broken: true)
            .write(to: config, atomically: true, encoding: .utf8)
        let result = try runExporterToExit(["--alerting.config=\(config.path)", "--redis.url=redis://127.0.0.1:1/0"])
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("alerting.yml:6:"), "stderr: \(result.stderr)")
        #expect(
            !result.stderr.contains(Self.secret) && !result.stderr.contains("hooks.example"), "stderr: \(result.stderr)"
        )
        #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)")
    }

    @Test func hostileReloadsAreRefusedAndThePreviousConfigurationKept() throws {
        let dir = try makeTemporaryDirectory("hostile-reload")
        let rules = dir.appendingPathComponent("rules.yml")
        let config = dir.appendingPathComponent("alerting.yml")
        let url = "http://127.0.0.1:1/\(Self.secret)"
        try Self.goodRules.write(to: rules, atomically: true, encoding: .utf8)
        try Self.alerting(url: url, broken: false).write(to: config, atomically: true, encoding: .utf8)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:1/0", "--poll.interval=0.2s", "--rules.file=\(rules.path)",
            "--alerting.config=\(config.path)",
        ])
        func failures() -> Int { exporter.stderr.components(separatedBy: "configuration reload failed").count - 1 }
        func reloadMetric() -> Double? {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "").value(
                "celery_redis_config_last_reload_successful")
        }
        #expect(waitUntil(timeout: 10) { reloadMetric() == 1 }, "stderr: \(exporter.stderr)")

        try Self.deepRules.write(to: rules, atomically: true, encoding: .utf8)
        kill(exporter.process.processIdentifier, SIGHUP)
        #expect(waitUntil(timeout: 10) { failures() == 1 }, "stderr: \(exporter.stderr.prefix(2000))")
        #expect(exporter.stderr.contains("nesting too deep"))
        #expect(waitUntil(timeout: 5) { reloadMetric() == 0 })
        #expect(exporter.process.isRunning)

        try Self.goodRules.write(to: rules, atomically: true, encoding: .utf8)
        try Self.alerting(url: url, broken: true).write(to: config, atomically: true, encoding: .utf8)
        kill(exporter.process.processIdentifier, SIGHUP)
        #expect(waitUntil(timeout: 10) { failures() == 2 }, "stderr: \(exporter.stderr.prefix(2000))")
        #expect(exporter.stderr.contains("alerting.yml:6:"))
        #expect(exporter.process.isRunning)
        #expect(exporter.terminate() == 0)
        #expect(!exporter.stderr.contains(Self.secret), "the webhook URL reached the log")
    }

    /// What `POST /-/reload` answers is ``AlertingRuntime/reload()``'s text; checked here without HTTP
    /// so it holds however the endpoint is exposed.
    @Test func reloadErrorTextHasPlaceButNoURL() throws {
        let dir = try makeTemporaryDirectory("reload-text")
        let rules = dir.appendingPathComponent("rules.yml")
        let config = dir.appendingPathComponent("alerting.yml")
        let url = "http://127.0.0.1:1/\(Self.secret)"
        try Self.goodRules.write(to: rules, atomically: true, encoding: .utf8)
        try Self.alerting(url: url, broken: false).write(to: config, atomically: true, encoding: .utf8)
        let initial = try LoadedAlertingConfig.load(rulePatterns: [rules.path], alertingConfigFile: config.path)
        let runtime = try AlertingRuntime(
            initial: initial, rulePatterns: [rules.path], alertingConfigFile: config.path, alertmanager: nil,
            options: NotifierOptions(), logger: Logger(label: "test"))
        defer { runtime.shutdown(deadline: Deadline(after: .milliseconds(100))) }

        try Self.alerting(url: url, broken: true).write(to: config, atomically: true, encoding: .utf8)
        let yamlFailure = try #require(runtime.reload())
        #expect(yamlFailure.contains("alerting.yml:6:"), "\(yamlFailure)")
        #expect(!yamlFailure.contains(Self.secret) && !yamlFailure.contains("\n"), "\(yamlFailure)")

        try Self.alerting(url: url, broken: false).write(to: config, atomically: true, encoding: .utf8)
        try Self.deepRules.write(to: rules, atomically: true, encoding: .utf8)
        let deepFailure = try #require(runtime.reload())
        #expect(
            deepFailure.contains("rules.yml:5:15:") && deepFailure.contains("nesting too deep"),
            "\(deepFailure.prefix(500))")
        #expect(deepFailure.utf8.count < 1000)

        try Self.goodRules.write(to: rules, atomically: true, encoding: .utf8)
        #expect(runtime.reload() == nil)
    }
}
