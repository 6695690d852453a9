import Foundation
import TestSupport
import Testing

@testable import Exporter

/// Several Celery deployments from one exporter (`ExporterConfiguration.targets`), against real
/// redis-servers: exact values per target under `target="<name>"`, readiness that names the target
/// that is down while the other keeps its exact numbers, rules that see the label, promtool-clean output.
@Suite(.serialized) struct MultiTargetEndToEndTests {
    func get(_ port: UInt16, _ path: String) throws -> TestHTTPResponse { try httpRequest(port: port, path: path) }

    func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func twoBrokersServeExactLabelledValuesAndReadinessNamesTheDownOne() throws {
        let first = try RedisServer()
        let second = try RedisServer()
        try CelerySeed.bind(first, queue: "celery")
        try CelerySeed.enqueue(first, queue: "celery", count: 6)
        try CelerySeed.unacked(first, queue: "celery", fetchedAt: Date().timeIntervalSince1970 - 10)
        try CelerySeed.bind(second, queue: "celery")
        try CelerySeed.bind(second, queue: "mail")
        try CelerySeed.enqueue(second, queue: "celery", count: 2)
        try CelerySeed.enqueue(second, queue: "mail", step: 3, count: 1)

        let dir = try makeTemporaryDirectory()
        let rules = dir.appendingPathComponent("rules.yml")
        try """
        groups:
          - name: backlog
            rules:
              - alert: CeleryBacklog
                expr: celery_redis_queue_length > 3
                labels: {severity: warning}
                annotations:
                  summary: "{{ $labels.target }}/{{ $labels.queue }} has {{ $value }} messages"
        """.write(to: rules, atomically: true, encoding: .utf8)
        let (exporter, port) = try TargetTestSupport.start(
            common: ["--poll.interval=0.2s", "--rules.file=\(rules.path)"],
            targets: [
                ("orders", ["--redis.url=redis://127.0.0.1:\(first.port)/0"]),
                ("mailer", ["--redis.url=redis://127.0.0.1:\(second.port)/0"]),
            ])
        defer { exporter.stop() }

        let ready = waitUntil(timeout: 10) { (try? get(port, "/-/ready"))?.status == 200 }
        #expect(ready, "not ready: \((try? get(port, "/-/ready"))?.text ?? "no answer")")
        let firing = waitUntil(timeout: 10) {
            MetricsText(text: (try? get(port, "/metrics").text) ?? "").value(
                "celery_redis_alerts",
                [
                    "alertname": "CeleryBacklog", "alertstate": "firing", "queue": "celery", "severity": "warning",
                    "target": "orders",
                ]) == 1
        }
        #expect(firing)
        let response = try get(port, "/metrics")
        let metrics = MetricsText(text: response.text)
        #expect(metrics.value("celery_redis_up", ["target": "orders"]) == 1)
        #expect(metrics.value("celery_redis_up", ["target": "mailer"]) == 1)
        #expect(metrics.value("celery_redis_up") == nil, "no unlabelled up with named targets")
        #expect(metrics.value("celery_redis_queue_length", ["target": "orders", "queue": "celery"]) == 6)
        #expect(metrics.value("celery_redis_unacked_tasks", ["target": "orders", "queue": "celery"]) == 1)
        #expect(metrics.value("celery_redis_queue_length", ["target": "mailer", "queue": "celery"]) == 2)
        #expect(metrics.value("celery_redis_queue_length", ["target": "mailer", "queue": "mail"]) == 1)
        #expect(metrics.value("celery_redis_queue_length", ["target": "orders", "queue": "mail"]) == nil)
        // Process-wide families once, without the label; each family's HELP and TYPE once.
        #expect(response.text.components(separatedBy: "\ncelery_redis_build_info{").count == 2)
        #expect(!response.text.contains("celery_redis_build_info{target="))
        #expect(metrics.value("process_open_fds") != nil)
        for family in ["celery_redis_up", "celery_redis_queue_length", "celery_redis_task_runtime_seconds"] {
            #expect(response.text.components(separatedBy: "# TYPE \(family) ").count == 2, "\(family): one TYPE line")
        }
        // The alert carries the target; the other target's two messages fire nothing.
        let api = try json(try get(port, "/api/v1/alerts").body)
        let alerts = try #require((api["data"] as? [String: Any])?["alerts"] as? [[String: Any]])
        #expect(alerts.count == 1)
        #expect((alerts.first?["labels"] as? [String: String])?["target"] == "orders")
        #expect((alerts.first?["annotations"] as? [String: String])?["summary"] == "orders/celery has 6 messages")
        // promtool lints the several-target output: zero problems.
        let lint = try runCommand(try requireTool("promtool"), ["check", "metrics"], input: Data(response.body))
        #expect(
            lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "promtool: \(lint.stdout)\(lint.stderr)")
        // Every family is the catalogue's, with `target` first on every series of a target.
        #expect(ServedCatalogue.problems(String(decoding: response.body, as: UTF8.self)) == [])

