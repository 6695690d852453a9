import Foundation
import HTTP
import Testing
import TestSupport

/// The exporter's silences and `--alertmanager.url`, against a real Alertmanager with a real
/// webhook receiver behind it: a silenced alert is never pushed as firing (Alertmanager does
/// not know the exporter's silences), one already pushed is withdrawn when silenced, and the
/// end of the silence pushes it again.
@Suite(.serialized) struct SilencesAlertmanagerEndToEndTests {
    func amtool(_ port: UInt16, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runCommand(try requireTool("amtool"), ["--alertmanager.url=http://127.0.0.1:\(port)"] + args)
    }

    func status(_ r: HTTPRequest) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])?["status"] as? String
    }

    /// Alert names Alertmanager holds as firing (active or suppressed there).
    func firingInAlertmanager(_ am: RealAlertmanager) -> [String] {
        ((try? am.alerts()) ?? []).compactMap { ($0["labels"] as? [String: String])?["alertname"] }
    }

    @Test func silencedAlertIsWithheldFromAlertmanagerAndPushedWhenTheSilenceEnds() throws {
        let receiver = try RecordingReceiver()
        let am = try RealAlertmanager(config: """
            route: {receiver: hook, group_by: [alertname], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
            receivers:
              - name: hook
                webhook_configs: [{url: 'http://127.0.0.1:\(receiver.port)/hook'}]
            """)
        let redis = try RedisServer()
        try CelerySeed.bind(redis, queue: "celery")
        let dir = try makeTemporaryDirectory("silences-am")
        try SilencesEndToEndTests.rulesYAML.write(
            to: dir.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.3s",
            "--rules.file=\(dir.path)/rules.yml", "--alertmanager.url=http://127.0.0.1:\(am.port)",
            "--web.enable-silences",
        ])
        defer { _ = exporter.terminate() }

        // 1. Silenced before it fires: Alertmanager never hears of it, nobody is paged.
        let add = try amtool(exporter.port, [
            "silence", "add", "alertname=CeleryBacklog", "--comment=night", "--author=oncall", "--duration=1h",
        ])
        #expect(add.status == 0, "\(add.stderr)")
        let first = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try CelerySeed.enqueue(redis, queue: "celery", count: 8)
        #expect(waitUntil(timeout: 15) {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "")
                .value("celery_redis_alerts_suppressed", ["reason": "silenced"]) == 1
        }, "stderr: \(exporter.stderr)")
        Thread.sleep(forTimeInterval: 3)  // ten evaluations; Alertmanager's group_wait is 1 s
        #expect(firingInAlertmanager(am).isEmpty, "a silenced alert was pushed to Alertmanager")
        #expect(receiver.requests.count == 0, "a silenced alert was notified through Alertmanager")

        // 2. The silence expires: pushed at once, Alertmanager notifies.
        #expect(try amtool(exporter.port, ["silence", "expire", first]).status == 0)
        #expect(waitUntil(timeout: 15) { firingInAlertmanager(am) == ["CeleryBacklog"] }, "stderr: \(exporter.stderr)")
        #expect(waitUntil(timeout: 15) { receiver.requests.contains { status($0) == "firing" } })

        // 3. Silenced while Alertmanager holds it as firing: withdrawn now (not after the
        // 4-minute validity of the last push), and not pushed as firing again while silenced.
        let again = try amtool(exporter.port, [
            "silence", "add", "alertname=CeleryBacklog", "--comment=again", "--author=oncall", "--duration=1h",
        ])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(waitUntil(timeout: 10) { firingInAlertmanager(am).isEmpty }, "not withdrawn: \(firingInAlertmanager(am))")
        Thread.sleep(forTimeInterval: 3)
        #expect(firingInAlertmanager(am).isEmpty, "pushed as firing again while silenced")
        let firingCount = receiver.requests.filter { status($0) == "firing" }.count
        #expect(firingCount == 1, "notified as firing while silenced")

        // 4. That silence ends too: firing again in Alertmanager.
        let second = again.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try amtool(exporter.port, ["silence", "expire", second]).status == 0)
        #expect(waitUntil(timeout: 15) { firingInAlertmanager(am) == ["CeleryBacklog"] }, "stderr: \(exporter.stderr)")
        #expect(waitUntil(timeout: 15) { receiver.requests.filter { status($0) == "firing" }.count == 2 })
    }
}
