import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Issue 10 item 4 with real Celery: two Celery apps, each on its own `redis-server` with its
    /// own prefork worker, watched by one exporter through a `--targets.file` naming both. Every
    /// number carries its target and is exact for that app alone; killing one app's worker moves
    /// only that target's worker-down and orphan numbers.
    @Suite struct TwoApps {
        /// `task_track_started`; "orders" gets 3 × add and "billing" 5 × add, published before any
        /// worker runs: queue lengths 3 and 5 per target. Workers `wa` (orders) and `wb` (billing)
        /// then run them: SUCCESS 3 and 5 live and in the census, each worker up under its own
        /// target only. 2 × slow(30) STARTED in each app; SIGKILL of `wa` and its pool children:
        /// orders reads `wa` down and 2 orphaned, billing keeps `wb` up and 0 orphaned.
        @Test func eachTargetSeesOnlyItsOwnApp() throws {
            let orders = try CeleryScenario { $0.trackStarted = true }
            let billing = try CeleryScenario { $0.trackStarted = true }
            let apps = [("orders", orders), ("billing", billing)]
            let file = orders.directory.appendingPathComponent("targets.yml")
            try """
            targets:
              - name: orders
                redis_url: redis://127.0.0.1:\(orders.redis.port)/0
                queues: [celery]
              - name: billing
                redis_url: redis://127.0.0.1:\(billing.redis.port)/0
                queues: [celery]

            """.write(to: file, atomically: true, encoding: .utf8)
            let exporter = try spawnWithDefaultSignalMask {
                try ExporterUnderTest(redisPort: orders.redis.port, extraArguments: ["--targets.file=\(file.path)"])
            }
            defer { exporter.terminate() }
            func value(_ s: Scrape, _ name: String, _ target: String, _ labels: [String: String] = [:]) -> Double? {
                s.value(name, labels.merging(["target": target]) { a, _ in a })
            }
            let subscribed = exporter.scrape(until: 10) { s in
                apps.allSatisfy {
                    value(s, "celery_redis_event_subscriber_up", $0.0) == 1 && value(s, "celery_redis_up", $0.0) == 1
                }
            }
            #expect(subscribed != nil, "stderr:\n\(exporter.process.stderr.suffix(2000))")
            #expect(try exporter.scrape().up == nil, "a series without its target label")

            let ordersIDs = try orders.producer.send([.add(1, 1), .add(2, 2), .add(3, 3)])
            let billingIDs = try billing.producer.send((0..<5).map { TaskMessage.add($0, 1) })
            let queued = exporter.scrape(until: 8) { s in
                value(s, "celery_redis_queue_length", "orders", ["queue": "celery"]) == 3
                    && value(s, "celery_redis_queue_length", "billing", ["queue": "celery"]) == 5
            }
            #expect(
                queued != nil,
                "queue lengths per target: \(String(describing: (try? exporter.scrape())?.text.split(separator: "\n").filter { $0.hasPrefix("celery_redis_queue_length") }))"
            )

            let wa = try orders.startWorker("wa", concurrency: 2, prefetchMultiplier: 1)
            try billing.startWorker("wb", concurrency: 2, prefetchMultiplier: 1)
            try orders.truth().waitForStatuses(ordersIDs, in: ["SUCCESS"], timeout: 30)
            try billing.truth().waitForStatuses(billingIDs, in: ["SUCCESS"], timeout: 30)
            guard
                let done = exporter.scrape(
                    until: 10,
                    { s in
                        value(s, "celery_redis_task_results_total", "orders", ["state": "SUCCESS"]) == 3
                            && value(s, "celery_redis_task_results_total", "billing", ["state": "SUCCESS"]) == 5
                            && value(s, "celery_redis_task_meta_keys", "orders", ["state": "SUCCESS"]) == 3
                            && value(s, "celery_redis_task_meta_keys", "billing", ["state": "SUCCESS"]) == 5
                            && value(s, "celery_redis_queue_length", "orders", ["queue": "celery"]) == 0
                            && value(s, "celery_redis_queue_length", "billing", ["queue": "celery"]) == 0
                    })
            else {
                let s = try exporter.scrape()
                Issue.record(
                    "results per target: \(s.text.split(separator: "\n").filter { $0.hasPrefix("celery_redis_task_results_total") || $0.hasPrefix("celery_redis_task_meta_keys") })"
                )
                return
            }
            let workersByTarget = Dictionary(
                grouping: apps.map { app in
                    (
                        app.0,
                        done.labelValues("celery_redis_worker_up", "worker").filter { worker in
                            value(done, "celery_redis_worker_up", app.0, ["worker": worker]) != nil
                        }
                    )
                }, by: \.0
            ).mapValues { $0.flatMap(\.1) }
            #expect(
                workersByTarget["orders"]?.count == 1 && workersByTarget["orders"]?.first?.hasPrefix("wa@") == true,
                "orders' workers: \(workersByTarget)")
            #expect(
                workersByTarget["billing"]?.count == 1 && workersByTarget["billing"]?.first?.hasPrefix("wb@") == true,
                "billing's workers: \(workersByTarget)")
            guard let hostA = workersByTarget["orders"]?.first, let hostB = workersByTarget["billing"]?.first else {
                return
            }
            #expect(value(done, "celery_redis_worker_up", "orders", ["worker": hostA]) == 1)
            #expect(value(done, "celery_redis_worker_up", "billing", ["worker": hostB]) == 1)

            let slowA = try orders.producer.send([.slow(30, tag: "a1"), .slow(30, tag: "a2")])
            let slowB = try billing.producer.send([.slow(30, tag: "b1"), .slow(30, tag: "b2")])
            try orders.truth().waitForStatuses(slowA, in: ["STARTED"], timeout: 15)
            try billing.truth().waitForStatuses(slowB, in: ["STARTED"], timeout: 15)
            let busy = exporter.scrape(until: 8) { s in
                apps.allSatisfy {
                    value(s, "celery_redis_orphaned_started_tasks", $0.0) == 0
                        && value(s, "celery_redis_task_meta_keys", $0.0, ["state": "STARTED"]) == 2
                }
            }
            #expect(busy != nil, "STARTED 2 and orphaned 0 in each target while both workers live")

            wa.kill()
            let killed = exporter.scrape(until: 12) { s in
                value(s, "celery_redis_worker_up", "orders", ["worker": hostA]) == 0
                    && value(s, "celery_redis_orphaned_started_tasks", "orders") == 2
            }
            #expect(
                killed != nil,
                "orders after SIGKILL of wa: orphaned \(String(describing: try? value(exporter.scrape(), "celery_redis_orphaned_started_tasks", "orders")))"
            )
            // Billing's numbers do not move, on every poll for a while.
            let deadline = Date().addingTimeInterval(3)
            while Date() < deadline {
                let s = try exporter.scrape()
                #expect(value(s, "celery_redis_worker_up", "billing", ["worker": hostB]) == 1)
                #expect(value(s, "celery_redis_orphaned_started_tasks", "billing") == 0)
                #expect(value(s, "celery_redis_task_meta_keys", "billing", ["state": "STARTED"]) == 2)
                #expect(value(s, "celery_redis_worker_up", "billing", ["worker": hostA]) == nil)
                #expect(value(s, "celery_redis_up", "billing") == 1 && value(s, "celery_redis_up", "orders") == 1)
                usleep(300_000)
            }
            #expect(try exporter.process.get("/-/ready").status == 200)
        }
    }
}
