import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Queues whose routing key is not their name (Celery's routing docs:
    /// `Queue('videos', Exchange('media'), routing_key='media.video')`).
    @Suite struct Routing {
        /// Tasks for `videos` are published to exchange `media` with routing key `media.video` and
        /// wait in the list `videos`. Observed with kombu 5.7: once a worker fetches them, the
        /// `unacked` value is `[message, "", "videos"]`: the consumer stores the *queue name* as
        /// routing key (and the default exchange), so attributing unacked entries by that field
        /// (as the exporter does) is right even here. Truth resolves the queue independently
        /// through the binding table when the exchange is not the default one.
        @Test func queueWhoseRoutingKeyIsNotItsName() throws {
            let scenario = try CeleryScenario { $0.mediaQueue = true }
            let queues = ["videos"]  // nothing declared `celery` here: the exporter rightly does not list it
            try scenario.producer.send((0..<5).map { TaskMessage.slow(3, tag: "v\($0)", queue: "videos") })
            let truth = scenario.truth()
            let exporter = try scenario.startExporter()
            try scenario.startWorker(queues: ["videos"], concurrency: 1, prefetchMultiplier: 2)
            try truth.waitFor("videos tasks prefetched", queues: queues, timeout: 20) {
                $0.queue("videos").unacked == 2
            }
            let obs = try Agreement.expectAgreement(exporter, truth, queues: queues, "videos via exchange media")
            #expect(obs.truth.queue("videos").unacked == 2, "\(obs.truth.summary)")
            #expect(
                obs.truth.entries.allSatisfy { $0.routingKey == "videos" && $0.exchange == "" }, "\(obs.truth.entries)")
            #expect(obs.scrape.unacked("videos") == 2)
            // Discovery found `videos` from `_kombu.binding.media` (no --celery.queues given).
            #expect(obs.scrape.labelValues("celery_redis_queue_length", "queue").contains("videos"))
        }
    }
}
