import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Issue 3 item 1: how long the oldest waiting message of each queue has waited
    /// (`celery_redis_queue_oldest_message_age_seconds`), against the publish time the message
    /// itself carries in Redis (`tails.py`: `LINDEX <list> -1` of every priority list).
    @Suite struct WaitingAge {
        /// No worker; the exporter starts ~1.5 s after the tasks were published.
        /// - `celery`: producer with the `sent_at` `before_task_publish` hook, one task at priority
        ///   0, then one at priority 9 a second later: the age is exact (the older tail's `sent_at`),
        ///   within one poll interval, over both priority lists.
        /// - `expiring`: no hook, sent with `expires=3600`: exact from `expires − expiration`.
        /// - `plain`: no hook, no expires: a lower bound from first sight, never above the truth
        ///   (≤ time since the producer returned) and growing from the exporter's start.
        /// - `later`: only a `countdown=600` message: a future-ETA tail is skipped, age 0.
        /// Run without and with `global_keyprefix='prod:'`.
        @Test(arguments: ["", "prod:"])
        func oldestWaitingMessageAgeExactAndLowerBound(keyPrefix: String) throws {
            let scenario = try CeleryScenario {
                $0.sentAtHeader = true
                $0.keyPrefix = keyPrefix
            }
            var noHook = scenario.config
            noHook.sentAtHeader = false
            let plainProducer = CeleryProducer(environment: scenario.environment, config: noHook)
            let first = try scenario.producer.send([.add(1, 1)])
            usleep(1_000_000)
            try scenario.producer.send([.add(2, 2, priority: 9)])
            try plainProducer.send([
                TaskMessage(task: "app.add", args: [3, 3], opts: .init(queue: "expiring", expires: 3600)),
                .add(4, 4, queue: "plain"),
                .add(5, 5, queue: "later", countdown: 600),
            ])
            let plainSentBy = Date().timeIntervalSince1970  // the producer returned: published before this
            usleep(1_500_000)
            let queues = ["celery", "expiring", "plain", "later"]
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(queues: queues)
            let exporterStart = Date().timeIntervalSince1970

            // Two polls later (first sight is the first poll), bracketed by two tail reads.
            usleep(UInt32(exporter.pollInterval * 2.2 * 1_000_000))
            let tails = try truth.tails(queues)
            let s = try exporter.scrape(polledAfter: tails.time)
            let tailsAfter = try truth.tails(queues)
            #expect(
                tails.queues.mapValues { $0.map(\.tag) } == tailsAfter.queues.mapValues { $0.map(\.tag) },
                "the tails moved with no worker running")
            // The scenario is what it claims.
            #expect(
                tails.queues["celery"]?.count == 2 && tails.queues["celery"]?.allSatisfy { $0.sentAt != nil } == true,
                "celery tails: \(String(describing: tails.queues["celery"]))")
            #expect(tails.queues["expiring"]?.first?.sentAt == nil && tails.queues["expiring"]?.first?.published != nil)
            #expect(tails.queues["plain"]?.first?.published == nil)
            #expect((tails.queues["later"]?.first?.eta ?? 0) > tails.time + 500)

            let pollStart = s.pollStart ?? s.time
            let pollEnd = s.pollEnd ?? s.time
            for queue in ["celery", "expiring"] {
                let published = tails.oldestPublished(queue)
                if queue == "celery" {
                    #expect(
                        tails.queues["celery"]?.first { $0.published == published }?.id == first.first,
                        "the oldest celery tail is not the first task sent")
                }
                guard let published, let age = s.oldestMessageAge(queue) else {
                    Issue.record(
                        "\(queue): no age (exporter \(String(describing: s.oldestMessageAge(queue))), truth \(String(describing: published)))"
                    )
                    continue
                }
                let lower = pollStart - published - 0.1
                let upper = pollEnd - published + 0.1
                #expect(
                    age >= lower && age <= upper && s.time - published - age <= exporter.pollInterval + 0.1,
                    "\(queue): oldest_message_age \(age) not exact within one poll (truth \(String(format: "%.3f", s.time - published)) s at scrape, poll window \(String(format: "%.3f", lower))…\(String(format: "%.3f", upper)))"
                )
            }

            // plain: first-seen lower bound, never above the truth.
            let plainAge = s.oldestMessageAge("plain") ?? -1
            let truthAtLeast = pollEnd - plainSentBy
            #expect(
                plainAge >= 0 && plainAge <= truthAtLeast + 0.1,
                "plain: lower-bound age \(plainAge) exceeds the truth (≥ \(String(format: "%.3f", truthAtLeast)) s)")
            #expect(
                plainAge >= pollStart - exporterStart - exporter.pollInterval - 0.5,
                "plain: age \(plainAge) does not grow from the exporter's first sight (\(String(format: "%.3f", pollStart - exporterStart)) s since start)"
            )
            #expect(
                plainAge < truthAtLeast - 1.0,
                "plain: a first-seen age \(plainAge) should miss the 1.5 s waited before the exporter started")

            #expect(s.oldestMessageAge("later") == 0, "later: a future-ETA tail must be skipped")
            for queue in queues {
                #expect(
                    s.redeliveredTails(queue) == Double(tails.redeliveredTails(queue)), "\(queue): redelivered tails")
            }
            // Queue numbers agree as well.
            try Agreement.expectAgreement(exporter, truth, queues: queues, "waiting, no worker")
        }
    }
}
