import Exposition
import Testing

@testable import Alerting

@Suite struct ExpressionEvaluatorTests {
    let families: [MetricFamily] = [
        gauge(
            "celery_redis_queue_length",
            [(["queue": "celery"], 12), (["queue": "default"], 0), (["queue": "priority"], 3)]),
        gauge("celery_redis_workers", [([:], 0)]),
        gauge("celery_redis_up", [([:], 1)]),
        MetricFamily(
            name: "celery_redis_poll_errors", help: "", type: .counter,
            samples: [
                Sample(labels: [Label("stage", "connect")], value: 2),
                Sample(labels: [Label("stage", "queues")], value: 0),
            ]),
        MetricFamily.histogram(
            name: "celery_redis_task_runtime_seconds", help: "",
            series: [
                HistogramSeries(labels: [Label("queue", "celery")], buckets: [(0.5, 1), (2, 3)], sum: 4.5, count: 4)
            ]),
    ]

    private func values(_ elements: [VectorElement], by label: String) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: elements.map { ($0.labels[label] ?? "", $0.value) })
    }

    @Test func selectorsSeeCountersAndHistogramsAsPrometheusStoresThem() throws {
        #expect(try evaluate("celery_redis_poll_errors_total", families).count == 2)
        #expect(try evaluate("celery_redis_poll_errors", families).isEmpty)
        #expect(
            values(try evaluate("celery_redis_task_runtime_seconds_bucket", families), by: "le") == [
                "0.5": 1, "2": 3, "+Inf": 4,
            ])
        #expect(try evaluate("celery_redis_task_runtime_seconds_sum", families).first?.value == 4.5)
        #expect(try evaluate("celery_redis_task_runtime_seconds_count{queue=\"celery\"}", families).first?.value == 4)
        #expect(try evaluate(#"{__name__=~"celery_redis_(up|workers)"}"#, families).count == 2)
        #expect(
            values(try evaluate(#"celery_redis_queue_length{queue!~"c.*", queue!="default"}"#, families), by: "queue")
                == ["priority": 3])
        // A missing label matches the empty string, as in Prometheus.
        #expect(try evaluate(#"celery_redis_up{job=""}"#, families).count == 1)
    }

    @Test func comparisonsFilterAndKeepTheVectorValue() throws {
        let result = try evaluate("celery_redis_queue_length > 1", families)
        #expect(values(result, by: "queue") == ["celery": 12, "priority": 3])
        #expect(result.allSatisfy { $0.labels["__name__"] == "celery_redis_queue_length" })
        // Scalar on the left: same filter, the value is still the vector's.
        #expect(values(try evaluate("5 < celery_redis_queue_length", families), by: "queue") == ["celery": 12])
        // bool: every element, 0 or 1, name dropped.
        let boolResult = try evaluate("celery_redis_queue_length >= bool 3", families)
        #expect(values(boolResult, by: "queue") == ["celery": 1, "default": 0, "priority": 1])
        #expect(boolResult.allSatisfy { $0.labels["__name__"] == nil })
        #expect(try evaluate("1 < bool 2", families).map(\.value) == [1])
    }

    @Test func arithmeticDropsTheName() throws {
        let result = try evaluate("celery_redis_queue_length * 2 + 1", families)
        #expect(values(result, by: "queue") == ["celery": 25, "default": 1, "priority": 7])
        #expect(result.allSatisfy { $0.labels["__name__"] == nil })
        #expect(try evaluate("time() - 400", families, now: 1000).map(\.value) == [600])
        #expect(values(try evaluate("-celery_redis_queue_length", families), by: "queue")["celery"] == -12)
        #expect(try evaluate("celery_redis_queue_length{queue=\"default\"} / 0", families).first?.value.isNaN == true)
    }

    @Test func aggregations() throws {
        #expect(try evaluate("sum(celery_redis_queue_length)", families) == [VectorElement(labels: [:], value: 15)])
        #expect(try evaluate("count(celery_redis_queue_length)", families).first?.value == 3)
        #expect(try evaluate("avg(celery_redis_queue_length)", families).first?.value == 5)
        #expect(try evaluate("min(celery_redis_queue_length)", families).first?.value == 0)
        #expect(try evaluate("max(celery_redis_queue_length)", families).first?.value == 12)
        let byQueue = try evaluate("sum by (queue) (celery_redis_queue_length)", families)
        #expect(byQueue.map(\.labels) == [["queue": "celery"], ["queue": "default"], ["queue": "priority"]])
        let without = try evaluate("max without (le) (celery_redis_task_runtime_seconds_bucket)", families)
        #expect(without == [VectorElement(labels: ["queue": "celery"], value: 4)])
        #expect(try evaluate("sum(nonexistent)", families).isEmpty)
    }

    @Test func setOperators() throws {
        // The default rule "messages waiting and no live worker": on() matches every pair.
        let noWorker = try evaluate("(celery_redis_queue_length > 0) and on() (celery_redis_workers == 0)", families)
        #expect(values(noWorker, by: "queue") == ["celery": 12, "priority": 3])
        #expect(try evaluate("celery_redis_queue_length and on() (celery_redis_workers > 0)", families).isEmpty)
        // Without on(): all labels but __name__ must match.
        #expect(try evaluate("celery_redis_up and celery_redis_workers", families).count == 1)
        #expect(try evaluate("celery_redis_queue_length and celery_redis_workers", families).isEmpty)
        let unless = try evaluate(
            #"celery_redis_queue_length unless celery_redis_queue_length{queue="celery"}"#, families)
        #expect(values(unless, by: "queue") == ["default": 0, "priority": 3])
        let or = try evaluate(#"celery_redis_queue_length{queue="celery"} or celery_redis_up"#, families)
        #expect(or.count == 2)
        let ignoring = try evaluate(
            #"celery_redis_queue_length{queue="celery"} and ignoring(queue) celery_redis_up"#, families)
        #expect(ignoring.count == 1)
    }

    @Test func vectorToVectorOneToOne() throws {
        let sum = try evaluate(#"celery_redis_queue_length + on(queue) celery_redis_queue_length"#, families)
        #expect(values(sum, by: "queue") == ["celery": 24, "default": 0, "priority": 6])
        #expect(sum.allSatisfy { $0.labels.keys.sorted() == ["queue"] })
        let message = errorMessage {
            _ = try evaluate("celery_redis_queue_length + on() celery_redis_queue_length", families)
        }
        #expect(message?.contains("many-to-many matching not allowed") == true)
    }

    @Test func absent() throws {
        #expect(try evaluate(#"absent(celery_redis_up)"#, families).isEmpty)
        #expect(
            try evaluate(#"absent(celery_redis_workers{queue="x", job=~"y"})"#, families)
                == [VectorElement(labels: ["queue": "x"], value: 1)])
        #expect(try evaluate("absent(nonexistent)", families) == [VectorElement(labels: [:], value: 1)])
    }
}