        // The status JSON: one entry per target with today's fields; all alerts at the top.
        let status = try json(try get(port, "/api/v1/status").body)
        let targets = try #require(status["targets"] as? [[String: Any]])
        #expect(targets.map { $0["name"] as? String } == ["orders", "mailer"])
        let ordersQueues = try #require((targets[0]["queues"] as? [String: Any])?["items"] as? [[String: Any]])
        #expect(ordersQueues.first { $0["name"] as? String == "celery" }?["depth"] as? Int == 6)
        let mailerQueues = try #require((targets[1]["queues"] as? [String: Any])?["depth_total"] as? Int)
        #expect(mailerQueues == 3)
        #expect(((targets[0]["alerts"] as? [String: Any])?["total"] as? Int) == 1)
        #expect(((targets[1]["alerts"] as? [String: Any])?["total"] as? Int) == 0)
        #expect(((status["alerts"] as? [String: Any])?["total"] as? Int) == 1)
        for target in targets {
            #expect(target["health"] != nil && target["workers"] != nil && target["results"] != nil)
        }
        let page = try get(port, "/").text
        #expect(page.contains("Target <code>orders</code>") && page.contains("Target <code>mailer</code>"))

        // One broker dies: readiness names it; the other's numbers stay exact and its up stays 1.
        second.stop()
        let named = waitUntil(timeout: 10) {
            guard let r = try? get(port, "/-/ready") else { return false }
            return r.status == 503 && r.text.hasPrefix("Not ready: 1 of 2 targets not ready: mailer\n")
                && r.text.contains("\nmailer: last poll of Redis failed: ")
        }
        #expect(named, "ready says: \((try? get(port, "/-/ready"))?.text ?? "no answer")")
        let afterDown = MetricsText(text: try get(port, "/metrics").text)
        #expect(afterDown.value("celery_redis_up", ["target": "mailer"]) == 0)
        #expect(afterDown.value("celery_redis_up", ["target": "orders"]) == 1)
        #expect(afterDown.value("celery_redis_queue_length", ["target": "orders", "queue": "celery"]) == 6)
        #expect(
            afterDown.value("celery_redis_queue_length", ["target": "mailer", "queue": "celery"]) == nil,
            "a failed target's queues are omitted, not served stale")
        #expect(try get(port, "/-/healthy").status == 200)
        let downStatus = try json(try get(port, "/api/v1/status").body)
        let downTargets = try #require(downStatus["targets"] as? [[String: Any]])
        #expect((downTargets[1]["health"] as? [String: Any])?["redis_up"] as? Bool == false)
        #expect((downTargets[0]["health"] as? [String: Any])?["redis_up"] as? Bool == true)
    }

    @Test func twoKeyPrefixesOnOneServerAreTwoTargets() throws {
        let redis = try RedisServer()
        try CelerySeed.bind(redis, queue: "celery", prefix: "a:")
        try CelerySeed.enqueue(redis, queue: "celery", count: 5, prefix: "a:")
        try CelerySeed.bind(redis, queue: "celery", prefix: "b:")
        try CelerySeed.enqueue(redis, queue: "celery", count: 3, prefix: "b:")
        try CelerySeed.unacked(redis, queue: "celery", fetchedAt: Date().timeIntervalSince1970 - 10, prefix: "b:")
        let url = "--redis.url=redis://127.0.0.1:\(redis.port)/0"
        let (exporter, port) = try TargetTestSupport.start(
            common: ["--poll.interval=0.2s", url],
            targets: [("alpha", ["--celery.key-prefix=a:"]), ("beta", ["--celery.key-prefix=b:"])])
        defer { exporter.stop() }
        let ready = waitUntil(timeout: 10) { (try? get(port, "/-/ready"))?.status == 200 }
        #expect(ready)
        let metrics = MetricsText(text: try get(port, "/metrics").text)
        #expect(metrics.value("celery_redis_queue_length", ["target": "alpha", "queue": "celery"]) == 5)
        #expect(metrics.value("celery_redis_unacked_tasks", ["target": "alpha", "queue": "celery"]) == 0)
        #expect(metrics.value("celery_redis_queue_length", ["target": "beta", "queue": "celery"]) == 3)
        #expect(metrics.value("celery_redis_unacked_tasks", ["target": "beta", "queue": "celery"]) == 1)
        #expect(metrics.value("celery_redis_queue_length", ["target": "alpha", "queue": "b:celery"]) == nil)
        // Every target has its own poll, census and subscription connections on the shared server.
        let clients = try TargetTestSupport.exporterClients(redis)
        #expect(clients.filter { $0.contains("name=celery-redis-exporter-poll ") }.count == 2, "\(clients)")
        exporter.stop()
        let closed = waitUntil(timeout: 5) { ((try? TargetTestSupport.exporterClients(redis)) ?? ["?"]).isEmpty }
        #expect(closed, "still connected after stop: \((try? TargetTestSupport.exporterClients(redis)) ?? [])")
    }
}
