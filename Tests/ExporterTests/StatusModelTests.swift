import Alerting
import Exposition
import Foundation
import HTTP
import Testing

@testable import Celery
@testable import Exporter

/// Issue 12: the status model (built once per poll) and the HTML and JSON rendered from it.
@Suite struct StatusModelTests {
    static let now = 1_800_000_000.0

    static func alert(
        _ name: String, _ state: AlertState, labels: [String: String] = [:], summary: String = "",
        activeAt: Double = now - 120
    ) -> Alert {
        Alert(
            labels: labels.merging(["alertname": name]) { a, _ in a }, annotations: ["summary": summary], state: state,
            activeAt: activeAt, firedAt: state == .firing ? activeAt + 60 : nil, lastTrueAt: now, value: 1)
    }

    static func inputs(
        queues: [QueueSnapshot], alerts: [Alert] = [], workers: [WorkerRegistry.WorkerStatus]? = nil,
        families: [MetricFamily] = [], succeeded: Bool = true
    ) -> StatusInputs {
        var snapshot =
            succeeded
            ? Snapshot(
                timestamp: now, pollDuration: 0.042,
                outcome: .sampled(
                    SampledState(
                        queues: queues, census: CensusSnapshot(metaKeys: [.success: 40, .failure: 2]),
                        orphanedStartedTasks: 1)))
            : Snapshot.failure(stage: .connect, timestamp: now, pollDuration: 0.1, reason: "Connection refused")
        snapshot.events = workers.map { workers in
            var reading = CeleryEventMonitor(configuration: CeleryEventConfiguration()).read(at: 0)
            reading.workers = workers
            return reading
        }
        return StatusInputs(
            snapshot: snapshot, families: families, alerts: alerts,
            monotonicToWall: 1_000_000, now: now, lastSuccessAt: now, pollInterval: 15, censusEnabled: true)
    }

    static func build(_ inputs: StatusInputs) -> StatusModel {
        var history = DepthHistory()
        history.record(
            (inputs.snapshot.sampled?.queues ?? []).map { (LabelValueLimit.capped($0.name), $0.length) }, at: inputs.now
        )
        return StatusModel.build(inputs, history: history, rates: OutcomeRateWindow())
    }

    @Test func queuesWorstFirstAndMarkedByTheirAlerts() {
        let queues = [
            QueueSnapshot(name: "deep", length: 5000),
            QueueSnapshot(name: "old", length: 3, oldestMessageAge: 900),
            QueueSnapshot(name: "stranded", length: 0, unacked: 2, stranded: 2),
            QueueSnapshot(name: "alerting", length: 1),
            QueueSnapshot(name: "pending", length: 1),
            QueueSnapshot(name: "idle"),
        ]
        let model = Self.build(
            Self.inputs(
                queues: queues,
                alerts: [
                    Self.alert("Backlog", .firing, labels: ["queue": "alerting"]),
                    Self.alert("Slow", .pending, labels: ["queue": "pending"]),
                    Self.alert("Gone", .resolved, labels: ["queue": "idle"]),
                ]))
        #expect(model.queues.map(\.name) == ["alerting", "pending", "stranded", "old", "deep", "idle"])
        #expect(model.queues.map(\.alertState) == ["firing", "pending", nil, nil, nil, nil])
        #expect(model.queueTotal == 6 && model.depthTotal == 5005 && model.queuesNeedingAttention == 3)
        #expect(model.alerts.map(\.name) == ["Backlog", "Slow"] && model.alertTotal == 2)
        #expect(model.alerts[0].since == Self.now - 60)  // fired at, not active at
        #expect(model.queues.allSatisfy { $0.history.last == $0.depth })
    }

