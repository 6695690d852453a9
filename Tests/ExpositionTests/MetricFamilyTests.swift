import Exposition
import Testing

@Suite struct MetricFamilyTests {
    @Test(arguments: [
        ("celery_redis_up", true), ("_x", true), ("a:b", true), (":a", true), ("A9", true),
        ("", false), ("9a", false), ("a-b", false), ("a b", false), ("a.b", false), ("é", false),
    ])
    func nameValidation(_ name: String, _ valid: Bool) {
        #expect(MetricFamily.isValidName(name) == valid)
    }

    @Test func fixturesAreConsistent() {
        #expect(MetricFamily.consistencyProblems(ExpositionFixtures.basic + ExpositionFixtures.escaping).isEmpty)
    }

    static func gauge(_ name: String, _ samples: [Sample] = [Sample(value: 1)]) -> MetricFamily {
        MetricFamily(name: name, help: "h", type: .gauge, samples: samples)
    }

    @Test func detectsDuplicateFamilies() {
        let problems = MetricFamily.consistencyProblems([Self.gauge("a"), Self.gauge("b"), Self.gauge("a")])
        #expect(problems == ["duplicate metric family 'a'"])
    }

    @Test func detectsGeneratedNameCollisions() {
        let counter = MetricFamily(name: "jobs", help: "h", type: .counter, samples: [Sample(value: 1)])
        let histogram = MetricFamily.histogram(name: "lat", help: "h", series: [])
        #expect(MetricFamily.consistencyProblems([counter, Self.gauge("jobs_total")]).count == 1)
        #expect(MetricFamily.consistencyProblems([Self.gauge("jobs_created"), counter]).count == 1)
        #expect(MetricFamily.consistencyProblems([histogram, Self.gauge("lat_count")]).count == 1)
        #expect(MetricFamily.consistencyProblems([histogram, Self.gauge("lat_bucket")]).count == 1)
        #expect(MetricFamily.consistencyProblems([histogram, counter, Self.gauge("other")]).isEmpty)
    }

    @Test func detectsDuplicateLabelSetsInAnyOrder() {
        let a = Sample(labels: [Label("queue", "q"), Label("stage", "s")], value: 1)
        let b = Sample(labels: [Label("stage", "s"), Label("queue", "q")], value: 2)
        let c = Sample(labels: [Label("stage", "s"), Label("queue", "r")], value: 2)
        #expect(MetricFamily.consistencyProblems([Self.gauge("g", [a, b])]).count == 1)
        #expect(MetricFamily.consistencyProblems([Self.gauge("g", [a, c])]).isEmpty)
        #expect(MetricFamily.consistencyProblems([Self.gauge("g", [Sample(value: 1), Sample(value: 2)])]).count == 1)
        let series = HistogramSeries(labels: [Label("queue", "q")], buckets: [], sum: 0, count: 0)
        #expect(
            MetricFamily.consistencyProblems([MetricFamily.histogram(name: "h", help: "h", series: [series, series])])
                .count == 1)
    }

    @Test func detectsRepeatedLabelNameAndBadCounterValues() {
        let repeated = Sample(labels: [Label("queue", "a"), Label("queue", "b")], value: 1)
        #expect(MetricFamily.consistencyProblems([Self.gauge("g", [repeated])]).count == 1)
        let counter = MetricFamily(
            name: "c", help: "h", type: .counter,
            samples: [Sample(labels: [Label("x", "1")], value: -1), Sample(labels: [Label("x", "2")], value: .nan)])
        #expect(MetricFamily.consistencyProblems([counter]).count == 2)
    }

    // Programmer errors trap (exit tests run the closure in a child process).

    @Test func encodingDuplicateFamiliesAssertsInDebugBuilds() async {
        #if DEBUG
            await #expect(processExitsWith: .failure) {
                let family = MetricFamily(name: "dup", help: "h", type: .gauge, samples: [Sample(value: 1)])
                _ = MetricEncoder.encode([family, family], as: .prometheusText)
            }
        #endif
    }

    @Test func encodingDuplicateLabelSetsAssertsInDebugBuilds() async {
        #if DEBUG
            await #expect(processExitsWith: .failure) {
                let family = MetricFamily(
                    name: "dup", help: "h", type: .gauge,
                    samples: [Sample(labels: [Label("q", "a")], value: 1), Sample(labels: [Label("q", "a")], value: 2)])
                _ = RenderedMetrics(families: [family])
            }
        #endif
    }

    @Test func counterNamedWithTotalTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricFamily(name: "jobs_total", help: "h", type: .counter, samples: [])
        }
    }

    @Test func invalidMetricNameTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricFamily(name: "celery-queue", help: "h", type: .gauge, samples: [])
        }
    }

    @Test func unitThatIsNotTheNameSuffixTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricFamily(name: "poll_duration", help: "h", type: .gauge, unit: "seconds", samples: [])
        }
    }

    @Test func histogramWithLeLabelOrUnsortedBucketsTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = HistogramSeries(labels: [Label("le", "1")], buckets: [], sum: 0, count: 0)
        }
        await #expect(processExitsWith: .failure) {
            _ = HistogramSeries(buckets: [(2, 1), (1, 1)], sum: 0, count: 1)
        }
        await #expect(processExitsWith: .failure) {
            _ = HistogramSeries(buckets: [(1, 3)], sum: 0, count: 2)
        }
    }
}
