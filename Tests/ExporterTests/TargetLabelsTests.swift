import Exposition
import Testing

@testable import Exporter

@Suite struct TargetLabelsTests {
    @Test func labelsEverySeriesAndMergesSameNameFamiliesOnce() {
        func families(_ up: Double) -> [MetricFamily] {
            [
                MetricFamily(name: "celery_redis_up", help: "up", type: .gauge, samples: [Sample(value: up)]),
                .histogram(
                    name: "celery_redis_task_runtime_seconds", help: "runtime", unit: "seconds",
                    series: [HistogramSeries(labels: [Label("task", "t")], buckets: [(1, 1)], sum: 0.5, count: 1)]),
                MetricFamily(
                    name: "celery_redis_build_info", help: "build", type: .gauge,
                    samples: [Sample(labels: [Label("version", "1")], value: 1)]),
            ]
        }
        let merged = TargetLabels.merged(
            TargetLabels.labelled(families(1), target: "a") + TargetLabels.labelled(families(0), target: "b"))
        #expect(
            merged.map(\.name) == ["celery_redis_up", "celery_redis_task_runtime_seconds", "celery_redis_build_info"])
        #expect(merged[0].samples.map(\.labels) == [[Label("target", "a")], [Label("target", "b")]])
        #expect(merged[0].samples.map(\.value) == [1, 0])
        #expect(
            merged[1].histogramSeries.map(\.labels) == [
                [Label("target", "a"), Label("task", "t")], [Label("target", "b"), Label("task", "t")],
            ])
        #expect(merged[1].unit == "seconds")
        #expect(merged[2].samples.map(\.labels) == [[Label("version", "1")]], "process-wide: once, no target label")
        let text = String(
            decoding: RenderedMetrics(families: merged).body(format: .prometheusText, gzip: false), as: UTF8.self)
        #expect(text.components(separatedBy: "# HELP celery_redis_up ").count == 2)
        #expect(text.contains("celery_redis_up{target=\"b\"} 0"))
    }

    @Test func readinessNamesEveryTargetThatIsNotReady() {
        let state = ExporterState(initial: RenderedMetrics(families: []), pollInterval: 1)
        state.publish(
            .init(
                rendered: RenderedMetrics(families: []), lastPollSucceeded: false, lastPollMonotonic: 10,
                lastFailure: nil,
                targets: [
                    TargetReadiness(name: "a", lastPollSucceeded: true, lastPollMonotonic: 10, lastFailure: nil),
                    TargetReadiness(
                        name: "b", lastPollSucceeded: false, lastPollMonotonic: 10, lastFailure: "Connection refused"),
                    TargetReadiness(name: "c", lastPollSucceeded: true, lastPollMonotonic: 1, lastFailure: nil),
                ]))
        #expect(
            state.notReadyReason(monotonicNow: 10.5) == """
                2 of 3 targets not ready: b, c
                b: last poll of Redis failed: Connection refused
                c: last successful poll is 9s old (limit: 3 poll intervals = 3s)
                """)
        state.publish(
            .init(
                rendered: RenderedMetrics(families: []), lastPollSucceeded: true, lastPollMonotonic: 10,
                lastFailure: nil,
                targets: [TargetReadiness(name: "a", lastPollSucceeded: true, lastPollMonotonic: 10, lastFailure: nil)])
        )
        #expect(state.notReadyReason(monotonicNow: 10.5) == nil)
    }
}