    @Test func rowsAreCappedNamesCutAndTotalsKept() {
        let queues =
            (0..<10_000).map { QueueSnapshot(name: "q\($0)", length: Int64($0)) }
            + [QueueSnapshot(name: String(repeating: "x", count: 300 * 1024), length: 1_000_000)]
        let huge = String(repeating: "<b>", count: 2000)
        let model = Self.build(
            Self.inputs(queues: queues, alerts: [Self.alert("A", .firing, labels: ["k": huge], summary: huge)]))
        #expect(model.queues.count == StatusModel.maximumRows && model.queueTotal == 10_001)
        #expect(
            model.queues[0].name.utf8.count == LabelValueLimit.maxBytes
                && model.queues[0].name.hasSuffix(LabelValueLimit.capped(queues.last!.name).suffix(8)))
        #expect(model.alerts[0].summary.utf8.count <= StatusModel.maximumTextBytes)
        #expect(model.alerts[0].labels[0].value.utf8.count <= LabelValueLimit.maxBytes)
        let many = Dictionary(uniqueKeysWithValues: (0..<40).map { ("l\($0)", huge) })
        let crowded = Self.build(Self.inputs(queues: [], alerts: [Self.alert("B", .pending, labels: many)]))
        #expect(crowded.alerts[0].labels.count == StatusModel.maximumAlertLabels)

