import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// `celery beat` publishes like any producer: no keys of its own.
    @Suite struct Beat {
        /// Beat sends `app.add` to queue `beat` every second and no worker consumes it: the queue
        /// grows, and the exporter's length matches Redis while it grows (and after beat stops).
        @Test func beatPublishesIntoAQueueNobodyConsumes() throws {
            let scenario = try CeleryScenario()
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(queues: ["beat"])
            let beat = try scenario.startBeat(every: 1, queue: "beat")
            try truth.waitFor("beat published twice", queues: ["beat"], timeout: 20) { $0.queue("beat").length >= 2 }
            beat.stop()
            let obs = try Agreement.expectAgreement(exporter, truth, queues: ["beat"], "beat stopped")
            #expect(obs.truth.queue("beat").length == beat.sentCount, "beat log says \(beat.sentCount) sent")
            #expect(obs.truth.queue("beat").length >= 2)
        }
    }
}
