import Foundation
import TestSupport
import Testing

/// Silences through Debian's real `amtool` against a real exporter process, with a real
/// webhook receiver: a silenced alert shows as suppressed and is not notified; the silence
/// survives a restart; expiring it brings the notification.
@Suite(.serialized) struct SilencesEndToEndTests {
    static let alertingYAML = """
        route:
          receiver: hook
          group_by: ['alertname']
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: hook
            webhook_configs:
              - url: http://127.0.0.1:PORT/hook
        inhibit_rules:
          - source_matchers: ['severity="critical"']
            target_matchers: ['severity="warning"']
            equal: [queue]
        """

    static let rulesYAML = """
        groups:
          - name: celery
            rules:
              - alert: CeleryBacklog
                expr: celery_redis_queue_length > 5
                labels: {severity: warning}
                annotations: {summary: "backlog"}
        """

    func amtool(_ port: UInt16, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let tool = try requireTool("amtool")
        return try runCommand(tool, ["--alertmanager.url=http://127.0.0.1:\(port)"] + args)
    }

    /// POSTs `body` with curl; the status and body text.
    func post(_ port: UInt16, _ path: String, _ body: String) throws -> (status: Int, text: String) {
        let curl = try requireTool("curl")
        let r = try runCommand(
            curl,
            [
                "-s", "-w", "\n%{http_code}", "-H", "Content-Type: application/json", "--data-binary", "@-",
                "http://127.0.0.1:\(port)\(path)",
            ], input: Data(body.utf8))
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? -1, lines.dropLast().joined(separator: "\n"))
    }

    func json(_ text: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test func amtoolSilencesAnAlertAcrossARestartAndExpiresIt() throws {
        let redis = try RedisServer()
        try CelerySeed.bind(redis, queue: "celery")
        let receiver = try RecordingReceiver()
        let dir = try makeTemporaryDirectory("silences")
        let rules = dir.appendingPathComponent("rules.yml")
        try Self.rulesYAML.write(to: rules, atomically: true, encoding: .utf8)
        let alerting = dir.appendingPathComponent("alerting.yml")
        try Self.alertingYAML.replacingOccurrences(of: "PORT", with: "\(receiver.port)")
            .write(to: alerting, atomically: true, encoding: .utf8)
        let silencesFile = dir.appendingPathComponent("silences.json").path
        let arguments = [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.3s", "--rules.file=\(rules.path)",
            "--alerting.config=\(alerting.path)", "--silences.file=\(silencesFile)", "--web.enable-silences",
        ]
        var exporter = try ExporterProcess(arguments: arguments)

        // Silence before the alert fires (the 3 a.m. case: a known flapping alert).
        let add = try amtool(
            exporter.port,
            [
                "silence", "add", "alertname=CeleryBacklog", "queue=~cel.*", "--comment=flapping at night",
                "--author=oncall", "--duration=1h",
            ])
        #expect(add.status == 0, "amtool silence add: \(add.stderr)")
        let id = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 36, "expected a UUID, got \(add.stdout)")

        try CelerySeed.enqueue(redis, queue: "celery", count: 8)
        let suppressed = waitUntil(timeout: 15) {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "")
                .value("celery_redis_alerts_suppressed", ["reason": "silenced"]) == 1
        }
        #expect(suppressed, "stderr: \(exporter.stderr)")
        // amtool alert query: the alert is listed as silenced, not as active.
        let silencedOnly = try amtool(exporter.port, ["alert", "query", "--silenced", "-o", "json"])
        #expect(silencedOnly.status == 0, "\(silencedOnly.stderr)")
        let listed = json(silencedOnly.stdout) as? [[String: Any]] ?? []
        #expect(listed.count == 1)
        let status = listed.first?["status"] as? [String: Any]
        #expect(status?["state"] as? String == "suppressed")
        #expect(status?["silencedBy"] as? [String] == [id])
        let activeOnly = try amtool(exporter.port, ["alert", "query", "--active", "-o", "json"])
        #expect((json(activeOnly.stdout) as? [Any])?.isEmpty == true, "\(activeOnly.stdout) \(activeOnly.stderr)")
        // No notification while silenced (group_wait and group_interval are 1 s).
        Thread.sleep(forTimeInterval: 3)
        #expect(receiver.requests.isEmpty, "a silenced alert was notified")

        // The silence survives a restart (written to --silences.file).
        #expect(exporter.terminate() == 0)
        exporter = try ExporterProcess(arguments: arguments)
        let query = try amtool(exporter.port, ["silence", "query", "-o", "json"])
        #expect(query.status == 0, "\(query.stderr)")
        let silences = json(query.stdout) as? [[String: Any]] ?? []
        #expect(silences.map { $0["id"] as? String } == [id])
        #expect(silences.first?["comment"] as? String == "flapping at night")
        Thread.sleep(forTimeInterval: 3)
        #expect(receiver.requests.isEmpty, "a silenced alert was notified after the restart")

        // Expire it: the alert is notified.
        let expire = try amtool(exporter.port, ["silence", "expire", id])
        #expect(expire.status == 0, "amtool silence expire: \(expire.stderr)")
        let notified = waitUntil(timeout: 15) { !receiver.requests.isEmpty }
        #expect(notified, "no notification after the silence expired; stderr: \(exporter.stderr)")
        let expired = try amtool(exporter.port, ["silence", "query", "--expired", "-o", "json"])
        #expect(
            (json(expired.stdout) as? [[String: Any]])?.first?["status"] as? [String: String] == ["state": "expired"])
        let active = try amtool(exporter.port, ["alert", "query", "-o", "json"])
        let activeStatus = ((json(active.stdout) as? [[String: Any]])?.first?["status"] as? [String: Any])
        #expect(activeStatus?["state"] as? String == "active")
        #expect(exporter.terminate() == 0)
    }

    /// inhibit_rules in a real exporter: the critical alert mutes the warning on the same
    /// queue; amtool lists the warning as inhibited; only the critical one is notified.
    @Test func inhibitedAlertIsListedByAmtoolAndNotNotified() throws {
        let redis = try RedisServer()
        try CelerySeed.bind(redis, queue: "celery")
        try CelerySeed.enqueue(redis, queue: "celery", count: 8)
        let receiver = try RecordingReceiver()
        let dir = try makeTemporaryDirectory("inhibit-e2e")
        let rules = dir.appendingPathComponent("rules.yml")
        try
            (Self.rulesYAML
            + "\n      - alert: CeleryBacklogCritical\n        expr: celery_redis_queue_length > 7\n        labels: {severity: critical}\n")
            .write(to: rules, atomically: true, encoding: .utf8)
        let alerting = dir.appendingPathComponent("alerting.yml")
        try Self.alertingYAML.replacingOccurrences(of: "PORT", with: "\(receiver.port)")
            .write(to: alerting, atomically: true, encoding: .utf8)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.3s", "--rules.file=\(rules.path)",
            "--alerting.config=\(alerting.path)",
        ])
        let inhibited = waitUntil(timeout: 15) {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "")
                .value("celery_redis_alerts_suppressed", ["reason": "inhibited"]) == 1
        }
        #expect(inhibited, "stderr: \(exporter.stderr)")
        let query = try amtool(exporter.port, ["alert", "query", "--inhibited", "-o", "json"])
        let listed = json(query.stdout) as? [[String: Any]] ?? []
        #expect(listed.count == 1, "\(query.stdout) \(query.stderr)")
        #expect((listed.first?["labels"] as? [String: String])?["alertname"] == "CeleryBacklog")
        let status = listed.first?["status"] as? [String: Any]
        #expect(status?["state"] as? String == "suppressed")
        #expect((status?["inhibitedBy"] as? [String])?.count == 1)
        let notified = waitUntil(timeout: 15) { !receiver.requests.isEmpty }
        #expect(notified)
        Thread.sleep(forTimeInterval: 2)
        let names = receiver.requests.flatMap { r -> [String] in
            let body = (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any]
            return (body?["alerts"] as? [[String: Any]] ?? []).compactMap {
                ($0["labels"] as? [String: String])?["alertname"]
            }
        }
        #expect(Set(names) == ["CeleryBacklogCritical"], "notified: \(names)")
        #expect(exporter.terminate() == 0)
    }

    @Test func writesNeedTheFlagAndHostileBodiesAreRefused() throws {
        let redis = try RedisServer()
        let dir = try makeTemporaryDirectory("silences-off")
        let rules = dir.appendingPathComponent("rules.yml")
        try Self.rulesYAML.write(to: rules, atomically: true, encoding: .utf8)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--rules.file=\(rules.path)",
        ])
        let add = try amtool(exporter.port, ["silence", "add", "alertname=X", "--comment=c", "--author=a"])
        #expect(add.status != 0)
        let direct = try post(exporter.port, "/api/v2/silences", "{}")
        #expect(direct.status == 403 && direct.text.contains("--web.enable-silences"))
        #expect(exporter.terminate() == 0)

        let open = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--rules.file=\(rules.path)", "--web.enable-silences",
            "--silences.max-silences=1", "--poll.interval=0.3s",
        ])
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let bodies = [
            deep, "not json",
            #"{"matchers":[{"name":"a","value":"","isRegex":false}],"startsAt":"2020-01-01T00:00:00Z","endsAt":"2999-01-01T00:00:00Z","createdBy":"x","comment":"y"}"#,
            #"{"matchers":[{"name":"a","value":"(((((","isRegex":true}],"startsAt":"2020-01-01T00:00:00Z","endsAt":"2999-01-01T00:00:00Z","createdBy":"x","comment":"y"}"#,
            #"{"matchers":[{"name":"a","value":"b","isRegex":false}],"startsAt":"2020-01-01T00:00:00Z","endsAt":"2999-01-01T00:00:00Z","createdBy":"x","comment":""#
                + String(repeating: "z", count: 9000) + #""}"#,
        ]
        for body in bodies {
            let r = try post(open.port, "/api/v2/silences", body)
            #expect(r.status == 400, "\(body.prefix(80)) → \(r.status) \(r.text)")
        }
        // The cap: one live silence allowed, the second refused.
        #expect(try amtool(open.port, ["silence", "add", "alertname=A", "--comment=c", "--author=a"]).status == 0)
        #expect(try amtool(open.port, ["silence", "add", "alertname=B", "--comment=c", "--author=a"]).status != 0)
        // Rendered with the next poll. Wait for the last write's refusal, not for the first
        // add: a poll between the two amtool calls already shows one active silence and no
        // refusal at the cap yet. The counts are rendered from one snapshot, so once the
        // last refusal shows, every earlier one does too.
        var metrics = MetricsText(text: "")
        let rendered = waitUntil(timeout: 15) {
            metrics = MetricsText(text: (try? open.get("/metrics").text) ?? "")
            return metrics.value("celery_redis_silences_rejected_total", ["reason": "limit"]) ?? 0 >= 1
        }
        #expect(rendered, "the refusal at the cap was never rendered; stderr: \(open.stderr)")
        #expect(metrics.value("celery_redis_silences_rejected_total", ["reason": "limit"]) == 1)
        #expect(metrics.value("celery_redis_silences_rejected_total", ["reason": "size"]) == 1)
        #expect((metrics.value("celery_redis_silences_rejected_total", ["reason": "invalid"]) ?? 0) >= 4)
        #expect(metrics.value("celery_redis_silences", ["state": "active"]) == 1)
        #expect(open.terminate() == 0)
    }

    /// `amtool silence update ID --duration=…` sends the silence back with the start it read
    /// (to the millisecond): the silence keeps its id and start, as in Alertmanager, instead of
    /// becoming a new silence that starts now.
    @Test func amtoolSilenceUpdateKeepsTheIdAndTheStart() throws {
        let redis = try RedisServer()
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--web.enable-silences",
        ])
        defer { _ = exporter.terminate() }
        let add = try amtool(
            exporter.port, ["silence", "add", "alertname=A", "--comment=c", "--author=a", "--duration=1h"])
        #expect(add.status == 0, "\(add.stderr)")
        let id = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let before = (json(try amtool(exporter.port, ["silence", "query", "-o", "json"]).stdout) as? [[String: Any]])?
            .first
        Thread.sleep(forTimeInterval: 1.1)
        let update = try amtool(exporter.port, ["silence", "update", id, "--duration=3h"])
        #expect(update.status == 0, "\(update.stderr)")
        let after =
            json(try amtool(exporter.port, ["silence", "query", "-o", "json"]).stdout) as? [[String: Any]] ?? []
        #expect(after.map { $0["id"] as? String } == [id], "\(after)")
        #expect(after.first?["startsAt"] as? String == before?["startsAt"] as? String)
        #expect(after.first?["endsAt"] as? String != before?["endsAt"] as? String)
    }

    @Test func unwritableSilencesDirectoryStopsStartUp() throws {
        let r = try runExporterToExit(["--silences.file=/nonexistent-dir/silences.json"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--silences.file=/nonexistent-dir/silences.json: its directory is not writable"))
    }

    /// A `--silences.file` that exists but is not a silences file (corrupt, or a mistyped path
    /// naming the rules file) stops start-up with one line naming the file and the parse problem,
    /// never its contents, and the file stays byte for byte as it was. Before, the exporter
    /// started without silences (paging for everything they muted) and the first silence written
    /// replaced the file (a rules file was lost).
    @Test(arguments: [
        "[{\"id\": 1, garbage",
        "groups:\n  - name: celery\n    rules:\n      - alert: Down\n        expr: celery_redis_up == 0\n",
        "[{\"alert\": \"Down\"}, 1, \"x\"]",
        "{\"silences\": []}",
    ])
    func aFileThatIsNotASilencesFileStopsStartUpUntouched(_ content: String) throws {
        let dir = try makeTemporaryDirectory("silences-corrupt")
        let file = dir.appendingPathComponent("silences.json")
        try content.write(to: file, atomically: true, encoding: .utf8)
        let r = try runExporterToExit([
            "--redis.url=redis://127.0.0.1:1/0", "--silences.file=\(file.path)", "--web.enable-silences",
            "--web.listen-address=127.0.0.1:0",
        ])
        #expect(r.status == 2, "stderr: \(r.stderr)")
        #expect(
            r.stderr.hasPrefix("celery-redis-exporter: --silences.file=\(file.path): not a silences file ("),
            "stderr: \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "stderr: \(r.stderr)")
        #expect(!r.stderr.contains("garbage") && !r.stderr.contains("celery_redis_up") && !r.stderr.contains("Down"))
        #expect(try String(contentsOf: file, encoding: .utf8) == content)
    }

    /// An empty file (created ahead of the first start) is an empty store, and the first silence
    /// is written to it.
    @Test func anEmptySilencesFileStartsEmptyAndIsWritten() throws {
        let redis = try RedisServer()
        let dir = try makeTemporaryDirectory("silences-empty")
        let file = dir.appendingPathComponent("silences.json")
        try "".write(to: file, atomically: true, encoding: .utf8)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--silences.file=\(file.path)", "--web.enable-silences",
        ])
        let add = try amtool(exporter.port, ["silence", "add", "alertname=A", "--comment=c", "--author=a"])
        #expect(add.status == 0, "\(add.stderr)")
        let written = waitUntil(timeout: 5) {
            (try? String(contentsOf: file, encoding: .utf8))?.hasPrefix("[{\"id\":") == true
        }
        #expect(written)
        #expect(exporter.terminate() == 0)
    }

    /// A path that exists but is no regular file (a directory, a FIFO, a device) would fail every
    /// write, or block or read nothing: refused at start-up, as is an empty path.
    @Test func aSilencesPathThatIsNoRegularFileStopsStartUp() throws {
        let dir = try makeTemporaryDirectory("silences-special")
        let fifo = dir.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        for (path, problem) in [
            (dir.path, "not a regular file"), (fifo, "not a regular file"), ("/dev/null", "not a regular file"),
            ("/dev/zero", "not a regular file"), ("", "expected a path, got an empty value"),
        ] {
            let r = try runExporterToExit(["--silences.file=\(path)", "--redis.url=redis://127.0.0.1:1/0"])
            #expect(r.status == 2, "\(path): \(r.stderr)")
            #expect(
                r.stderr.hasPrefix("celery-redis-exporter: --silences.file") && r.stderr.contains(problem),
                "\(path): \(r.stderr)")
        }
    }
}