        // The page stays small: 10,000 queues, 50 shown; gzip as the browser asks for it.
        let html = Array(StatusHTMLRenderer.render(model, telemetryPath: "/metrics").utf8)
        let json = Array(StatusJSONRenderer.render(model).utf8)
        #expect(
            Gzip.compress(html).count + Gzip.compress(json).count < 100 * 1024,
            "html \(html.count) B, json \(json.count) B")
        #expect(html.count < 200 * 1024)
        #expect(String(decoding: html, as: UTF8.self).contains("9951 more queues not shown"))
    }

    @Test func workersDeadFirstWithWallClockTimes() {
        let model = Self.build(
            Self.inputs(
                queues: [],
                workers: [
                    .init(hostname: "a@h", isUp: true, active: 2, processed: 10, downSince: nil, lastSeen: 990),
                    .init(hostname: "b@h", isUp: false, active: 0, processed: 5, downSince: 700, lastSeen: 640),
                    .init(hostname: "c@h", isUp: false, active: 0, processed: 5, downSince: 900, lastSeen: 840),
                ]))
        #expect(model.workers?.map(\.name) == ["c@h", "b@h", "a@h"])
        #expect(model.workers?[0].downSince == 1_000_900)
        #expect(model.workerTotal == 3 && model.workersUp == 1)
        #expect(Self.build(Self.inputs(queues: [])).workers == nil)
    }

    /// Up workers show how long ago their last heartbeat came (a worker about to be declared
    /// down is visible before it is), in the JSON as age and time, in the HTML as an age whose
    /// hover title is the absolute time.
    @Test func upWorkersShowTheirLastHeartbeat() throws {
        let seen = Self.now - 1_000_000 - 12.5  // on the registry's (monotonic) clock
        let model = Self.build(
            Self.inputs(
                queues: [],
                workers: [
                    .init(hostname: "a@h", isUp: true, active: 2, processed: 10, downSince: nil, lastSeen: seen)
                ]))
        #expect(model.workers?.first?.lastHeartbeat == Self.now - 12.5)
        let json = try #require(
            JSONSerialization.jsonObject(with: Data(StatusJSONRenderer.render(model).utf8)) as? [String: Any])
        let item = try #require(((json["workers"] as? [String: Any])?["items"] as? [[String: Any]])?.first)
        #expect(item["last_heartbeat_age_seconds"] as? Double == 12.5)
        #expect(item["last_heartbeat"] as? Double == Self.now - 12.5)
        let html = StatusHTMLRenderer.render(model, telemetryPath: "/metrics")
        #expect(
            html.contains(
                "data-label=\"Last heartbeat\"><time datetime=\"\(StatusFormatting.isoTime(Self.now - 12.5))\" title=\"\(StatusFormatting.absoluteTime(Self.now - 12.5))\">12s ago</time>"
            ), "\(html)")
    }

    @Test func resultsReceiversAndHealthComeFromThePollsSeries() throws {
        let families = [
            MetricFamily(
                name: "celery_redis_task_results", help: "", type: .counter,
                samples: [
                    Sample(labels: [Label("state", "SUCCESS"), Label("task", "a")], value: 30),
                    Sample(labels: [Label("state", "SUCCESS"), Label("task", "b")], value: 12),
                    Sample(labels: [Label("state", "FAILURE"), Label("task", "a")], value: 1),
                ]),
            MetricFamily(
                name: "celery_redis_notifications", help: "", type: .counter,
                samples: [
                    Sample(labels: [Label("receiver", "<team>"), Label("result", "success")], value: 4),
                    Sample(labels: [Label("receiver", "<team>"), Label("result", "failed")], value: 1),
                    Sample(labels: [Label("receiver", "<team>"), Label("result", "dropped")], value: 2),
                ]),
            MetricFamily(name: "celery_redis_event_subscriber_up", help: "", type: .gauge, samples: [Sample(value: 1)]),
        ]
        #expect(StatusModel.resultTotals(families) == ["SUCCESS": 42, "FAILURE": 1])
        let model = Self.build(Self.inputs(queues: [], workers: [], families: families))
        #expect(
            model.health.receivers == [
                StatusModel.Receiver(
                    name: "<team>", delivered: 4, failed: 3, retried: 0, pending: 0, lastSuccessAt: nil)
            ])
        #expect(model.health.eventsSubscribed && model.health.redisUp && model.health.lastError == nil)
        let census = try #require(model.results.census)
        #expect(census.first { $0.state == "SUCCESS" }?.count == 40)
        #expect(model.results.orphanedStarted == 1)

        let down = Self.build(Self.inputs(queues: [], succeeded: false))
        #expect(!down.health.redisUp && down.health.lastError?.contains("Connection refused") == true)
        #expect(StatusHTMLRenderer.render(down, telemetryPath: "/metrics").contains("tile bad\" id=\"tile-redis\""))
    }

    @Test func htmlAndJSONShowTheSameHostileNamesAsTextAndData() throws {
        let names = ["<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", "q\"uo'te&amp;"]
        let model = Self.build(
            Self.inputs(
                queues: names.map { QueueSnapshot(name: $0, length: 7) },
                alerts: [
                    Self.alert(
                        "<svg onload=alert(3)>", .firing, labels: ["queue": names[0], "x\"y": "<i>"],
                        summary: "</td><script>alert(4)</script>")
                ],
                workers: [.init(hostname: names[1], isUp: true, active: 1, processed: 2, downSince: nil, lastSeen: 0)]))
        let html = StatusHTMLRenderer.render(model, telemetryPath: "/metrics\"><script>")
        for forbidden in ["<img", "<svg onload", "<script>alert", "</script><script>", "<i>", "onerror=alert(1)>"] {
            #expect(!html.contains(forbidden), "\(forbidden) in the HTML")
        }
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        // The only script element is the external one; no inline style, no handler attribute.
        #expect(
            html.components(separatedBy: "<script").count == 2 && html.contains("<script src=\"/static/status.js?v="))
        #expect(!html.contains(" style=") && !html.contains("<style"))
        // No tag carries an event handler (escaped names contain " onerror=" only as text).
        let handler = #"<[a-zA-Z]+(?:\s+[a-zA-Z:-]+(?:=(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*\s+on[a-z]+\s*="#
        #expect(html.range(of: handler, options: .regularExpression) == nil)
        #expect("<p><img src=x onerror=alert(1)></p>".range(of: handler, options: .regularExpression) != nil)
        #expect(#"<svg class="spark" onload="x">"#.range(of: handler, options: .regularExpression) != nil)

        let json = try #require(
            JSONSerialization.jsonObject(with: Data(StatusJSONRenderer.render(model).utf8)) as? [String: Any])
        let queues = try #require((json["queues"] as? [String: Any])?["items"] as? [[String: Any]])
        #expect(Set(queues.compactMap { $0["name"] as? String }) == Set(names))
        #expect(queues.allSatisfy { $0["depth"] as? Int == 7 })
        let alerts = try #require((json["alerts"] as? [String: Any])?["items"] as? [[String: Any]])
        #expect(alerts.first?["summary"] as? String == "</td><script>alert(4)</script>")
        #expect((alerts.first?["labels"] as? [String: String])?["x\"y"] == "<i>")
        #expect(json["schema_version"] as? Int == 1)
    }

    @Test func theScriptBuildsTheDOMWithoutParsingMarkup() {
        let script = StatusAssets.script
        for sink in [
            "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setTimeout(\"",
        ] {
            #expect(!script.contains(sink), "\(sink) in status.js")
        }
        for asset in [StatusAssets.script, StatusAssets.stylesheet] {
            #expect(!asset.contains("https://") && !asset.contains("@import") && !asset.contains("url("))
        }
    }
}
