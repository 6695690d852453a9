import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Issue 9 row 1 with real Celery: large task arguments are ordinary.
    @Suite struct LargePayloads {
        /// 100 tasks whose arguments are 700 KB, prefetched by one `-c1 --prefetch-multiplier 100`
        /// worker: 99 wait in `unacked` (the running one is acked at start), about 70 MB of
        /// messages. The exporter used to ask for all of them in one `HMGET` whose reply passed the
        /// 64 MiB reply cap, so every poll failed (`up 0`). Now it agrees with Redis.
        @Test func hundredPrefetchedTasksWith700KBArguments() throws {
            let scenario = try CeleryScenario()
            try scenario.producer.send((0..<100).map { TaskMessage.slow(90, tag: "p\($0)", padBytes: 700_000) })
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(queues: ["celery"])
            try scenario.startWorker(concurrency: 1, prefetchMultiplier: 100)
            try truth.waitFor("99 prefetched", queues: ["celery"], timeout: 60) { $0.zcard == 99 }
            let obs = try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "100 × 700 KB prefetched")
            #expect(obs.truth.queue("celery").unacked == 99)
            #expect(obs.scrape.unacked("celery") == 99)
            #expect(obs.truth.entries.allSatisfy { $0.task == "app.slow" && $0.queue == "celery" })
        }
    }
}
